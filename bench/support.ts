// What the scenarios of `npm run bench` share: load generators (closed loop with autocannon, open
// loop at a fixed pace), percentiles, process memory, the bare NestJS baseline, and the pass/fail
// record of each target.
import autocannon from 'autocannon';
import { type ChildProcess, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { Agent, request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { eventually } from '../test/support/graphql.js';
import { ROOT } from '../test/support/server.js';

/** One target of the run: what was promised, what was measured, and whether it held. */
export interface Check {
  name: string;
  target: string;
  actual: string;
  pass: boolean;
}

export const check = (name: string, target: string, actual: string, pass: boolean): Check => ({
  name,
  target,
  actual,
  pass,
});

/** autocannon reports p90 and p97.5, not p95: a p95 target is checked against p97.5 (stricter). */
export interface Load {
  requestsPerSecond: number;
  p50: number;
  p90: number;
  p97_5: number;
  p99: number;
  errors: number;
}

export type LoadRequest = Omit<autocannon.Options, 'url' | 'connections' | 'duration'>;

/** Closed-loop load at a fixed concurrency; non-2xx answers count as errors. */
export async function load(
  url: string,
  connections: number,
  seconds: number,
  request: LoadRequest = {},
): Promise<Load> {
  const result = await autocannon({ url, connections, duration: seconds, ...request });
  return {
    requestsPerSecond: Math.round(result.requests.average),
    p50: result.latency.p50,
    p90: result.latency.p90,
    p97_5: result.latency.p97_5,
    p99: result.latency.p99,
    errors: result.errors + result.non2xx + result.timeouts,
  };
}

export const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

const round1 = (n: number | undefined) => (n === undefined ? undefined : Math.round(n * 10) / 10);

/** Count and percentiles of samples in milliseconds (one decimal). */
export const summary = (samples: number[]) => {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    n: sorted.length,
    p50: round1(percentile(sorted, 50)),
    p95: round1(percentile(sorted, 95)),
    p99: round1(percentile(sorted, 99)),
    max: round1(sorted[sorted.length - 1]),
  };
};

export const timed = async <T>(work: () => Promise<T>): Promise<[number, T]> => {
  const start = performance.now();
  const value = await work();
  return [performance.now() - start, value];
};

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function rssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

/** CPU time a process has used so far (user + system), in milliseconds (Linux, /proc). */
export async function cpuMs(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
}
/** USER_HZ: 100 on every Linux Node runs on. */
const CLOCK_TICKS = 100;

/** The highest RSS a process reaches while `work` runs. */
export async function peakRss<T>(pid: number, work: () => Promise<T>): Promise<[number, T]> {
  let peak = await rssMb(pid);
  const timer = setInterval(() => {
    void rssMb(pid).then((mb) => (peak = Math.max(peak, mb)));
  }, 200);
  try {
    const value = await work();
    return [Math.round(peak), value];
  } finally {
    clearInterval(timer);
  }
}

/** The baseline app (bench/bare-nest.ts), through tsx like the bench itself. */
export async function startBare(port: number): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'bench/bare-nest.ts')], {
    env: { ...process.env, PORT: String(port), NODE_ENV: 'production' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  await eventually(
    () =>
      fetch(`${url}/bare`)
        .then((r) => r.ok)
        .catch(() => false),
    30_000,
  );
  return { child, url };
}

/** Stops child processes and resolves once every one has exited. */
export function stopAll(children: ChildProcess[]): Promise<void> {
  return Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
        }),
    ),
  ).then(() => undefined);
}

export interface PacedResult {
  /** The rate asked for, and the rate of answered requests over the run. */
  offeredPerSecond: number;
  achievedPerSecond: number;
  sent: number;
  ok: number;
  /** Transport errors, timeouts and non-2xx answers. */
  errors: number;
  /** From the instant each request was due (not when it left), so a late sender is counted too. */
  latency: ReturnType<typeof summary>;
}

export interface PacedRequest {
  body: Buffer;
  headers: Record<string, string>;
}

/**
 * Open-loop load: `rate` POSTs a second, evenly spaced, whatever the server's answers (as Facebook
 * delivers webhooks), over keep-alive connections. autocannon's own rate limit sends each second's
 * share in a burst at the top of the second, which measures bursts, not a rate. `next(i, dueAt)`
 * builds request i; `answered` hears each answer with the instant it was due.
 */
export async function paced(
  url: string,
  rate: number,
  seconds: number,
  next: (i: number, dueAt: number) => PacedRequest,
  answered: (i: number, status: number, dueAt: number) => void = () => undefined,
): Promise<PacedResult> {
  const target = new URL(url);
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const total = Math.round(rate * seconds);
  const latencies: number[] = [];
  let ok = 0;
  let errors = 0;
  const inFlight = new Set<Promise<void>>();
  const send = (i: number, dueAt: number) => {
    const { body, headers } = next(i, dueAt);
    const done = new Promise<void>((resolve) => {
      const finish = (status: number) => {
        latencies.push(performance.now() - dueAt);
        if (status >= 200 && status < 300) ok++;
        else errors++;
        answered(i, status, dueAt);
        resolve();
      };
      const req = httpRequest(
        {
          agent,
          host: target.hostname,
          port: target.port,
          path: target.pathname,
          method: 'POST',
          headers: { ...headers, 'content-length': String(body.length) },
          timeout: 10_000,
        },
        (res) => {
          res.resume();
          res.on('end', () => finish(res.statusCode ?? 0));
        },
      );
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', () => finish(0));
      req.end(body);
    });
    inFlight.add(done);
    void done.then(() => inFlight.delete(done));
  };
  const started = performance.now();
  let scheduled = 0;
  await new Promise<void>((resolve) => {
    const tick = () => {
      // Request i is due at i / rate seconds: the first at once.
      const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * rate) + 1);
      for (; scheduled < due; scheduled++) send(scheduled, started + (scheduled / rate) * 1000);
      if (scheduled >= total) resolve();
      else setTimeout(tick, 1);
    };
    tick();
  });
  await Promise.all(inFlight);
  const elapsed = (performance.now() - started) / 1000;
  agent.destroy();
  return {
    offeredPerSecond: rate,
    achievedPerSecond: Math.round(ok / elapsed),
    sent: total,
    ok,
    errors,
    latency: summary(latencies),
  };
}

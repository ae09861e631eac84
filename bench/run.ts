// `npm run bench`: starts two built Parley processes (ROLE=all and ROLE=api) on a fresh database
// and measures what users feel: sign-in, reading the campaign table, configuration changes reaching
// a supervisor connected to the other process, and the server's memory. Prints a table and writes
// bench/results.json. Targets, where the product sets them, are checked in TARGETS below.
import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createUser, eventually, gql, login, subscribe, wsClient } from '../test/support/graphql.js';
import { ROOT, testEnvironment } from '../test/support/server.js';

const MAIN = join(ROOT, 'dist/server/server/src/main.js');
const CAMPAIGNS = 20;
const AGENTS = 40;
const READERS = 20;
const READS_PER_READER = 50;
const CHANGES = 100;

/** Latency targets in milliseconds (p95); a miss makes the run exit non-zero. */
const TARGETS: Record<string, number> = {
  'campaign table read, one reader': 50,
  'campaignChanged across processes': 100,
};

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
const summary = (samples: number[]) => {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    n: sorted.length,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1],
  };
};
const timed = async <T>(work: () => Promise<T>): Promise<[number, T]> => {
  const start = performance.now();
  const value = await work();
  return [performance.now() - start, value];
};

async function start(
  env: Record<string, string>,
  port: number,
): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [MAIN], {
    env: { ...process.env, ...env, PORT: String(port), LOG_LEVEL: 'error' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  await eventually(
    () =>
      fetch(`${url}/health/ready`)
        .then((r) => r.ok)
        .catch(() => false),
    60_000,
  );
  return { child, url };
}

async function rssMb(pid: number): Promise<number> {
  const { readFile } = await import('node:fs/promises');
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

async function main() {
  const environment = testEnvironment();
  const port = 30_000 + Math.floor(Math.random() * 10_000);
  const [a, b] = await Promise.all([
    start({ ...environment.env, ROLE: 'all' }, port),
    start({ ...environment.env, ROLE: 'api' }, port + 1),
  ]);
  const results: Record<string, unknown> = {};
  try {
    const admin = await login(a.url, environment.env.ADMIN_USERNAME, environment.env.ADMIN_PASSWORD);

    const signIns: number[] = [];
    for (let i = 0; i < 20; i++)
      signIns.push(
        (await timed(() => login(a.url, environment.env.ADMIN_USERNAME, environment.env.ADMIN_PASSWORD)))[0],
      );
    results['sign-in (argon2id), ms'] = summary(signIns);

    const agents = [];
    for (let i = 0; i < AGENTS; i++)
      agents.push(await createUser(a.url, admin, { username: `bench.agent${i}`, role: 'AGENT' }));
    const campaignIds: string[] = [];
    for (let i = 0; i < CAMPAIGNS; i++) {
      const created = await gql<{ createCampaign: { id: string } }>(
        a.url,
        'mutation($i: CampaignInput!) { createCampaign(input: $i) { id } }',
        { i: { name: `Bench ${i}`, cannedResponses: [{ title: 'Hi', text: 'Hello!' }] } },
        { token: admin },
      );
      campaignIds.push(created.data!.createCampaign.id);
    }
    await gql(
      a.url,
      'mutation($c: [ID!]!, $u: [ID!]!) { addCampaignMembers(campaignIds: $c, userIds: $u) { id } }',
      { c: campaignIds, u: agents.map((x) => x.id) },
      { token: admin },
    );

    const TABLE =
      '{ campaigns { id name channel strategy enabled isOpenNow tokenStatus pageName cannedResponses { id title } members { penalty position receivesInteractions user { id displayName } } } }';
    const single: number[] = [];
    for (let i = 0; i < 100; i++)
      single.push((await timed(() => gql(b.url, TABLE, {}, { token: admin })))[0]);
    results['campaign table read, one reader, ms'] = summary(single);

    const reads: number[] = [];
    const wall = performance.now();
    await Promise.all(
      Array.from({ length: READERS }, async () => {
        for (let i = 0; i < READS_PER_READER; i++) {
          const [ms, result] = await timed(() => gql(b.url, TABLE, {}, { token: admin }));
          if (result.errors) throw new Error(JSON.stringify(result.errors));
          reads.push(ms);
        }
      }),
    );
    results['campaign table read (20 campaigns, 40 members each), ms'] = summary(reads);
    results['campaign table reads per second (20 concurrent readers)'] = Math.round(
      (reads.length / (performance.now() - wall)) * 1000,
    );

    const { client } = wsClient(`${b.url.replace('http', 'ws')}/graphql`, {
      authorization: `Bearer ${admin}`,
    });
    const events = subscribe<{ campaignChanged: { id: string; serviceLevelTarget: number } }>(
      client,
      'subscription { campaignChanged { id serviceLevelTarget } }',
    );
    await new Promise((r) => setTimeout(r, 500));
    const pushes: number[] = [];
    for (let i = 0; i < CHANGES; i++) {
      const target = i % 100;
      const sent = performance.now();
      const update = gql(
        a.url,
        'mutation($id: ID!, $t: Int!) { updateCampaign(id: $id, input: { serviceLevelTarget: $t }) { id } }',
        { id: campaignIds[0], t: target },
        { token: admin },
      );
      for (;;) {
        const event = await events.next(5_000);
        if (event.data?.campaignChanged.serviceLevelTarget === target) break;
      }
      pushes.push(performance.now() - sent);
      await update;
    }
    await client.dispose();
    results['campaignChanged across processes (update on A, event on B), ms'] = summary(pushes);
    results['memory RSS after the run, MB'] = {
      all: Math.round(await rssMb(a.child.pid!)),
      api: Math.round(await rssMb(b.child.pid!)),
    };
  } finally {
    // Wait for both to exit: a closing worker still writes to Redis, and cleanup must come after.
    await Promise.all(
      [a.child, b.child].map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGTERM');
          }),
      ),
    );
    await environment.cleanup();
  }

  console.log('\nParley benchmark (two processes, one MariaDB, one Redis)\n');
  for (const [name, value] of Object.entries(results))
    console.log(`${name.padEnd(70)} ${JSON.stringify(value)}`);
  writeFileSync(
    join(ROOT, 'bench/results.json'),
    JSON.stringify({ at: new Date().toISOString(), results }, null, 2) + '\n',
  );

  const misses = Object.entries(TARGETS).filter(([name, limit]) => {
    const entry = Object.entries(results).find(([key]) => key.startsWith(name));
    const p95 = (entry?.[1] as { p95?: number } | undefined)?.p95;
    return p95 === undefined || p95 > limit;
  });
  for (const [name, limit] of misses) console.log(`MISSED: ${name}: p95 over ${limit} ms`);
  process.exit(misses.length ? 1 : 0);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

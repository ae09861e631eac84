import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { eventually } from './graphql.js';
import { ROOT } from './server.js';

/** The built server (`npm run build:server`), run as its own OS process. */
export const BUILT_SERVER = join(ROOT, 'dist/server/server/src/main.js');

export interface ServerProcess {
  child: ChildProcess;
  baseUrl: string;
}

/** A free local port, for a server whose address (PUBLIC_URL, a proxy target) must be known first. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** Starts the built server with `env` and resolves once /health/ready answers (the port is free if not given). */
export async function startServerProcess(
  env: Record<string, string>,
  port?: number,
  readyWithinMs = 60_000,
): Promise<ServerProcess> {
  if (!existsSync(BUILT_SERVER)) {
    throw new Error('Build the server first (npm run build:server): this test runs dist/');
  }
  const listenOn = port ?? (await freePort());
  // SERVER_NODE_ARGS: flags for the server's node, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to
  // profile a bench run (node refuses those in NODE_OPTIONS).
  const nodeArgs = process.env.SERVER_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const child = spawn(process.execPath, [...nodeArgs, BUILT_SERVER], {
    env: { ...process.env, ...env, PORT: String(listenOn) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const baseUrl = `http://127.0.0.1:${listenOn}`;
  await eventually(async () => {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    return fetch(`${baseUrl}/health/ready`)
      .then((r) => r.ok)
      .catch(() => false);
  }, readyWithinMs);
  return { child, baseUrl };
}

/** Stops a server process (SIGTERM: a clean shutdown; SIGKILL: a crash) and resolves once it exited. */
export function stopServerProcess(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}

#!/usr/bin/env node
// `npm start`: builds Parley, makes sure MariaDB and Redis run, and starts Parley with demo data and
// the Messenger simulator beside it (playing Facebook), with zero configuration. Anything set in the
// environment wins over these defaults; a GRAPH_API_URL of your own (real Facebook) skips the simulator.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const run = (command, args) => {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
};

/**
 * The simulator signs webhooks with the app secret and Parley checks them with it, so both must
 * share it: take it (and the verify token) from the development secrets Parley keeps, creating them
 * here first if this is the first start. Same file and format as server/src/infrastructure/config/dev-secrets.ts.
 */
function sharedDevSecrets(names) {
  const file = join(root, '.parley/dev-secrets.json');
  let stored = {};
  try {
    stored = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    stored = {};
  }
  let changed = false;
  for (const name of names) {
    if (!stored[name]) {
      stored[name] = randomBytes(32).toString('base64url');
      changed = true;
    }
  }
  if (changed) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify(stored, null, 2), { mode: 0o600 });
  }
  return Object.fromEntries(names.map((name) => [name, stored[name]]));
}

run('bash', ['scripts/services.sh']);
if (process.env.PARLEY_SKIP_BUILD !== '1' || !existsSync(join(root, 'dist/server/server/src/main.js'))) {
  console.log('Building Parley (server and console)...');
  run('npm', ['run', 'build', '--silent']);
}

const port = process.env.PORT || '3000';
const simulatorPort = process.env.SIMULATOR_PORT || '3001';
const useSimulator = !process.env.GRAPH_API_URL;
const env = {
  ADMIN_USERNAME: 'admin',
  ADMIN_PASSWORD: 'lunar-teapot',
  DEMO_DATA: 'true',
  SCHEMA_FILE: 'server/schema.gql',
  ...(useSimulator
    ? {
        GRAPH_API_URL: `http://127.0.0.1:${simulatorPort}`,
        ...(process.env.FACEBOOK_APP_SECRET || process.env.FACEBOOK_VERIFY_TOKEN
          ? {}
          : sharedDevSecrets(['FACEBOOK_APP_SECRET', 'FACEBOOK_VERIFY_TOKEN'])),
      }
    : {}),
  ...process.env,
};

const children = [];
const start = (script, childEnv) => {
  const child = spawn(process.execPath, [script], { cwd: root, env: childEnv, stdio: 'inherit' });
  children.push(child);
  // One dies, both stop: a demo with half its parts is more confusing than no demo.
  child.on('exit', (code) => {
    for (const other of children) if (other !== child) other.kill('SIGTERM');
    process.exit(code ?? 0);
  });
  return child;
};

if (useSimulator) {
  start('dist/server/libs/messenger-simulator/main.js', {
    ...env,
    SIMULATOR_PORT: simulatorPort,
    SIMULATOR_WEBHOOK_URL: `http://127.0.0.1:${port}/webhooks/messenger`,
  });
}
console.log(`
  Parley is starting on http://localhost:${port}
  Sign in as admin / ${env.ADMIN_PASSWORD}  (also: supervisor / quiet-meadow-compass, agent1 / amber-river-kettle, agent2 / silver-canyon-otter)${
    useSimulator
      ? `
  Facebook is played by the Messenger simulator on http://localhost:${simulatorPort}: "Activate with Facebook"
  logs in there as Dana Demo; chat as a customer at http://localhost:${simulatorPort}/`
      : ''
  }
`);
start('dist/server/server/src/main.js', env);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    for (const child of children) child.kill(signal);
  });
}

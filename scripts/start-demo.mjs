#!/usr/bin/env node
// `npm start`: builds Parley, makes sure MariaDB and Redis run, and starts one process with demo
// data and zero configuration. Anything set in the environment wins over these defaults.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const run = (command, args) => {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
};

run('bash', ['scripts/services.sh']);
if (process.env.PARLEY_SKIP_BUILD !== '1' || !existsSync(join(root, 'dist/server/server/src/main.js'))) {
  console.log('Building Parley (server and console)...');
  run('npm', ['run', 'build', '--silent']);
}

const env = {
  ADMIN_USERNAME: 'admin',
  ADMIN_PASSWORD: 'lunar-teapot',
  DEMO_DATA: 'true',
  SCHEMA_FILE: 'server/schema.gql',
  ...process.env,
};
const port = env.PORT ?? '3000';
console.log(`
  Parley is starting on http://localhost:${port}
  Sign in as admin / ${env.ADMIN_PASSWORD}  (also: supervisor / quiet-meadow-compass, agent1 / amber-river-kettle, agent2 / silver-canyon-otter)
`);
const server = spawn(process.execPath, ['dist/server/server/src/main.js'], {
  cwd: root,
  env,
  stdio: 'inherit',
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.kill(signal));
server.on('exit', (code) => process.exit(code ?? 0));

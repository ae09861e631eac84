#!/usr/bin/env node
// `npm run schema`: rewrites server/schema.gql from the code-first schema. Boots the built server
// once on a throwaway database (the schema is emitted at start), then stops it and drops that database.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const build = spawnSync('npm', ['run', 'build:server', '--silent'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

const id = randomBytes(4).toString('hex');
const database = `parley_schema_${id}`;
const schemaFile = join(root, 'server/schema.gql');
const before = existsSync(schemaFile) ? statSync(schemaFile).mtimeMs : 0;
const server = spawn(process.execPath, ['dist/server/server/src/main.js'], {
  cwd: root,
  stdio: ['ignore', 'ignore', 'inherit'],
  env: {
    ...process.env,
    DATABASE_URL: `mysql://root@127.0.0.1:3306/${database}`,
    REDIS_PREFIX: `parley-schema-${id}`,
    PORT: '0',
    LOG_LEVEL: 'error',
    SCHEMA_FILE: schemaFile,
  },
});
const deadline = Date.now() + 60_000;
while (Date.now() < deadline && (!existsSync(schemaFile) || statSync(schemaFile).mtimeMs === before)) {
  if (server.exitCode !== null) break;
  await new Promise((r) => setTimeout(r, 200));
}
const written = existsSync(schemaFile) && statSync(schemaFile).mtimeMs !== before;
server.kill('SIGTERM');
await new Promise((r) => server.once('exit', r));
spawnSync('mysql', ['-h', '127.0.0.1', '-u', 'root', '-e', `DROP DATABASE IF EXISTS ${database}`]);
console.log(written ? 'server/schema.gql written' : 'the server did not write server/schema.gql');
process.exit(written ? 0 : 1);

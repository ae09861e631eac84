// `npm run bench`: what users feel, measured on one machine with one command. Prints a table,
// checks each target (PASS or MISS), writes bench/results.json, and exits non-zero on a miss.
//
// - api (this file): two built Parley processes (ROLE=all and ROLE=api) on a fresh database, and a
//   bare NestJS app as the baseline: sign-in, reading the campaign table, configuration changes
//   reaching a supervisor connected to the other process, throughput side by side with the bare
//   route, and memory under load.
// - ingest, push, conversations, sockets (bench/ingest.ts): Messenger webhooks to routed offers and
//   messages on agents' sockets.
//
// BENCH_ONLY=api,ingest,push,conversations,sockets runs some of them (all by default).
import { writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { createUser, gql, login, subscribe, wsClient } from '../test/support/graphql.js';
import { freePort, startServerProcess } from '../test/support/processes.js';
import { ROOT, testEnvironment } from '../test/support/server.js';
import { conversationsScenario, idleSocketsScenario, ingestScenario, pushScenario } from './ingest.js';
import {
  type Check,
  check,
  load,
  type LoadRequest,
  peakRss,
  rssMb,
  startBare,
  stopAll,
  summary,
  timed,
} from './support.js';

const CAMPAIGNS = 20;
const AGENTS = 40;
const READERS = 20;
const READS_PER_READER = 50;
const CHANGES = 100;

/** Latency targets in milliseconds (p95). */
const LATENCY_TARGETS: Record<string, number> = {
  'campaign table read, one reader': 50,
  'campaignChanged across processes': 100,
};
/** Throughput targets (issue 12, section 7). */
const LOAD_SECONDS = 8;
const ME_RATIO_MIN = 0.35;
const ME_P99_MAX_MS = 50;
const TABLE_READS_MIN = 400;
const TABLE_P95_MAX_MS = 50;
const RSS_MAX_MB = 350;
const TABLE =
  '{ campaigns { id name channel strategy enabled isOpenNow tokenStatus pageName cannedResponses { id title } members { penalty position receivesInteractions user { id displayName } } } }';

const graphqlPost = (query: string, headers: Record<string, string>): LoadRequest => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify({ query }),
});

/** The API scenario: sign-in, the campaign table, events across processes, throughput, memory. */
async function apiScenario(results: Record<string, unknown>, checks: Check[]) {
  const environment = testEnvironment();
  const env = { ...environment.env, LOG_LEVEL: 'error' };
  const [a, b] = await Promise.all([
    startServerProcess({ ...env, ROLE: 'all' }),
    startServerProcess({ ...env, ROLE: 'api' }),
  ]);
  const baseline = await startBare(await freePort());
  try {
    const admin = await login(a.baseUrl, environment.env.ADMIN_USERNAME, environment.env.ADMIN_PASSWORD);

    const signIns: number[] = [];
    for (let i = 0; i < 20; i++)
      signIns.push(
        (
          await timed(() => login(a.baseUrl, environment.env.ADMIN_USERNAME, environment.env.ADMIN_PASSWORD))
        )[0],
      );
    results['sign-in (argon2id), ms'] = summary(signIns);

    const agents = [];
    for (let i = 0; i < AGENTS; i++)
      agents.push(await createUser(a.baseUrl, admin, { username: `bench.agent${i}`, role: 'AGENT' }));
    const campaignIds: string[] = [];
    for (let i = 0; i < CAMPAIGNS; i++) {
      const created = await gql<{ createCampaign: { id: string } }>(
        a.baseUrl,
        'mutation($i: CampaignInput!) { createCampaign(input: $i) { id } }',
        { i: { name: `Bench ${i}`, cannedResponses: [{ title: 'Hi', text: 'Hello!' }] } },
        { token: admin },
      );
      campaignIds.push(created.data!.createCampaign.id);
    }
    await gql(
      a.baseUrl,
      'mutation($c: [ID!]!, $u: [ID!]!) { addCampaignMembers(campaignIds: $c, userIds: $u) { id } }',
      { c: campaignIds, u: agents.map((x) => x.id) },
      { token: admin },
    );

    const single: number[] = [];
    for (let i = 0; i < 100; i++)
      single.push((await timed(() => gql(b.baseUrl, TABLE, {}, { token: admin })))[0]);
    results['campaign table read, one reader, ms'] = summary(single);

    const reads: number[] = [];
    const wall = performance.now();
    await Promise.all(
      Array.from({ length: READERS }, async () => {
        for (let i = 0; i < READS_PER_READER; i++) {
          const [ms, result] = await timed(() => gql(b.baseUrl, TABLE, {}, { token: admin }));
          if (result.errors) throw new Error(JSON.stringify(result.errors));
          reads.push(ms);
        }
      }),
    );
    results['campaign table read (20 campaigns, 40 members each), ms'] = summary(reads);
    results['campaign table reads per second (20 concurrent readers)'] = Math.round(
      (reads.length / (performance.now() - wall)) * 1000,
    );

    const { client } = wsClient(`${b.baseUrl.replace('http', 'ws')}/graphql`, {
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
        a.baseUrl,
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

    // Throughput side by side, on process B (ROLE=api), one load at a time.
    const created = await gql<{ createApiKey: { key: string } }>(
      a.baseUrl,
      'mutation { createApiKey(name: "bench", role: SUPERVISOR) { key } }',
      {},
      { token: admin },
    );
    const apiKey = created.data!.createApiKey.key;
    const pid = b.child.pid!;
    results['RSS of the api process before the loads, MB'] = Math.round(await rssMb(pid));
    const bare = await load(`${baseline.url}/bare`, 32, LOAD_SECONDS);
    const [rssMe, me] = await peakRss(pid, () =>
      load(
        `${b.baseUrl}/graphql`,
        32,
        LOAD_SECONDS,
        graphqlPost('{ me { id role } }', { authorization: `Bearer ${admin}` }),
      ),
    );
    const [rssKey, withKey] = await peakRss(pid, () =>
      load(
        `${b.baseUrl}/graphql`,
        32,
        LOAD_SECONDS,
        graphqlPost('{ campaigns { id name } }', { 'x-api-key': apiKey }),
      ),
    );
    const [rssTable, table] = await peakRss(pid, () =>
      load(
        `${b.baseUrl}/graphql`,
        READERS,
        LOAD_SECONDS,
        graphqlPost(TABLE, { authorization: `Bearer ${admin}` }),
      ),
    );
    results['bare NestJS route, 32 connections'] = bare;
    const ratioOf = (rate: number) => +(rate / bare.requestsPerSecond).toFixed(2);
    results['me with a JWT, 32 connections'] = {
      ...me,
      peakRssMb: rssMe,
      ratioToBare: ratioOf(me.requestsPerSecond),
    };
    results['campaigns with an API key, 32 connections'] = {
      ...withKey,
      peakRssMb: rssKey,
      ratioToBare: ratioOf(withKey.requestsPerSecond),
    };
    results['campaign table, 20 readers'] = {
      ...table,
      peakRssMb: rssTable,
      ratioToBare: ratioOf(table.requestsPerSecond),
    };
    const rssPeak = Math.max(rssMe, rssKey, rssTable);
    results['peak RSS of the api process under load, MB'] = rssPeak;
    results['memory RSS after the run, MB'] = {
      all: Math.round(await rssMb(a.child.pid!)),
      api: Math.round(await rssMb(pid)),
    };

    for (const [name, limit] of Object.entries(LATENCY_TARGETS)) {
      const p95 = (
        Object.entries(results).find(([key]) => key.startsWith(name))?.[1] as { p95?: number } | undefined
      )?.p95;
      checks.push(check(`${name} p95`, `< ${limit} ms`, `${p95} ms`, p95 !== undefined && p95 <= limit));
    }
    checks.push(
      check(
        'me / bare route',
        `>= ${ME_RATIO_MIN}`,
        String(ratioOf(me.requestsPerSecond)),
        ratioOf(me.requestsPerSecond) >= ME_RATIO_MIN,
      ),
      check('me p99', `< ${ME_P99_MAX_MS} ms`, `${me.p99} ms`, me.p99 <= ME_P99_MAX_MS),
      check(
        'campaign table reads, 20 readers',
        `>= ${TABLE_READS_MIN}/s`,
        `${table.requestsPerSecond}/s`,
        table.requestsPerSecond >= TABLE_READS_MIN,
      ),
      check(
        'campaign table p95 (checked at p97.5), 20 readers',
        `< ${TABLE_P95_MAX_MS} ms`,
        `${table.p97_5} ms`,
        table.p97_5 <= TABLE_P95_MAX_MS,
      ),
      check('api process RSS under load', `< ${RSS_MAX_MB} MB`, `${rssPeak} MB`, rssPeak <= RSS_MAX_MB),
      check(
        'failed requests under load (me, campaigns, table)',
        '0',
        String(me.errors + withKey.errors + table.errors),
        me.errors + withKey.errors + table.errors === 0,
      ),
    );
  } finally {
    // Wait for every process to exit: a closing worker still writes to Redis, and cleanup must come after.
    await stopAll([a.child, b.child, baseline.child]);
    await environment.cleanup();
  }
}

const SCENARIOS: Record<string, (results: Record<string, unknown>, checks: Check[]) => Promise<void>> = {
  api: apiScenario,
  ingest: ingestScenario,
  push: pushScenario,
  conversations: conversationsScenario,
  sockets: idleSocketsScenario,
};

async function main() {
  const only = process.env.BENCH_ONLY?.split(',').map((s) => s.trim());
  const unknown = only?.filter((name) => !SCENARIOS[name]);
  if (unknown?.length) throw new Error(`BENCH_ONLY: unknown ${unknown.join(', ')}`);
  const results: Record<string, unknown> = {};
  const checks: Check[] = [];
  // Everything shares this machine; what else ran on it is part of the numbers.
  const machine = {
    cpus: `${cpus().length} x ${cpus()[0]?.model ?? 'unknown'}`,
    memoryGb: Math.round(totalmem() / 2 ** 30),
    loadAverageAtStart: loadavg().map((l) => +l.toFixed(1)),
  };
  for (const [name, scenario] of Object.entries(SCENARIOS)) {
    if (only && !only.includes(name)) continue;
    const started = performance.now();
    await scenario(results, checks);
    console.log(`bench: ${name} done in ${Math.round((performance.now() - started) / 1000)} s`);
  }

  results.machine = { ...machine, loadAverageAtEnd: loadavg().map((l) => +l.toFixed(1)) };

  console.log('\nParley benchmark (load generator, Parley, MariaDB and Redis on one machine)\n');
  for (const [name, value] of Object.entries(results))
    console.log(`${name.padEnd(80)} ${typeof value === 'string' ? value : JSON.stringify(value)}`);
  console.log('\nTargets\n');
  for (const c of checks)
    console.log(`${c.pass ? 'PASS' : 'MISS'}  ${c.name.padEnd(60)} ${c.actual} (target ${c.target})`);
  writeFileSync(
    join(ROOT, 'bench/results.json'),
    JSON.stringify({ at: new Date().toISOString(), results, checks }, null, 2) + '\n',
  );
  process.exit(checks.every((c) => c.pass) ? 0 : 1);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

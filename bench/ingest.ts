// The ingest and routing part of `npm run bench` (issue 14), four scenarios, each on its own built
// Parley process (ROLE=all, the default) with a fresh database and a Messenger simulator playing
// Facebook's Graph API (page connection, customer profiles):
//
// 1. Ingest: signed webhooks POSTed straight to /webhooks/messenger, first at rising fixed rates
//    (fractions of the bare NestJS route's rate, measured just before on the same box), then closed
//    loop at the bare route's concurrency. Then: how long until the backlog is processed and routed,
//    and whether every acknowledged mid became exactly one stored message.
// 2. Push: hundreds of agents connected over graphql-ws and AVAILABLE accept and close what they
//    are offered; every webhook is a new customer, at rising rates; the time from the webhook POST
//    to the OFFERED on the agent's socket.
// 3. Conversations: the same agents keep the chats they accept; their customers write at the
//    target's rate, one event in ten a new chat; webhook POST to MESSAGE (or OFFERED).
// 4. Idle sockets: thousands of signed-in agents subscribed to inboxChanged on one process, and
//    what they cost in memory (RSS) each.
//
// Agents are inserted with SQL (one password hash for all) and given access tokens signed with the
// run's JWT_SECRET, as sign-in would issue them: sign-in itself is measured by run.ts.
// Scale any scenario down with the BENCH_* variables below (e.g. while developing on a busy box).
import * as argon2 from 'argon2';
import { type Client, createClient } from 'graphql-ws';
import { Redis } from 'ioredis';
import jsonwebtoken from 'jsonwebtoken';
import { type Connection, createConnection } from 'mysql2/promise';
import { execFileSync } from 'node:child_process';
import { createHmac, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import WebSocket from 'ws';
import { SEED, type Simulator, startSimulator } from '../libs/messenger-simulator/simulator.js';
import { parseDatabaseUrl } from '../server/src/infrastructure/database/database.js';
import { ALWAYS_OPEN, createCampaign } from '../test/support/campaigns.js';
import { FACEBOOK_APP_ID } from '../test/support/facebook.js';
import { eventually, gql, type GqlResult, login } from '../test/support/graphql.js';
import {
  freePort,
  type ServerProcess,
  startServerProcess,
  stopServerProcess,
} from '../test/support/processes.js';
import { TEST_REDIS, testEnvironment, type TestEnvironment } from '../test/support/server.js';
import {
  type Check,
  check,
  cpuMs,
  load,
  paced,
  type PacedRequest,
  type PacedResult,
  rssMb,
  sleep,
  startBare,
  stopAll,
  summary,
} from './support.js';

const setting = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const DEBIAN_MARIADB_SOCKET = '/run/mysqld/mysqld.sock';

/** Seconds of each load stage of the ingest scenario (and of the bare route before it). */
const STAGE_SECONDS = setting('BENCH_INGEST_SECONDS', 5);
/** Distinct customers writing in the ingest scenario (each message goes to the next one, round robin). */
const CUSTOMERS = setting('BENCH_CUSTOMERS', 5_000);
/** The rising rates of the ingest scenario, as fractions of the bare route's rate. */
const STAGES = [0.1, 0.2, 0.35];
/** Concurrency of the closed-loop stage and of the bare route: run.ts's throughput loads use 32 too. */
const CONNECTIONS = 32;
/** AVAILABLE agents during ingest (capacity 2 each): the first conversations are offered, the rest queue. */
const INGEST_AGENTS = 20;
/** How long to wait for the ingest backlog before giving up (the target is 5 s). */
const DRAIN_WAIT_SECONDS = setting('BENCH_DRAIN_WAIT_SECONDS', 60);
const PUSH_AGENTS = setting('BENCH_AGENTS', 500);
const PUSH_RATE = setting('BENCH_PUSH_RATE', 200);
const PUSH_SECONDS = setting('BENCH_PUSH_SECONDS', 10);
/** The first seconds of each push stage warm up and are not measured. */
const PUSH_WARMUP_SECONDS = 2;
/** Before the target's rate, a low one: the push path when nothing queues. */
const PUSH_LOW_RATE = setting('BENCH_PUSH_LOW_RATE', 20);
/** Between the two, where one process on two shared cores stops keeping up (the README's knee). */
const PUSH_MID_RATE = setting('BENCH_PUSH_MID_RATE', 50);
const PUSH_LOW_SECONDS = 5;
/**
 * The conversations scenario: customers already talking to agents write at PUSH_RATE events/s, and
 * one event in MIX_NEW_EVERY starts a new conversation (a contact center's usual mix: most events
 * are messages in a chat an agent holds, not new chats).
 */
const MIX_NEW_EVERY = setting('BENCH_MIX_NEW_EVERY', 10);
const IDLE_SOCKETS = setting('BENCH_IDLE_SOCKETS', 5_000);
/**
 * Parley reaches MariaDB through its Unix socket, as a one-machine install would (cheaper per query
 * than TCP over loopback): Debian's, or BENCH_DB_SOCKET's; BENCH_DB_SOCKET= (empty) for TCP.
 */
const SOCKET =
  process.env.BENCH_DB_SOCKET ?? (existsSync(DEBIAN_MARIADB_SOCKET) ? DEBIAN_MARIADB_SOCKET : '');
/** BENCH_SPLIT=1: Parley as an API process and a worker process instead of one ROLE=all. */
const SPLIT = process.env.BENCH_SPLIT === '1';

/** Targets of issue 14 ("Benchmark"), for a 2-core machine. */
const INGEST_RATIO_MIN = 0.35;
const ACK_P99_MAX_MS = 50;
const DRAIN_MAX_SECONDS = 5;
const PUSH_P50_MAX_MS = 20;
const PUSH_P99_MAX_MS = 100;
const SOCKET_KB_MAX = 50;

const BAKERY = SEED.pages.bakery;
const INBOX =
  'subscription { inboxChanged { kind interaction { id status contact { psid } } message { text } } }';
type InboxEvent = {
  inboxChanged: {
    kind: string;
    interaction: { id: string; contact: { psid: string } };
    message: { text: string | null } | null;
  };
};

/** A Parley process on a fresh database, wired to a simulator, with one Messenger campaign on the bakery page. */
interface Bed {
  environment: TestEnvironment;
  sim: Simulator;
  /** The process taking webhooks, GraphQL and sockets (ROLE=all, or api when SPLIT). */
  parley: ServerProcess;
  /** Every Parley process (with the worker when SPLIT), for CPU and memory. */
  pids: number[];
  db: Connection;
  redis: Redis;
  admin: string;
  campaignId: string;
  voiceId: string;
  wsUrl: string;
  stop(): Promise<void>;
}

async function startBed(capacity: number, env: Record<string, string> = {}): Promise<Bed> {
  const environment = testEnvironment();
  const { FACEBOOK_APP_SECRET: appSecret, FACEBOOK_VERIFY_TOKEN: verifyToken } = environment.env;
  const sim = await startSimulator({ port: 0, appId: FACEBOOK_APP_ID, appSecret, verifyToken, seed: 'demo' });
  const parleyEnv = {
    ...environment.env,
    ...(SOCKET ? { DATABASE_URL: `${environment.databaseUrl}?socket=${SOCKET}` } : {}),
    GRAPH_API_URL: sim.url,
    FACEBOOK_APP_ID,
    LOG_LEVEL: 'error',
    // Agents connect and leave in bulk; nobody should go OFFLINE in the middle of a measure.
    PRESENCE_GRACE_SECONDS: '600',
    ...env,
  };
  // SPLIT: webhooks, GraphQL and sockets on one process, jobs on another (docs/deploy.md), so
  // acknowledging and pushing never wait behind the job backlog; else one ROLE=all process.
  const parley = await startServerProcess({ ...parleyEnv, ...(SPLIT ? { ROLE: 'api' } : {}) });
  const worker = SPLIT ? await startServerProcess({ ...parleyEnv, ROLE: 'worker' }) : null;
  const admin = await login(parley.baseUrl, environment.env.ADMIN_USERNAME, environment.env.ADMIN_PASSWORD);
  const campaignId = (
    await createCampaign(parley.baseUrl, admin, {
      name: 'Bakery',
      channel: 'MESSENGER',
      strategy: 'LEASTRECENT',
      maxInteractionsPerAgent: capacity,
      thresholds: { serviceLevelSeconds: 20, dropoutSeconds: 3600, chatTimeSeconds: 600, acdMaxWaiting: 5 },
      // Open whenever the bench runs: a closed campaign holds its chats QUEUED.
      schedule: ALWAYS_OPEN,
    })
  ).id;
  // Membership of a VOICE campaign is what makes an agent receive interactions (docs/routing.md).
  const voiceId = (await createCampaign(parley.baseUrl, admin, { name: 'Phones', channel: 'VOICE' })).id;
  const connected = await gql(
    parley.baseUrl,
    'mutation($c: ID!, $p: String!, $t: String!) { connectFacebookPage(campaignId: $c, pageId: $p, pageAccessToken: $t) { id } }',
    { c: campaignId, p: BAKERY.id, t: BAKERY.token },
    { token: admin },
  );
  if (connected.errors) throw new Error(`connectFacebookPage: ${JSON.stringify(connected.errors)}`);
  const { database, ...server } = parseDatabaseUrl(environment.databaseUrl);
  const db = await createConnection({ ...server, database, timezone: 'Z' });
  const redis = new Redis(TEST_REDIS);
  return {
    environment,
    sim,
    parley,
    pids: [parley.child.pid!, ...(worker ? [worker.child.pid!] : [])],
    db,
    redis,
    admin,
    campaignId,
    voiceId,
    wsUrl: `${parley.baseUrl.replace('http', 'ws')}/graphql`,
    async stop() {
      redis.disconnect();
      await db.end();
      await stopServerProcess(parley.child);
      if (worker) await stopServerProcess(worker.child);
      await sim.close();
      await environment.cleanup();
    },
  };
}

/** CPU milliseconds spent so far by every Parley process of the bed. */
async function cpuOf(bed: Bed): Promise<number> {
  let total = 0;
  for (const pid of bed.pids) total += await cpuMs(pid);
  return total;
}

async function rows<T>(db: Connection, sql: string, params: unknown[] = []): Promise<T[]> {
  const [result] = await db.query(sql, params);
  return result as T[];
}

/** Runs `work` over `items`, at most `limit` at a time. */
async function eachLimited<T>(items: T[], limit: number, work: (item: T, i: number) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        await work(items[i], i);
      }
    }),
  );
}

/** `count` active agents, inserted in bulk; returns their ids. */
async function insertAgents(bed: Bed, count: number, prefix: string): Promise<string[]> {
  const hash = await argon2.hash(randomUUID(), { type: argon2.argon2id });
  const ids = Array.from({ length: count }, () => randomUUID());
  for (let start = 0; start < count; start += 1_000) {
    const batch = ids.slice(start, start + 1_000);
    await bed.db.query('INSERT INTO users (id, username, displayName, role, passwordHash) VALUES ?', [
      batch.map((id, i) => [id, `${prefix}${start + i}`, `Agent ${start + i}`, 'AGENT', hash]),
    ]);
  }
  return ids;
}

/** An access token as sign-in issues it (HS256, subject and session version, an expiry). */
const accessToken = (bed: Bed, userId: string) =>
  jsonwebtoken.sign({ sub: userId, sv: 0 }, bed.environment.env.JWT_SECRET, {
    algorithm: 'HS256',
    expiresIn: 3600,
  });

async function addMembers(bed: Bed, userIds: string[]) {
  const added = await gql(
    bed.parley.baseUrl,
    'mutation($c: [ID!]!, $u: [ID!]!) { addCampaignMembers(campaignIds: $c, userIds: $u) { id } }',
    { c: [bed.campaignId, bed.voiceId], u: userIds },
    { token: bed.admin },
  );
  if (added.errors) throw new Error(`addCampaignMembers: ${JSON.stringify(added.errors)}`);
}

async function setAvailable(bed: Bed, tokens: string[]) {
  await eachLimited(tokens, 16, async (token) => {
    const r = await gql(
      bed.parley.baseUrl,
      'mutation { setPresence(presence: AVAILABLE) { id } }',
      {},
      { token },
    );
    if (r.errors) throw new Error(`setPresence: ${JSON.stringify(r.errors)}`);
  });
}

/** A graphql-ws connection as an agent's browser opens it, subscribed to inboxChanged; resolves once connected. */
function agentSocket(
  bed: Bed,
  token: string,
  onEvent: (event: GqlResult<InboxEvent>) => void,
  onTrouble: (what: string) => void,
): Promise<Client> {
  return new Promise((resolve, reject) => {
    let connected = false;
    const client = createClient({
      url: bed.wsUrl,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${token}` },
      lazy: false,
      retryAttempts: 0,
      onNonLazyError: reject,
      on: {
        connected: () => {
          connected = true;
          resolve(client);
        },
        closed: (event) => {
          if (connected) onTrouble(`socket closed: ${(event as { code?: number }).code}`);
        },
      },
    });
    client.subscribe<InboxEvent>(
      { query: INBOX },
      {
        next: (event) => onEvent(event as GqlResult<InboxEvent>),
        error: (error) => onTrouble(`subscription error: ${JSON.stringify(error)}`),
        complete: () => undefined,
      },
    );
  });
}

/** How many agents this process has subscribed to their inbox topic in Redis (one channel per agent). */
async function inboxSubscriptions(bed: Bed): Promise<number> {
  const channels = (await bed.redis.pubsub(
    'CHANNELS',
    `${bed.environment.redisPrefix}:events:inbox.changed:*`,
  )) as string[];
  return channels.length;
}

/** A Messenger webhook with one text message, as Meta sends it, and its signature headers. */
function signedWebhook(secret: string, psid: string, mid: string, text: string) {
  const timestamp = Date.now();
  const body = Buffer.from(
    JSON.stringify({
      object: 'page',
      entry: [
        {
          id: BAKERY.id,
          time: timestamp,
          messaging: [
            {
              sender: { id: psid },
              recipient: { id: BAKERY.id },
              timestamp,
              message: { mid, text },
            },
          ],
        },
      ],
    }),
  );
  const signature = `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
  return { body, headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature } };
}

const customers = (sim: Simulator, count: number, prefix: string) =>
  Array.from({ length: count }, (_, i) => sim.addCustomer(BAKERY.id, `${prefix} ${i}`).psid);

/** Nothing routing still has to do: no routing job waiting or running (delayed ones are timeouts). */
const routingIdle = (bed: Bed) => queueIdle(bed, 'routing');

/** No job of the queue waiting or running (delayed ones are timeouts and retries for later). */
async function queueIdle(bed: Bed, queue: string): Promise<boolean> {
  const base = `${bed.environment.redisPrefix}:bull:${queue}`;
  const [wait, active, prioritized] = await Promise.all([
    bed.redis.llen(`${base}:wait`),
    bed.redis.llen(`${base}:active`),
    bed.redis.zcard(`${base}:prioritized`),
  ]);
  return wait + active + prioritized === 0;
}

/** CPU milliseconds so far of MariaDB, Redis and this load generator: what Parley shares the cores with. */
async function othersCpu(): Promise<Record<string, number>> {
  const of = async (program: string) => {
    let total = 0;
    for (const pid of pidsOf(program)) total += await cpuMs(pid).catch(() => 0);
    return total;
  };
  const { user, system } = process.cpuUsage();
  return {
    mariadb: await of('mariadbd'),
    redis: await of('redis-server'),
    loadGenerator: (user + system) / 1000,
  };
}

const pidsOf = (program: string): number[] => {
  try {
    return execFileSync('pidof', [program], { encoding: 'utf8' }).trim().split(/\s+/).map(Number);
  } catch {
    return []; // not running here (a remote database)
  }
};

/** Statements MariaDB has run since it started, from every client (a few are the bench's own). */
async function statements(bed: Bed): Promise<number> {
  const [row] = await rows<{ Value: string }>(bed.db, "SHOW GLOBAL STATUS LIKE 'Questions'");
  return Number(row.Value);
}

async function pendingDeliveries(bed: Bed): Promise<number> {
  const [{ n }] = await rows<{ n: number }>(
    bed.db,
    "SELECT COUNT(*) AS n FROM webhook_deliveries WHERE status = 'PENDING'",
  );
  return Number(n);
}

const stageRow = (r: PacedResult) => ({
  offeredPerSecond: r.offeredPerSecond,
  achievedPerSecond: r.achievedPerSecond,
  p50: r.latency.p50,
  p99: r.latency.p99,
  max: r.latency.max,
  errors: r.errors,
});

/** Scenario 1: webhooks at rising rates, then closed loop; the backlog drain; nothing lost. */
export async function ingestScenario(results: Record<string, unknown>, checks: Check[]) {
  const bed = await startBed(2, { OFFER_TIMEOUT_SECONDS: '3600' });
  try {
    const agents = await insertAgents(bed, INGEST_AGENTS, 'ingest.agent');
    await addMembers(bed, agents);
    await setAvailable(
      bed,
      agents.map((id) => accessToken(bed, id)),
    );
    const psids = customers(bed.sim, CUSTOMERS, 'Customer');
    const secret = bed.environment.env.FACEBOOK_APP_SECRET;
    let built = 0;
    const acked = new Set<number>();
    const nextWebhook = () => {
      const n = built++;
      return { n, ...signedWebhook(secret, psids[n % psids.length], `m_bench_${n}`, `Hello ${n}`) };
    };

    const bare = await startBare(await freePort());
    let baseline;
    try {
      baseline = await load(`${bare.url}/bare`, CONNECTIONS, STAGE_SECONDS);
    } finally {
      await stopAll([bare.child]);
    }
    results[`ingest: bare NestJS route, ${CONNECTIONS} connections`] = baseline;

    const url = `${bed.parley.baseUrl}/webhooks/messenger`;
    const cpuBefore = await cpuOf(bed);
    const loadStarted = performance.now();
    const stages: { share: number; result: PacedResult }[] = [];
    for (const share of STAGES) {
      const rate = Math.max(20, Math.round(share * baseline.requestsPerSecond));
      const ns: number[] = [];
      const result = await paced(
        url,
        rate,
        STAGE_SECONDS,
        (i) => {
          const { n, body, headers } = nextWebhook();
          ns[i] = n;
          return { body, headers };
        },
        (i, status) => {
          if (status === 200) acked.add(ns[i]);
        },
      );
      stages.push({ share, result });
      results[`ingest: webhooks at ${share} x bare = ${rate}/s (open loop), ms`] = stageRow(result);
    }
    const closed = await load(url, CONNECTIONS, STAGE_SECONDS, {
      requests: [
        {
          // One request in flight per connection: the context holds the mid of the one being sent.
          setupRequest: (request, context) => {
            const { n, body, headers } = nextWebhook();
            (context as { n?: number }).n = n;
            return { ...request, method: 'POST', path: '/webhooks/messenger', body, headers };
          },
          onResponse: (status, _body, context) => {
            if (status === 200) acked.add((context as { n: number }).n);
          },
        },
      ],
    });
    const loadEnded = performance.now();
    const ratio = +(closed.requestsPerSecond / baseline.requestsPerSecond).toFixed(2);
    results[`ingest: webhooks, ${CONNECTIONS} connections (closed loop)`] = { ...closed, ratioToBare: ratio };

    // Drained: every delivery processed and no routing job waiting or running, seen twice in a row
    // (a pass may enqueue the next); the time is that of the first of the two.
    let drainedAfter: number | null = null;
    let idleSince: number | null = null;
    while (performance.now() - loadEnded < DRAIN_WAIT_SECONDS * 1000) {
      const seenAt = performance.now();
      const idle = (await pendingDeliveries(bed)) === 0 && (await routingIdle(bed));
      if (idle && idleSince !== null) {
        drainedAfter = (idleSince - loadEnded) / 1000;
        break;
      }
      idleSince = idle ? seenAt : null;
      await sleep(100);
    }
    const [processing] = await rows<{ processed: number; seconds: number }>(
      bed.db,
      `SELECT COUNT(*) AS processed,
              TIMESTAMPDIFF(MICROSECOND, MIN(receivedAt), MAX(processedAt)) / 1e6 AS seconds
         FROM webhook_deliveries WHERE status = 'PROCESSED'`,
    );
    const processedPerSecond = Math.round(Number(processing.processed) / Number(processing.seconds));
    // What the Parley process spent in CPU, whatever else the machine was doing: per event (when
    // everything was processed; acks of what was not are counted too otherwise) and in cores.
    const cpuSpent = (await cpuOf(bed)) - cpuBefore;
    const cpu = {
      msPerProcessedEvent: +(cpuSpent / Number(processing.processed)).toFixed(2),
      coresUsed: +(cpuSpent / (performance.now() - loadStarted)).toFixed(2),
    };
    const left = await pendingDeliveries(bed);
    results['ingest: backlog processed and routed after the load stopped, s'] =
      drainedAfter === null
        ? `not within ${DRAIN_WAIT_SECONDS} s (${left} deliveries still PENDING)`
        : +drainedAfter.toFixed(1);
    results['ingest: deliveries processed per second (first received to last processed)'] =
      processedPerSecond;
    results['ingest: CPU of the Parley process, load start to drained'] = cpu;

    // Nothing lost: every acknowledged mid is one stored message or, when the backlog outlasted the
    // wait, still inside a stored delivery waiting to be processed (durable, so not lost).
    const midNumber = (mid: string) => Number(mid.slice('m_bench_'.length));
    // Deliveries first: one processed between the two reads has its message stored by then.
    const waiting = new Set<number>();
    const failed = new Set<number>();
    for (const { body, status } of await rows<{ body: Buffer; status: string }>(
      bed.db,
      "SELECT body, status FROM webhook_deliveries WHERE status <> 'PROCESSED'",
    )) {
      for (const [, mid] of body.toString('utf8').matchAll(/"mid":"([^"]+)"/g))
        (status === 'PENDING' ? waiting : failed).add(midNumber(mid));
    }
    const stored = await rows<{ mid: string; n: number }>(
      bed.db,
      "SELECT mid, COUNT(*) AS n FROM messages WHERE direction = 'INBOUND' GROUP BY mid",
    );
    const storedNs = new Set(stored.map((m) => midNumber(m.mid)));
    const duplicated = stored.filter((m) => Number(m.n) > 1).length;
    const notStored = [...acked].filter((n) => !storedNs.has(n));
    const inFailed = notStored.filter((n) => failed.has(n)).length;
    const lost = notStored.filter((n) => !waiting.has(n) && !failed.has(n)).length;
    const statuses = await rows<{ status: string; n: number }>(
      bed.db,
      'SELECT status, COUNT(*) AS n FROM interactions GROUP BY status',
    );
    const errors = closed.errors + stages.reduce((sum, s) => sum + s.result.errors, 0);
    results['ingest: messages'] = {
      posted: built,
      acknowledged: acked.size,
      storedAsMessages: stored.length,
      stillInPendingDeliveries: notStored.length - lost - inFailed,
      inFailedDeliveries: inFailed,
      lost,
      duplicated,
      errors,
      retriedDeliveries: await retried(bed),
      interactions: Object.fromEntries(statuses.map((s) => [s.status, Number(s.n)])),
    };

    checks.push(
      check(
        'webhook ingest rate / bare route',
        `>= ${INGEST_RATIO_MIN}`,
        `${ratio} (${closed.requestsPerSecond}/s vs ${baseline.requestsPerSecond}/s)`,
        ratio >= INGEST_RATIO_MIN,
      ),
    );
    const atTarget = stages.find((s) => s.share === INGEST_RATIO_MIN)!.result;
    checks.push(
      check(
        `webhook ack p99 at ${INGEST_RATIO_MIN} x bare (${atTarget.offeredPerSecond}/s)`,
        `< ${ACK_P99_MAX_MS} ms, rate kept, no errors`,
        `${atTarget.latency.p99} ms, ${atTarget.achievedPerSecond}/s, ${atTarget.errors} errors`,
        atTarget.latency.p99! < ACK_P99_MAX_MS &&
          atTarget.achievedPerSecond >= 0.95 * atTarget.offeredPerSecond &&
          atTarget.errors === 0,
      ),
    );
    checks.push(
      check(
        'webhook ack p99, closed loop',
        `< ${ACK_P99_MAX_MS} ms`,
        `${closed.p99} ms`,
        closed.p99 < ACK_P99_MAX_MS,
      ),
    );
    checks.push(
      check(
        'nothing lost (each acknowledged mid stored once)',
        '0 lost, 0 duplicated',
        `${lost} lost, ${inFailed} in FAILED deliveries, ${duplicated} duplicated of ${acked.size}` +
          (notStored.length > lost + inFailed
            ? ` (${notStored.length - lost - inFailed} still waiting in stored deliveries)`
            : ''),
        lost === 0 && inFailed === 0 && duplicated === 0,
      ),
    );
    checks.push(
      check(
        'ingest backlog processed and routed after the load',
        `<= ${DRAIN_MAX_SECONDS} s`,
        drainedAfter === null ? `over ${DRAIN_WAIT_SECONDS} s` : `${drainedAfter.toFixed(1)} s`,
        drainedAfter !== null && drainedAfter <= DRAIN_MAX_SECONDS,
      ),
    );
  } finally {
    await bed.stop();
  }
}

/** Deliveries whose processing failed at least once and was retried (deadlocks, timeouts...). */
async function retried(bed: Bed): Promise<number> {
  const [{ n }] = await rows<{ n: number }>(
    bed.db,
    'SELECT COUNT(*) AS n FROM webhook_deliveries WHERE attempts > 0',
  );
  return Number(n);
}

/**
 * The push path in steps, from the rows' own timestamps, for the deliveries after `afterId`:
 * stored -> picked up (processedAt: set when the transaction applying it begins), and their
 * interactions queued -> first offered.
 */
async function pushStages(bed: Bed, afterId: number) {
  const spans = async (sql: string) =>
    summary((await rows<{ ms: number }>(bed.db, sql, [afterId])).map((r) => Number(r.ms)));
  const processed = await spans(
    `SELECT TIMESTAMPDIFF(MICROSECOND, receivedAt, processedAt) / 1000 AS ms
       FROM webhook_deliveries WHERE id > ? AND processedAt IS NOT NULL`,
  );
  const offered = await spans(
    `SELECT TIMESTAMPDIFF(MICROSECOND, i.queuedAt, MIN(o.offeredAt)) / 1000 AS ms
       FROM interactions i JOIN interaction_offers o ON o.interactionId = i.id
      WHERE i.queuedAt >= (SELECT MIN(receivedAt) FROM webhook_deliveries WHERE id > ?)
      GROUP BY i.id`,
  );
  return { storedToPickedUp: processed, queuedToOffered: offered };
}

async function lastDeliveryId(bed: Bed): Promise<number> {
  const [{ id }] = await rows<{ id: number | null }>(bed.db, 'SELECT MAX(id) AS id FROM webhook_deliveries');
  return Number(id ?? 0);
}

type PushLatency = ReturnType<typeof summary> & { notPushedWithin10s: number };

/** One measured load stage of the push scenario. */
interface PushStage {
  /** Webhooks a second, and seconds measured (a warm-up of PUSH_WARMUP_SECONDS comes first). */
  rate: number;
  seconds: number;
  /** Builds webhook i (i counts from the warm-up's first). */
  webhook: (i: number) => PacedRequest;
  /** When webhook i's push reached the agent's socket (performance.now()), once it has. */
  pushedAt: (i: number) => number | undefined;
}

/**
 * Posts a stage's webhooks at its rate, waits up to 10 s for their pushes, and measures webhook ->
 * push for those after the warm-up (which also lets the previous stage's tail pass).
 */
async function measurePushStage(bed: Bed, stage: PushStage) {
  const warmup = Math.round(stage.rate * PUSH_WARMUP_SECONDS);
  const total = warmup + stage.rate * stage.seconds;
  const sentAt: number[] = [];
  const afterId = await lastDeliveryId(bed);
  const cpuBefore = await cpuOf(bed);
  const othersBefore = await othersCpu();
  const statementsBefore = await statements(bed);
  const started = performance.now();
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  const acks = await paced(
    `${bed.parley.baseUrl}/webhooks/messenger`,
    stage.rate,
    total / stage.rate,
    (i, dueAt) => {
      sentAt[i] = dueAt;
      return stage.webhook(i);
    },
  );
  const measured = Array.from({ length: total - warmup }, (_, j) => warmup + j);
  await eventually(async () => measured.every((i) => stage.pushedAt(i) !== undefined), 10_000).catch(
    () => undefined,
  );
  loop.disable();
  const elapsed = performance.now() - started;
  const cores = +(((await cpuOf(bed)) - cpuBefore) / elapsed).toFixed(2);
  const othersAfter = await othersCpu();
  const others = Object.fromEntries(
    Object.entries(othersAfter).map(([name, ms]) => [
      name,
      +((ms - othersBefore[name]) / elapsed).toFixed(2),
    ]),
  );
  const statementsPerEvent = Math.round(((await statements(bed)) - statementsBefore) / total);
  const latency = (indexes: number[]): PushLatency => {
    const latencies = indexes
      .map((i) => [stage.pushedAt(i), sentAt[i]])
      .filter(([at]) => at !== undefined)
      .map(([at, sent]) => at! - sent!);
    return { ...summary(latencies), notPushedWithin10s: indexes.length - latencies.length };
  };
  return {
    measured,
    latency,
    rows: {
      'webhook ack, ms': stageRow(acks),
      'where the time goes, server clock, ms': await pushStages(bed, afterId),
      'CPU of the Parley process, cores': cores,
      'CPU of the rest of the machine, cores': others,
      'SQL statements per event (the whole server, any client)': statementsPerEvent,
      'event-loop delay of the bench process itself, p99 ms': +(loop.percentile(99) / 1e6).toFixed(1),
    },
  };
}

/**
 * Hundreds of agents at work, connected over graphql-ws, subscribed to inboxChanged and AVAILABLE:
 * each accepts an offer after a moment and closes it a little later, unless its customer is `kept`
 * (a conversation that goes on). Records when each push reached the agent's socket.
 */
interface Desk {
  clients: Client[];
  /** The first OFFERED of each customer (by PSID), performance.now(). */
  offeredAt: Map<string, number>;
  /** Each MESSAGE push, by the message's text. */
  messagePushedAt: Map<string, number>;
  acceptedPsids: Set<string>;
  kept: Set<string>;
  work: { offered: number; accepted: number; conflicts: number; closed: number; trouble: string[] };
}

async function startDesk(bed: Bed): Promise<Desk> {
  const agents = await insertAgents(bed, PUSH_AGENTS, 'push.agent');
  await addMembers(bed, agents);
  const tokens = agents.map((id) => accessToken(bed, id));
  const desk: Desk = {
    clients: [],
    offeredAt: new Map(),
    messagePushedAt: new Map(),
    acceptedPsids: new Set(),
    kept: new Set(),
    work: { offered: 0, accepted: 0, conflicts: 0, closed: 0, trouble: [] },
  };
  const { work } = desk;
  const trouble = (what: string) => work.trouble.push(what);
  const mutate = (token: string, mutation: string, id: string) =>
    gql(bed.parley.baseUrl, `mutation($id: ID!) { ${mutation}(id: $id) { id } }`, { id }, { token });
  const handle = async (token: string, interactionId: string, psid: string) => {
    await sleep(50 + Math.random() * 100);
    const accepted = await mutate(token, 'acceptInteraction', interactionId);
    if (accepted.errors?.[0]?.extensions?.code === 'CONFLICT') return void work.conflicts++;
    if (accepted.errors) return void trouble(`accept: ${accepted.errors[0].message}`);
    work.accepted++;
    desk.acceptedPsids.add(psid);
    if (desk.kept.has(psid)) return;
    await sleep(300 + Math.random() * 700);
    const closed = await mutate(token, 'closeInteraction', interactionId);
    if (closed.errors) trouble(`close: ${closed.errors[0].message}`);
    else work.closed++;
  };
  await eachLimited(tokens, 50, async (token) => {
    const onEvent = (event: GqlResult<InboxEvent>) => {
      const change = event.data?.inboxChanged;
      if (!change) return trouble(`event without data: ${JSON.stringify(event.errors)}`);
      const text = change.message?.text;
      if (change.kind === 'MESSAGE' && text && !desk.messagePushedAt.has(text)) {
        desk.messagePushedAt.set(text, performance.now());
      }
      if (change.kind !== 'OFFERED') return;
      const psid = change.interaction.contact.psid;
      if (!desk.offeredAt.has(psid)) desk.offeredAt.set(psid, performance.now());
      work.offered++;
      void handle(token, change.interaction.id, psid).catch((error: unknown) => trouble(String(error)));
    };
    desk.clients.push(await agentSocket(bed, token, onEvent, trouble));
  });
  await eventually(async () => (await inboxSubscriptions(bed)) >= PUSH_AGENTS, 30_000);
  await setAvailable(bed, tokens);
  // Going AVAILABLE routes each agent's campaigns: let that settle before measuring.
  await eventually(() => routingIdle(bed), 60_000);
  return desk;
}

async function deskSummary(bed: Bed, desk: Desk, scenario: string) {
  const { work } = desk;
  if (work.trouble.length) console.warn(`${scenario}: ${work.trouble.slice(0, 5).join('; ')}`);
  return {
    sockets: desk.clients.length,
    offered: work.offered,
    accepted: work.accepted,
    acceptConflicts: work.conflicts,
    closed: work.closed,
    retriedDeliveries: await retried(bed),
    problems: work.trouble.length,
  };
}

const pushChecks = (what: string, latency: PushLatency) => [
  check(
    `webhook -> agent push p50, ${what}`,
    `< ${PUSH_P50_MAX_MS} ms`,
    `${latency.p50} ms`,
    latency.p50! < PUSH_P50_MAX_MS,
  ),
  check(
    `webhook -> agent push p99, ${what}`,
    `< ${PUSH_P99_MAX_MS} ms, every one pushed`,
    `${latency.p99} ms, ${latency.notPushedWithin10s} not pushed within 10 s`,
    latency.p99! < PUSH_P99_MAX_MS && latency.notPushedWithin10s === 0,
  ),
];

/**
 * Scenario 2, new chats only: every webhook a new customer, at rising rates, while agents accept
 * and close what they are offered; from each webhook POST to the OFFERED on the agent's socket.
 * The dearest event there is: a chat's whole life per event.
 */
export async function pushScenario(results: Record<string, unknown>, checks: Check[]) {
  const bed = await startBed(2, { OFFER_TIMEOUT_SECONDS: '30' });
  let desk: Desk | undefined;
  try {
    desk = await startDesk(bed);
    const { offeredAt } = desk;
    const secret = bed.environment.env.FACEBOOK_APP_SECRET;
    const stages = [
      { rate: PUSH_LOW_RATE, seconds: PUSH_LOW_SECONDS },
      { rate: PUSH_MID_RATE, seconds: PUSH_LOW_SECONDS },
      { rate: PUSH_RATE, seconds: PUSH_SECONDS },
    ];
    let atTarget: PushLatency | undefined;
    for (const [k, { rate, seconds }] of stages.entries()) {
      const psids = customers(bed.sim, rate * (PUSH_WARMUP_SECONDS + seconds), `Newcomer${k}`);
      const stage = await measurePushStage(bed, {
        rate,
        seconds,
        webhook: (i) => signedWebhook(secret, psids[i], `m_push_${k}_${i}`, 'Hello, is anyone there?'),
        pushedAt: (i) => offeredAt.get(psids[i]),
      });
      const label = `push, new chats only, at ${rate}/s (${PUSH_AGENTS} agents)`;
      const latency = stage.latency(stage.measured);
      results[`${label}: webhook -> OFFERED on the agent's socket, ms`] = latency;
      for (const [name, row] of Object.entries(stage.rows)) results[`${label}: ${name}`] = row;
      if (rate === PUSH_RATE) atTarget = latency;
    }
    results['push: agents at work'] = await deskSummary(bed, desk, 'push');
    checks.push(...pushChecks(`new chats only at ${PUSH_RATE}/s`, atTarget!));
  } finally {
    await Promise.all((desk?.clients ?? []).map((c) => c.dispose()));
    await bed.stop();
  }
}

/**
 * Scenario 3, conversations: one customer per agent starts a chat the agent keeps; then the
 * customers write at the target's rate, one event in MIX_NEW_EVERY a new customer (whose chat is
 * kept too): from each webhook POST to the MESSAGE (or OFFERED) on the agent's socket. Most of a
 * contact center's events are of this kind: messages in chats agents already hold.
 */
export async function conversationsScenario(results: Record<string, unknown>, checks: Check[]) {
  const bed = await startBed(2, { OFFER_TIMEOUT_SECONDS: '30' });
  let desk: Desk | undefined;
  try {
    desk = await startDesk(bed);
    const { offeredAt, messagePushedAt, acceptedPsids, kept } = desk;
    const secret = bed.environment.env.FACEBOOK_APP_SECRET;
    const talkers = customers(bed.sim, PUSH_AGENTS, 'Talker');
    for (const psid of talkers) kept.add(psid);
    await paced(
      `${bed.parley.baseUrl}/webhooks/messenger`,
      PUSH_MID_RATE,
      talkers.length / PUSH_MID_RATE,
      (i) => signedWebhook(secret, talkers[i], `m_talk_open_${i}`, 'Hi, I have a question'),
    );
    await eventually(async () => talkers.every((psid) => acceptedPsids.has(psid)), 60_000);
    // Their profile reads done too, so the stage measures its own load.
    await eventually(async () => (await queueIdle(bed, 'messenger')) && (await routingIdle(bed)), 60_000);
    const total = PUSH_RATE * (PUSH_WARMUP_SECONDS + PUSH_SECONDS);
    const newcomers = customers(bed.sim, Math.ceil(total / MIX_NEW_EVERY), 'Mixed');
    for (const psid of newcomers) kept.add(psid);
    const isNew = (i: number) => i % MIX_NEW_EVERY === 0;
    // Event i: a new customer's first message, or the next talker's next line (each its own text).
    const psidOf = (i: number) =>
      isNew(i) ? newcomers[i / MIX_NEW_EVERY] : talkers[(i - Math.ceil(i / MIX_NEW_EVERY)) % talkers.length];
    const textOf = (i: number) => `line ${i}`;
    const stage = await measurePushStage(bed, {
      rate: PUSH_RATE,
      seconds: PUSH_SECONDS,
      webhook: (i) => signedWebhook(secret, psidOf(i), `m_talk_${i}`, textOf(i)),
      pushedAt: (i) => (isNew(i) ? offeredAt.get(psidOf(i)) : messagePushedAt.get(textOf(i))),
    });
    const label = `conversations (1 event in ${MIX_NEW_EVERY} a new chat) at ${PUSH_RATE}/s (${PUSH_AGENTS} agents)`;
    const all = stage.latency(stage.measured);
    results[`${label}: webhook -> MESSAGE or OFFERED on the agent's socket, ms`] = all;
    results[`${label}: of which webhook -> MESSAGE, ms`] = stage.latency(
      stage.measured.filter((i) => !isNew(i)),
    );
    results[`${label}: of which webhook -> OFFERED, ms`] = stage.latency(stage.measured.filter(isNew));
    for (const [name, row] of Object.entries(stage.rows)) results[`${label}: ${name}`] = row;
    results['conversations: agents at work'] = await deskSummary(bed, desk, 'conversations');
    checks.push(...pushChecks(`conversations at ${PUSH_RATE} events/s`, all));
  } finally {
    await Promise.all((desk?.clients ?? []).map((c) => c.dispose()));
    await bed.stop();
  }
}

/** The median RSS over a couple of seconds, in MB (one sample can catch a GC in the middle). */
async function steadyRss(pid: number): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < 10; i++) {
    samples.push(await rssMb(pid));
    await sleep(200);
  }
  return samples.sort((a, b) => a - b)[5];
}

/** Scenario 3: idle agents signed in and subscribed, on one process: RSS per connection. */
export async function idleSocketsScenario(results: Record<string, unknown>, checks: Check[]) {
  const bed = await startBed(2);
  const clients: Client[] = [];
  try {
    const tokens = (await insertAgents(bed, IDLE_SOCKETS + 1, 'idle.agent')).map((id) =>
      accessToken(bed, id),
    );
    const trouble: string[] = [];
    const onTrouble = (what: string) => trouble.push(what);
    // One connection first, so what the first costs once (code paths, caches) is not counted per socket.
    clients.push(await agentSocket(bed, tokens[0], () => undefined, onTrouble));
    await eventually(async () => (await inboxSubscriptions(bed)) >= 1, 10_000);
    await sleep(1_000);
    const pid = bed.parley.child.pid!;
    const before = await steadyRss(pid);
    const started = performance.now();
    await eachLimited(tokens.slice(1), 100, async (token) => {
      clients.push(await agentSocket(bed, token, () => undefined, onTrouble));
    });
    await eventually(async () => (await inboxSubscriptions(bed)) >= IDLE_SOCKETS + 1, 60_000);
    const connectSeconds = (performance.now() - started) / 1000;
    await sleep(2_000);
    const after = await steadyRss(pid);
    const perSocketKb = Math.round(((after - before) * 1024) / IDLE_SOCKETS);
    results[`sockets: ${IDLE_SOCKETS} idle agents subscribed to inboxChanged on one process`] = {
      rssBeforeMb: Math.round(before),
      rssAfterMb: Math.round(after),
      perSocketKb,
      connectedAndSubscribedInSeconds: +connectSeconds.toFixed(1),
      problems: trouble.length,
    };
    checks.push(
      check(
        `RSS per idle agent socket (${IDLE_SOCKETS} sockets)`,
        `< ${SOCKET_KB_MAX} KB`,
        `${perSocketKb} KB`,
        perSocketKb < SOCKET_KB_MAX && trouble.length === 0,
      ),
    );
  } finally {
    await eachLimited(clients, 200, async (c) => {
      await c.dispose();
    });
    await bed.stop();
  }
}

import type { ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { type Connection, createConnection } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDatabaseUrl } from '../../server/src/infrastructure/database/database.js';
import { SEED, type Simulator, startSimulator } from '../../libs/messenger-simulator/simulator.js';
import { ALWAYS_OPEN, createCampaign } from '../support/campaigns.js';
import { FACEBOOK_APP_ID } from '../support/facebook.js';
import { createUser, DEFAULT_PASSWORD, eventually, gql, login } from '../support/graphql.js';
import { type ServerProcess, startServerProcess, stopServerProcess } from '../support/processes.js';
import { TEST_REDIS, testEnvironment, type TestEnvironment } from '../support/server.js';

// The capacity invariant of product.md section 4 under load, across processes: two API processes
// (webhooks and agents split between them) and one worker, on one database and one Redis. While
// many customers write at once and agents accept and close, SQL is sampled every ~50 ms and every
// sample must hold the invariant; at the end nothing is lost or duplicated. Then the worker is
// killed (SIGKILL) in the middle of a burst and a new one must finish the work exactly once.

const BAKERY = SEED.pages.bakery;
const CAPACITY = 2;
const AGENTS = 5;
const CUSTOMERS = Number(process.env.CONCURRENCY_CUSTOMERS ?? 200);
const KILL_BURST = 60;
const RINGALL_BURST = 30;

type Proc = ServerProcess;
type Agent = { id: string; username: string; token: string; baseUrl: string };

/** Forwards the simulator's webhook calls (verification GET and POSTs) to the targets in turn. */
async function roundRobin(
  targets: () => string[],
): Promise<{ server: Server; url: string; counts: number[] }> {
  const counts = targets().map(() => 0);
  let next = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const i = next++ % targets().length;
      counts[i]++;
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers))
        if (typeof v === 'string' && k !== 'host' && k !== 'content-length' && k !== 'connection')
          headers[k] = v;
      fetch(`${targets()[i]}${req.url}`, {
        method: req.method,
        headers,
        body: req.method === 'GET' ? undefined : Buffer.concat(chunks),
      })
        .then(async (r) => {
          res.writeHead(r.status, { 'content-type': r.headers.get('content-type') ?? 'text/plain' });
          res.end(Buffer.from(await r.arrayBuffer()));
        })
        .catch(() => {
          res.writeHead(502);
          res.end();
        });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, counts };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let environment: TestEnvironment;
let processEnv: Record<string, string>;
let sim: Simulator;
let proxy: Awaited<ReturnType<typeof roundRobin>>;
let apiA: Proc;
let apiB: Proc;
let worker: Proc;
let db: Connection;
let admin: string;
let campaign: string;
const agents: Agent[] = [];
const spawned: ChildProcess[] = [];

async function rows<T>(sql: string, params: unknown[] = []): Promise<T[]> {
  const [result] = await db.query(sql, params);
  return result as T[];
}

/**
 * Agents at work: each polls its inbox on its own API process, accepts what is offered and closes
 * what is active after a short random delay. Returns a stop function and the counts.
 */
function agentsAtWork() {
  let running = true;
  const stats = { accepted: 0, conflicts: 0, closed: 0, errors: [] as string[] };
  const loop = async (agent: Agent) => {
    const closing = new Set<string>();
    while (running) {
      const inbox = await gql<{ inbox: { id: string; status: string }[] }>(
        agent.baseUrl,
        '{ inbox { id status } }',
        {},
        { token: agent.token },
      ).catch((e: unknown) => ({ errors: [{ message: String(e) }], data: undefined }));
      if (inbox.errors) stats.errors.push(`inbox: ${inbox.errors[0].message}`);
      for (const i of inbox.data?.inbox ?? []) {
        if (i.status === 'OFFERED') {
          const r = await gql(
            agent.baseUrl,
            'mutation($id: ID!) { acceptInteraction(id: $id) { id status } }',
            { id: i.id },
            { token: agent.token },
          );
          // An offer may time out or be revoked between the read and the accept: CONFLICT is fair.
          if (r.errors?.[0]?.extensions?.code === 'CONFLICT') stats.conflicts++;
          else if (r.errors) stats.errors.push(`accept: ${r.errors[0].message}`);
          else stats.accepted++;
        } else if (i.status === 'ACTIVE' && !closing.has(i.id)) {
          closing.add(i.id);
          void sleep(100 + Math.random() * 400)
            .then(() =>
              gql(
                agent.baseUrl,
                'mutation($id: ID!) { closeInteraction(id: $id) { id } }',
                { id: i.id },
                { token: agent.token },
              ),
            )
            .then((r) => {
              if (r.errors) stats.errors.push(`close: ${r.errors[0].message}`);
              else stats.closed++;
            });
        }
      }
      await sleep(100 + Math.random() * 50);
    }
  };
  const loops = agents.map(loop);
  return {
    stats,
    async stop() {
      running = false;
      await Promise.all(loops);
    },
  };
}

/** Samples the invariant in SQL every ~50 ms until stopped; each sample is one statement (one snapshot). */
function invariantSampler({ ringAll = false } = {}) {
  let running = true;
  const found = { samples: 0, maxLoad: 0, violations: [] as string[] };
  const run = (async () => {
    while (running) {
      const [sample] = await rows<{
        overLoad: string | null;
        maxLoad: number | null;
        twoOffers: string | null;
        activeOffered: string | null;
      }>(
        `SELECT
           (SELECT GROUP_CONCAT(CONCAT(userId, '=', n)) FROM (
              SELECT userId, COUNT(*) AS n FROM (
                SELECT userId FROM interaction_offers WHERE campaignId = ? AND status = 'PENDING'
                UNION ALL
                SELECT agentId FROM interactions WHERE campaignId = ? AND status = 'ACTIVE') seats
              GROUP BY userId HAVING n > ?) over_) AS overLoad,
           (SELECT MAX(n) FROM (
              SELECT COUNT(*) AS n FROM (
                SELECT userId FROM interaction_offers WHERE campaignId = ? AND status = 'PENDING'
                UNION ALL
                SELECT agentId FROM interactions WHERE campaignId = ? AND status = 'ACTIVE') seats
              GROUP BY userId) loads) AS maxLoad,
           (SELECT GROUP_CONCAT(interactionId) FROM (
              SELECT interactionId FROM interaction_offers WHERE status = 'PENDING'
              GROUP BY interactionId HAVING COUNT(*) > 1) two) AS twoOffers,
           (SELECT GROUP_CONCAT(DISTINCT i.id) FROM interactions i
              JOIN interaction_offers o ON o.interactionId = i.id AND o.status = 'PENDING'
             WHERE i.status = 'ACTIVE') AS activeOffered`,
        [campaign, campaign, CAPACITY, campaign, campaign],
      );
      found.samples++;
      found.maxLoad = Math.max(found.maxLoad, Number(sample.maxLoad ?? 0));
      if (sample.overLoad) found.violations.push(`sample ${found.samples}: over capacity ${sample.overLoad}`);
      if (sample.twoOffers && !ringAll)
        found.violations.push(`sample ${found.samples}: two pending offers ${sample.twoOffers}`);
      if (sample.activeOffered)
        found.violations.push(`sample ${found.samples}: ACTIVE with a pending offer ${sample.activeOffered}`);
      await sleep(50);
    }
  })();
  return {
    found,
    async stop() {
      running = false;
      await run;
    },
  };
}

/** Resolves once every interaction is finished and every delivery is processed, or the deadline passes. */
async function drained(expectedInteractions: number, timeoutMs: number) {
  await eventually(async () => {
    const [r] = await rows<{ open: number; total: number; pending: number }>(
      `SELECT
         (SELECT COUNT(*) FROM interactions WHERE status IN ('QUEUED', 'OFFERED', 'ACTIVE')) AS open,
         (SELECT COUNT(*) FROM interactions) AS total,
         (SELECT COUNT(*) FROM webhook_deliveries WHERE status = 'PENDING') AS pending`,
    );
    return Number(r.open) === 0 && Number(r.total) >= expectedInteractions && Number(r.pending) === 0;
  }, timeoutMs);
}

/** Every customer has exactly one interaction, CLOSED, accepted exactly once, and one stored message per message sent. */
async function expectEveryCustomerServedOnce(psids: string[]) {
  const perCustomer = await rows<{
    psid: string;
    interactions: number;
    closed: number;
    accepted: number;
    inbound: number;
    mids: number;
  }>(
    `SELECT c.psid,
            (SELECT COUNT(*) FROM interactions i WHERE i.contactId = c.id) AS interactions,
            (SELECT COUNT(*) FROM interactions i WHERE i.contactId = c.id AND i.status = 'CLOSED') AS closed,
            (SELECT COUNT(*) FROM interaction_offers o JOIN interactions i ON i.id = o.interactionId
              WHERE i.contactId = c.id AND o.status = 'ACCEPTED') AS accepted,
            (SELECT COUNT(*) FROM messages m WHERE m.contactId = c.id AND m.direction = 'INBOUND') AS inbound,
            (SELECT COUNT(DISTINCT m.mid) FROM messages m WHERE m.contactId = c.id AND m.direction = 'INBOUND') AS mids
       FROM contacts c WHERE c.pageId = ? AND c.psid IN (?)`,
    [BAKERY.id, psids],
  );
  expect(perCustomer).toHaveLength(psids.length);
  const wrong = perCustomer.filter(
    (c) =>
      Number(c.interactions) !== 1 ||
      Number(c.closed) !== 1 ||
      Number(c.accepted) !== 1 ||
      Number(c.inbound) !== 1 ||
      Number(c.mids) !== 1,
  );
  expect(wrong).toEqual([]);
  const deliveries = await rows<{ status: string; n: number }>(
    `SELECT status, COUNT(*) AS n FROM webhook_deliveries WHERE status <> 'PROCESSED' GROUP BY status`,
  );
  expect(deliveries).toEqual([]);
}

/** Customers of the bakery page, each writing one message, all fired at once. */
function burst(prefix: string, n: number): string[] {
  const psids = Array.from({ length: n }, (_, i) => sim.addCustomer(BAKERY.id, `${prefix} ${i}`).psid);
  for (const psid of psids) sim.customerWrites(BAKERY.id, psid, { text: `Hello from ${psid}` });
  return psids;
}

beforeAll(async () => {
  environment = testEnvironment();
  const { FACEBOOK_APP_SECRET: appSecret, FACEBOOK_VERIFY_TOKEN: verifyToken } = environment.env;
  sim = await startSimulator({ port: 0, appId: FACEBOOK_APP_ID, appSecret, verifyToken, seed: 'demo' });
  processEnv = {
    ...environment.env,
    GRAPH_API_URL: sim.url,
    FACEBOOK_APP_ID,
    GRAPH_API_TIMEOUT_MS: '3000',
    OFFER_TIMEOUT_SECONDS: '3',
    PRESENCE_GRACE_SECONDS: '600',
    // A killed worker's active jobs come back within seconds, not a minute.
    JOB_LOCK_SECONDS: '3',
    DELIVERY_SWEEP_AFTER_SECONDS: '3',
  };
  // Every role runs the migrations under a lock, so the three may start together.
  [apiA, apiB, worker] = await Promise.all([
    startServerProcess({ ...processEnv, ROLE: 'api' }),
    startServerProcess({ ...processEnv, ROLE: 'api' }),
    startServerProcess({ ...processEnv, ROLE: 'worker' }),
  ]);
  spawned.push(apiA.child, apiB.child, worker.child);
  proxy = await roundRobin(() => [apiA.baseUrl, apiB.baseUrl]);

  admin = await login(apiA.baseUrl, environment.env.ADMIN_USERNAME, environment.env.ADMIN_PASSWORD);
  campaign = (
    await createCampaign(apiA.baseUrl, admin, {
      name: 'Bakery',
      channel: 'MESSENGER',
      strategy: 'LEASTRECENT',
      maxInteractionsPerAgent: CAPACITY,
      schedule: ALWAYS_OPEN,
      thresholds: { serviceLevelSeconds: 20, dropoutSeconds: 3600, chatTimeSeconds: 600, acdMaxWaiting: 5 },
    })
  ).id;
  const voice = (await createCampaign(apiA.baseUrl, admin, { name: 'Phones', channel: 'VOICE' })).id;
  const connected = await gql(
    apiA.baseUrl,
    `mutation($c: ID!, $p: String!, $t: String!) { connectFacebookPage(campaignId: $c, pageId: $p, pageAccessToken: $t) { id } }`,
    { c: campaign, p: BAKERY.id, t: BAKERY.token },
    { token: admin },
  );
  expect(connected.errors).toBeUndefined();
  sim.configure({ webhookUrl: `${proxy.url}/webhooks/messenger`, verifyToken });

  for (let i = 0; i < AGENTS; i++) {
    const baseUrl = i % 2 === 0 ? apiA.baseUrl : apiB.baseUrl;
    const { id, username } = await createUser(apiA.baseUrl, admin, { username: `agent${i}`, role: 'AGENT' });
    const added = await gql(
      apiA.baseUrl,
      `mutation($c: [ID!]!, $u: [ID!]!) { addCampaignMembers(campaignIds: $c, userIds: $u) { id } }`,
      { c: [campaign, voice], u: [id] },
      { token: admin },
    );
    expect(added.errors).toBeUndefined();
    agents.push({ id, username, token: await login(baseUrl, username, DEFAULT_PASSWORD), baseUrl });
  }
  const { database, ...server } = parseDatabaseUrl(environment.databaseUrl);
  db = await createConnection({ ...server, database, timezone: 'Z' });
}, 120_000);

afterAll(async () => {
  await db?.end();
  await Promise.all(spawned.map((c) => stopServerProcess(c)));
  await new Promise((r) => proxy?.server.close(r));
  await sim?.close();
  await environment?.cleanup();
});

describe('routing under load across processes', () => {
  it(`${CUSTOMERS} customers at once, ${AGENTS} agents of capacity ${CAPACITY} on two API processes: the invariant holds at every sample, nothing lost or duplicated`, async () => {
    const sampler = invariantSampler();
    const work = agentsAtWork();
    for (const agent of agents) {
      const r = await gql(
        agent.baseUrl,
        'mutation { setPresence(presence: AVAILABLE) { id } }',
        {},
        { token: agent.token },
      );
      expect(r.errors).toBeUndefined();
    }
    const started = Date.now();
    const psids = burst('Crowd', CUSTOMERS);
    try {
      await drained(CUSTOMERS, 75_000);
    } finally {
      await work.stop();
      await sampler.stop();
    }
    console.info(
      `routing-concurrency: ${CUSTOMERS} customers drained in ${Date.now() - started} ms; ` +
        `${sampler.found.samples} samples, max load ${sampler.found.maxLoad}; ` +
        `accepted ${work.stats.accepted}, conflicts ${work.stats.conflicts}, closed ${work.stats.closed}; ` +
        `webhooks via A/B ${proxy.counts.join('/')}`,
    );
    expect(sampler.found.violations).toEqual([]);
    expect(work.stats.errors).toEqual([]);
    expect(sampler.found.samples).toBeGreaterThan(20);
    expect(sampler.found.maxLoad).toBeLessThanOrEqual(CAPACITY);
    expect(proxy.counts.every((n) => n > 0)).toBe(true);
    await expectEveryCustomerServedOnce(psids);
    const [totals] = await rows<{ interactions: number; accepted: number; inbound: number }>(
      `SELECT (SELECT COUNT(*) FROM interactions) AS interactions,
              (SELECT COUNT(*) FROM interaction_offers WHERE status = 'ACCEPTED') AS accepted,
              (SELECT COUNT(*) FROM messages WHERE direction = 'INBOUND') AS inbound`,
    );
    expect({
      interactions: Number(totals.interactions),
      accepted: Number(totals.accepted),
      inbound: Number(totals.inbound),
    }).toEqual({ interactions: CUSTOMERS, accepted: CUSTOMERS, inbound: CUSTOMERS });
  }, 90_000);

  it('a worker killed (SIGKILL) in the middle of a burst loses nothing: a new worker stores each message once and every chat is routed', async () => {
    const before = Number((await rows<{ n: number }>('SELECT COUNT(*) AS n FROM interactions'))[0].n);
    const sampler = invariantSampler();
    const work = agentsAtWork();
    const psids = burst('Storm', KILL_BURST);
    try {
      // Kill while the worker is busy: some of the burst applied, and delivery jobs in its hands.
      const redis = new Redis(TEST_REDIS);
      const activeKey = `${environment.redisPrefix}:bull:messenger:active`;
      let activeAtKill = 0;
      try {
        await eventually(async () => {
          const [r] = await rows<{ stored: number }>(
            `SELECT COUNT(*) AS stored FROM contacts WHERE pageId = ? AND psid IN (?)`,
            [BAKERY.id, psids],
          );
          activeAtKill = await redis.llen(activeKey);
          return Number(r.stored) >= 5 && activeAtKill > 0;
        }, 30_000);
      } finally {
        redis.disconnect();
      }
      await stopServerProcess(worker.child, 'SIGKILL');
      const [{ left }] = await rows<{ left: number }>(
        "SELECT COUNT(*) AS `left` FROM webhook_deliveries WHERE status = 'PENDING'",
      );
      worker = await startServerProcess({ ...processEnv, ROLE: 'worker' });
      spawned.push(worker.child);
      console.info(
        `routing-concurrency: worker killed with ${activeAtKill} delivery jobs active, ${left} deliveries PENDING`,
      );
      await sim.webhooksIdle();
      await drained(before + KILL_BURST, 60_000);
    } finally {
      await work.stop();
      await sampler.stop();
    }
    console.info(
      `routing-concurrency (kill): ${sampler.found.samples} samples, max load ${sampler.found.maxLoad}; ` +
        `accepted ${work.stats.accepted}, conflicts ${work.stats.conflicts}`,
    );
    expect(sampler.found.violations).toEqual([]);
    expect(work.stats.errors).toEqual([]);
    await expectEveryCustomerServedOnce(psids);
  }, 90_000);

  it('RINGALL: every eligible agent is offered at once, the first accept wins, the rest are revoked; capacity still holds', async () => {
    const updated = await gql(
      apiB.baseUrl,
      'mutation($id: ID!, $input: CampaignInput!) { updateCampaign(id: $id, input: $input) { id } }',
      { id: campaign, input: { strategy: 'RINGALL' } },
      { token: admin },
    );
    expect(updated.errors).toBeUndefined();
    const before = Number((await rows<{ n: number }>('SELECT COUNT(*) AS n FROM interactions'))[0].n);
    const sampler = invariantSampler({ ringAll: true });
    const work = agentsAtWork();
    const psids = burst('Ring', RINGALL_BURST);
    try {
      await drained(before + RINGALL_BURST, 60_000);
    } finally {
      await work.stop();
      await sampler.stop();
    }
    console.info(
      `routing-concurrency (RINGALL): ${sampler.found.samples} samples, max load ${sampler.found.maxLoad}; ` +
        `accepted ${work.stats.accepted}, conflicts ${work.stats.conflicts}`,
    );
    expect(sampler.found.violations).toEqual([]);
    expect(work.stats.errors).toEqual([]);
    expect(work.stats.accepted).toBe(RINGALL_BURST);
    await expectEveryCustomerServedOnce(psids);
    // Offers went to several agents at once, and every one not accepted ended REVOKED or EXPIRED.
    const [offers] = await rows<{ multi: number; pending: number }>(
      `SELECT (SELECT COUNT(*) FROM (SELECT o.interactionId FROM interaction_offers o
                 JOIN contacts c ON c.pageId = ? AND c.psid IN (?)
                 JOIN interactions i ON i.id = o.interactionId AND i.contactId = c.id
                GROUP BY o.interactionId HAVING COUNT(*) > 1) m) AS multi,
              (SELECT COUNT(*) FROM interaction_offers WHERE status = 'PENDING') AS pending`,
      [BAKERY.id, psids],
    );
    expect(Number(offers.multi)).toBeGreaterThan(0);
    expect(Number(offers.pending)).toBe(0);
  }, 90_000);
});

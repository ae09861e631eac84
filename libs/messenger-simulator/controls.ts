import type { ServerResponse } from 'node:http';
import { z } from 'zod';
import type { SimulatorCore } from './core.js';
import { ControlError, GraphError } from './errors.js';
import { sendJson, SimRequest } from './http.js';

const attachment = z.object({
  type: z.enum(['image', 'video', 'audio', 'file']),
  name: z.string().min(1).max(200).optional(),
  /** Real bytes (the customer page's file picker); without them a small file is generated. */
  dataBase64: z.string().optional(),
  contentType: z.string().optional(),
});

const customerMessage = z.strictObject({
  text: z.string().min(1).max(20_000).optional(),
  attachment: attachment.optional(),
  quickReply: z.string().optional(),
  replyTo: z.string().optional(),
  postbackPayload: z.string().optional(),
  postbackTitle: z.string().optional(),
});

const ids = { pageId: z.string(), psid: z.string() };
const batchEvent = z.union([
  z.strictObject({ kind: z.literal('read'), ...ids }),
  z.strictObject({
    kind: z.literal('reaction'),
    ...ids,
    mid: z.string(),
    emoji: z.string().optional(),
    action: z.enum(['react', 'unreact']).optional(),
  }),
  customerMessage.extend({ kind: z.enum(['message', 'postback']).optional(), ...ids }),
]);

const tokenSelector = z
  .strictObject({
    token: z.string().optional(),
    pageId: z.string().optional(),
    personId: z.string().optional(),
  })
  .refine((s) => [s.token, s.pageId, s.personId].filter((v) => v !== undefined).length === 1, {
    message: 'give exactly one of token, pageId, personId',
  });

const schemas = {
  config: z.strictObject({
    webhookUrl: z.union([z.url(), z.literal('')]).optional(),
    verifyToken: z.string().optional(),
    failuresBeforeUnsubscribe: z.number().int().min(1).optional(),
    retryDelaysMs: z.array(z.number().int().min(0)).optional(),
  }),
  reaction: z.strictObject({
    mid: z.string(),
    emoji: z.string().optional(),
    action: z.enum(['react', 'unreact']).optional(),
  }),
  newCustomer: z.strictObject({ name: z.string().trim().min(1).max(100) }),
  redeliver: z.strictObject({ mid: z.string().min(1) }),
  batch: z.strictObject({
    events: z.array(batchEvent).min(1),
    order: z.enum(['as-given', 'reversed']).optional(),
  }),
  clock: z.strictObject({ advanceSeconds: z.number().min(0) }),
  rateLimit: z.strictObject({ perSecond: z.number().int().min(0) }),
  /** Facebook's error body fields, as Facebook spells them. */
  sendFailures: z.strictObject({
    error: z.strictObject({
      code: z.number().int().positive(),
      error_subcode: z.number().int().positive().optional(),
      message: z.string().min(1).optional(),
      type: z.string().min(1).optional(),
      error_user_title: z.string().optional(),
      error_user_msg: z.string().optional(),
      is_transient: z.boolean().optional(),
    }),
    count: z.number().int().min(1).optional(),
    psid: z.string().min(1).optional(),
    status: z.number().int().min(400).max(599).optional(),
  }),
  subscribe: z.strictObject({ fields: z.array(z.string()).min(1) }),
};

function parse<T>(schema: z.ZodType<T>, req: SimRequest): T {
  let json: unknown = {};
  if (req.body.length > 0) {
    try {
      json = JSON.parse(req.body.toString('utf8'));
    } catch {
      throw new ControlError('the body is not valid JSON');
    }
  }
  const r = schema.safeParse(json);
  if (!r.success) {
    throw new ControlError(
      r.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '),
    );
  }
  return r.data;
}

type Route = [
  method: string,
  pattern: RegExp,
  run: (core: SimulatorCore, req: SimRequest, m: string[]) => unknown,
];

const PAGE = '/_sim/pages/([^/]+)';
const CUSTOMER = `${PAGE}/customers/([^/]+)`;
const routes: Route[] = [
  ['GET', /^\/_sim\/state$/, (c) => c.snapshot()],
  ['GET', /^\/_sim\/config$/, (c) => c.config()],
  ['PUT', /^\/_sim\/config$/, (c, r) => c.configure(parse(schemas.config, r))],
  ['POST', /^\/_sim\/reset$/, (c) => c.reset()],
  ['POST', /^\/_sim\/clock$/, (c, r) => c.advanceClock(parse(schemas.clock, r).advanceSeconds)],
  ['GET', /^\/_sim\/clock$/, (c) => c.clock()],
  ['POST', /^\/_sim\/tokens\/expire$/, (c, r) => c.expireTokens(parse(tokenSelector, r))],
  ['POST', /^\/_sim\/tokens\/revoke$/, (c, r) => c.revokeTokens(parse(tokenSelector, r))],
  ['POST', /^\/_sim\/webhooks\/redeliver$/, (c, r) => c.redeliver(parse(schemas.redeliver, r).mid)],
  [
    'POST',
    /^\/_sim\/webhooks\/batch$/,
    (c, r) => {
      const b = parse(schemas.batch, r);
      return c.batch(b.events, b.order);
    },
  ],
  ['GET', /^\/_sim\/webhooks\/log$/, (c) => c.webhooks.log],
  ['POST', new RegExp(`^${PAGE}/subscription/drop$`), (c, _r, [p]) => c.dropSubscription(p)],
  [
    'POST',
    new RegExp(`^${PAGE}/subscription$`),
    (c, r, [p]) => {
      c.subscribe(p, parse(schemas.subscribe, r).fields);
      return { pageId: p, subscribedFields: c.state.page(p)!.subscribedFields };
    },
  ],
  [
    'PUT',
    new RegExp(`^${PAGE}/rate-limit$`),
    (c, r, [p]) => c.setRateLimit(p, parse(schemas.rateLimit, r).perSecond),
  ],
  [
    'POST',
    new RegExp(`^${PAGE}/send-failures$`),
    (c, r, [p]) => {
      const { error, ...options } = parse(schemas.sendFailures, r);
      return c.failSends(p, error, options);
    },
  ],
  [
    'GET',
    new RegExp(`^${PAGE}/send-failures$`),
    (c, _r, [p]) => ({ pageId: p, sendFailures: c.pendingSendFailures(p) }),
  ],
  ['DELETE', new RegExp(`^${PAGE}/send-failures$`), (c, _r, [p]) => c.clearSendFailures(p)],
  ['GET', new RegExp(`^${PAGE}/sent$`), (c, _r, [p]) => c.sent(p)],
  ['GET', new RegExp(`^${PAGE}/refused$`), (c, _r, [p]) => c.refusedSends(p)],
  [
    'GET',
    new RegExp(`^${PAGE}/customers$`),
    (c, _r, [p]) =>
      [...c.state.customers.values()]
        .filter((x) => x.pageId === c.requirePage(p).id)
        .map((x) => c.customerView(x)),
  ],
  [
    'POST',
    new RegExp(`^${PAGE}/customers$`),
    (c, r, [p]) => c.customerView(c.addCustomer(p, parse(schemas.newCustomer, r).name)),
  ],
  [
    'POST',
    new RegExp(`^${CUSTOMER}/messages$`),
    (c, r, [p, s]) => {
      const { mid, timestamp } = c.customerWrites(p, s, parse(customerMessage, r));
      return { mid, timestamp };
    },
  ],
  [
    'POST',
    new RegExp(`^${CUSTOMER}/read$`),
    (c, _r, [p, s]) => ({ watermark: c.customerReads(p, s).watermark }),
  ],
  [
    'POST',
    new RegExp(`^${CUSTOMER}/reactions$`),
    (c, r, [p, s]) => ({
      timestamp: c.customerReacts(p, s, parse(schemas.reaction, r)).timestamp,
    }),
  ],
  ['POST', new RegExp(`^${CUSTOMER}/block$`), (c, _r, [p, s]) => c.setBlocked(p, s, true)],
  ['POST', new RegExp(`^${CUSTOMER}/unblock$`), (c, _r, [p, s]) => c.setBlocked(p, s, false)],
  ['GET', new RegExp(`^${CUSTOMER}/conversation$`), (c, _r, [p, s]) => c.conversation(p, s)],
];

/** `/_sim/...`: JSON controls for tests and demos (docs/simulator.md). */
export function handleControl(core: SimulatorCore, req: SimRequest, res: ServerResponse): void {
  let pathMatched = false;
  for (const [method, pattern, run] of routes) {
    const m = pattern.exec(req.path);
    if (!m) continue;
    pathMatched = true;
    if (method !== req.method) continue;
    try {
      sendJson(res, 200, run(core, req, m.slice(1).map(decodeURIComponent)) ?? { ok: true });
    } catch (e) {
      if (e instanceof ControlError) sendJson(res, e.status, { error: e.message });
      else if (e instanceof GraphError) sendJson(res, 400, { error: e.message });
      else throw e;
    }
    return;
  }
  sendJson(res, pathMatched ? 405 : 404, {
    error: pathMatched ? `${req.method} is not allowed on ${req.path}` : `no control ${req.path}`,
  });
}

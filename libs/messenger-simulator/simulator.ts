import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { MESSENGER_WEBHOOK_FIELDS } from '../messenger/webhook-fields.js';
import type { AddressInfo } from 'node:net';
import { handleControl } from './controls.js';
import {
  BatchEvent,
  CustomerMessageInput,
  FacebookErrorInput,
  SendFailureOptions,
  SimulatorCore,
  SimulatorOptions,
  TokenSelector,
} from './core.js';
import { handleCustomerPage } from './customer-page.js';
import { handleDialog } from './dialog.js';
import { ControlError } from './errors.js';
import { handleGraph, VERSION_PREFIX } from './graph-routes.js';
import { readRequest, sendJson, sendText, SimRequest } from './http.js';
import { checkCdnUrl, makePng } from './media.js';

export type {
  BatchEvent,
  CustomerMessageInput,
  FacebookErrorInput,
  RefusedSend,
  SendFailure,
  SendFailureOptions,
  SimulatorOptions,
  TokenSelector,
} from './core.js';
export { SEED } from './seed.js';
export { metaJson, signatureHeaders } from './signature.js';

/** A running simulator: its URL, typed helpers mirroring the `/_sim/` controls, and `close()`. */
export interface Simulator {
  /** e.g. http://127.0.0.1:40123; Graph calls go to `${url}/v25.0/...`. */
  url: string;
  /** The object behind the helpers, for anything they do not cover. */
  core: SimulatorCore;
  state(): ReturnType<SimulatorCore['snapshot']>;
  configure(config: Parameters<SimulatorCore['configure']>[0]): ReturnType<SimulatorCore['config']>;
  customerWrites(
    pageId: string,
    psid: string,
    input: CustomerMessageInput,
  ): { mid: string; timestamp: number };
  customerReads(pageId: string, psid: string): { watermark: number };
  customerReacts(
    pageId: string,
    psid: string,
    reaction: { mid: string; emoji?: string; action?: 'react' | 'unreact' },
  ): { timestamp: number };
  addCustomer(pageId: string, name: string): { psid: string };
  block(pageId: string, psid: string): void;
  unblock(pageId: string, psid: string): void;
  redeliver(mid: string): void;
  batch(
    events: BatchEvent[],
    order?: 'as-given' | 'reversed',
  ): { events: { mid?: string; timestamp: number }[] };
  expireToken(selector: TokenSelector | string): { invalidated: number };
  revokeToken(selector: TokenSelector | string): { invalidated: number };
  dropSubscription(pageId: string): void;
  /** Subscribes the app to a page directly, as `POST {PAGE_ID}/subscribed_apps` would. */
  subscribe(pageId: string, fields?: string[]): void;
  advanceClock(seconds: number): { now: number };
  setRateLimit(pageId: string, perSecond: number): void;
  /**
   * The Send API refuses the page's next `count` (default 1) message sends, to `psid` only if
   * given, with this Facebook error (HTTP `status`, default 400); e.g.
   * `failSends(pageId, { code: 10, error_subcode: 2018278 })`.
   */
  failSends(pageId: string, error: FacebookErrorInput, options?: SendFailureOptions): void;
  /** Drops the page's failSends rules not used up yet. */
  clearSendFailures(pageId: string): void;
  /** The page's Send API calls refused by failSends, oldest first. */
  refusedSends(pageId: string): ReturnType<SimulatorCore['refusedSends']>;
  sent(pageId: string): ReturnType<SimulatorCore['sent']>;
  conversation(pageId: string, psid: string): ReturnType<SimulatorCore['conversation']>;
  /** Resolves when no webhook delivery is queued or in flight. */
  webhooksIdle(): Promise<void>;
  reset(): void;
  close(): Promise<void>;
}

const selector = (s: TokenSelector | string): TokenSelector => (typeof s === 'string' ? { token: s } : s);

/** Starts the simulator on 127.0.0.1 (port 0 = any free port). */
export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const core = new SimulatorCore(options);
  const server = createServer((req, res) => {
    handle(core, req, res).catch((e: unknown) => {
      if (e instanceof ControlError) return sendJson(res, e.status, { error: e.message });
      console.error('[simulator]', e);
      if (!res.headersSent) sendJson(res, 500, { error: e instanceof Error ? e.message : String(e) });
      else res.end();
    });
  });
  await listen(server, options.port ?? 0, options.host ?? '127.0.0.1');
  const address = server.address() as AddressInfo;
  const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
  core.baseUrl = (options.publicUrl ?? url).replace(/\/$/, '');
  // Facebook verifies a callback as soon as it is configured.
  if (options.webhookUrl) core.webhooks.reconfigure();

  return {
    url,
    core,
    state: () => core.snapshot(),
    configure: (c) => core.configure(c),
    customerWrites: (pageId, psid, input) => {
      const { mid, timestamp } = core.customerWrites(pageId, psid, input);
      return { mid, timestamp };
    },
    customerReads: (pageId, psid) => ({ watermark: core.customerReads(pageId, psid).watermark }),
    customerReacts: (pageId, psid, r) => ({ timestamp: core.customerReacts(pageId, psid, r).timestamp }),
    addCustomer: (pageId, name) => core.addCustomer(pageId, name),
    block: (pageId, psid) => void core.setBlocked(pageId, psid, true),
    unblock: (pageId, psid) => void core.setBlocked(pageId, psid, false),
    redeliver: (mid) => void core.redeliver(mid),
    batch: (events, order) => core.batch(events, order),
    expireToken: (s) => core.expireTokens(selector(s)),
    revokeToken: (s) => core.revokeTokens(selector(s)),
    dropSubscription: (pageId) => void core.dropSubscription(pageId),
    subscribe: (pageId, fields: string[] = [...MESSENGER_WEBHOOK_FIELDS]) => core.subscribe(pageId, fields),
    advanceClock: (seconds) => core.advanceClock(seconds),
    setRateLimit: (pageId, perSecond) => void core.setRateLimit(pageId, perSecond),
    failSends: (pageId, error, options) => void core.failSends(pageId, error, options),
    clearSendFailures: (pageId) => void core.clearSendFailures(pageId),
    refusedSends: (pageId) => core.refusedSends(pageId),
    sent: (pageId) => core.sent(pageId),
    conversation: (pageId, psid) => core.conversation(pageId, psid),
    webhooksIdle: () => core.webhooks.idle(),
    reset: () => void core.reset(),
    close: async () => {
      core.webhooks.close();
      server.closeAllConnections(); // SSE streams would otherwise hold close() forever
      await new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
    },
  };
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

async function handle(core: SimulatorCore, raw: IncomingMessage, res: ServerResponse): Promise<void> {
  const req = await readRequest(raw);
  if (handleCustomerPage(core, req, res)) return;
  if (req.path.startsWith('/_sim/')) return handleControl(core, req, res);
  if (req.path.startsWith('/cdn/')) return cdn(core, req, res);
  const version = VERSION_PREFIX.exec(req.path);
  if (version) {
    if (/^\/v\d+\.\d+\/dialog\/oauth\/?$/.test(req.path)) {
      return handleDialog(core, req, res, version[0].replaceAll('/', ''));
    }
    return handleGraph(core, req, res);
  }
  sendJson(res, 404, { error: `nothing at ${req.path}; Graph calls need a version prefix such as /v25.0/` });
}

/** Customers' attachments and profile pictures, behind expiring signed URLs like Facebook's CDN. */
function cdn(core: SimulatorCore, req: SimRequest, res: ServerResponse): void {
  const check = checkCdnUrl(req.path, req.query, core.now(), core.appSecret);
  if (check !== 'ok') {
    return sendText(res, 403, 'text/plain', check === 'expired' ? 'URL signature expired' : 'Bad URL hash');
  }
  const profile = /^\/cdn\/p\/([^/]+)\.png$/.exec(req.path);
  if (profile) return sendText(res, 200, 'image/png', makePng(profile[1]));
  const blob = /^\/cdn\/a\/([^/]+)\//.exec(req.path);
  const found = blob ? core.state.blobs.get(blob[1]) : undefined;
  if (!found) return sendText(res, 404, 'text/plain', 'Not found');
  sendText(res, 200, found.contentType, found.bytes);
}

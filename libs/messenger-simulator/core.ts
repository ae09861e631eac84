import { ControlError, GraphError, GraphErrorDetails, graphErrors } from './errors.js';
import { ATTACHMENT_URL_TTL_MS, generatedMedia, PROFILE_PIC_TTL_MS, signCdnPath } from './media.js';
import { WEBHOOK_FIELDS } from './seed.js';
import {
  Attachment,
  AttachmentType,
  ConversationItem,
  Customer,
  DAY,
  newMid,
  randomId,
  SentRecord,
  SimState,
  TokenRecord,
} from './state.js';
import { MessagingEvent, PendingEvent, WebhookDispatcher } from './webhooks.js';

export interface SimulatorOptions {
  /** 0 = a random free port. Always bound to 127.0.0.1 unless `host` says otherwise. */
  port?: number;
  host?: string;
  appId?: string;
  appSecret?: string;
  webhookUrl?: string;
  verifyToken?: string;
  /** Only `demo` exists: two pages of Dana Demo, Sam with none (see seed.ts). */
  seed?: 'demo';
  /** Consecutive failed webhook attempts for a page before its subscription is dropped. */
  failuresBeforeUnsubscribe?: number;
  /** Wait before each retry; the last value repeats. */
  retryDelaysMs?: number[];
  /** How long Parley has to answer a webhook POST. */
  webhookTimeoutMs?: number;
  /** The public base URL for links the simulator hands out (defaults to where it listens). */
  publicUrl?: string;
}

/** Customer input, as the message control and the batch control take it. */
export interface CustomerMessageInput {
  text?: string;
  attachment?: { type: AttachmentType; name?: string; dataBase64?: string; contentType?: string };
  quickReply?: string;
  replyTo?: string;
  postbackPayload?: string;
  postbackTitle?: string;
}

export type BatchEvent =
  | ({ kind?: 'message' | 'postback'; pageId: string; psid: string } & CustomerMessageInput)
  | { kind: 'read'; pageId: string; psid: string }
  | {
      kind: 'reaction';
      pageId: string;
      psid: string;
      mid: string;
      emoji?: string;
      action?: 'react' | 'unreact';
    };

export type TokenSelector = { token?: string; pageId?: string; personId?: string };

/** A Facebook error to answer Send API calls with (`failSends`): the fields of Facebook's error body. */
export interface FacebookErrorInput extends GraphErrorDetails {
  code: number;
  error_subcode?: number;
  /** Facebook's usual words for the code when left out, e.g. "(#100) Invalid parameter". */
  message?: string;
}

export interface SendFailureOptions {
  /** How many message sends to refuse (default 1). */
  count?: number;
  /** Only sends to this customer of the page (default: any customer). */
  psid?: string;
  /** The HTTP status of the answer (default 400, as Facebook answers most errors). */
  status?: number;
}

/** A rule of `failSends` still refusing sends. */
export interface SendFailure {
  error: FacebookErrorInput;
  status: number;
  psid: string | null;
  remaining: number;
}

/** A Send API call refused by `failSends`: what it asked to send, and the error it got. */
export type RefusedSend = SentRecord & {
  status: number;
  error: { code: number; error_subcode?: number; message: string };
};

/** What Facebook says for the codes tests are likeliest to inject. */
const ERROR_WORDS: Record<number, string> = {
  1: 'An unknown error has occurred.',
  2: 'An unexpected error has occurred. Please retry your request later.',
  4: '(#4) Application request limit reached',
  10: '(#10) Application does not have permission for this action',
  100: '(#100) Invalid parameter',
  200: '(#200) Permissions error',
  613: '(#613) Calls to this api have exceeded the rate limit.',
  1200: 'Temporary send message failure. Please try again later',
};

/** Retries at once a few times, then less often; 20 attempts take about an hour, as on Facebook. */
export const DEFAULT_RETRY_DELAYS_MS = [0, 0, 1000, 5000, 15_000, 30_000, 60_000, 120_000, 300_000];
export const SEND_TAGS = ['HUMAN_AGENT', 'ACCOUNT_UPDATE', 'CONFIRMED_EVENT_UPDATE', 'POST_PURCHASE_UPDATE'];
const SENDER_ACTIONS = ['typing_on', 'typing_off', 'mark_seen'];

type Listener = () => void;

/**
 * The simulator's behaviour, independent of HTTP: Graph routes, controls, the customer page and the
 * programmatic helpers all call these methods, so every way in behaves the same.
 */
export class SimulatorCore {
  state = new SimState();
  readonly webhooks: WebhookDispatcher;
  readonly appId: string;
  readonly appSecret: string;
  baseUrl = '';
  /** Why a page lost its subscription, when the simulator dropped it. */
  private droppedReason = new Map<string, string>();
  private sendTimes = new Map<string, number[]>();
  /** Calls refused with 613 per page, for tests and the state view. */
  private rateLimited = new Map<string, number>();
  /** Per page, the `failSends` rules still refusing sends, first come first used. */
  private sendFailures = new Map<string, SendFailure[]>();
  /** Per page, the Send API calls those rules refused. */
  private refused = new Map<string, RefusedSend[]>();
  private listeners = new Map<string, Set<Listener>>();
  private statusListeners = new Set<Listener>();

  constructor(private readonly options: SimulatorOptions) {
    this.appId = options.appId ?? '100000000000001';
    this.appSecret = options.appSecret ?? 'simulator-app-secret';
    this.webhooks = new WebhookDispatcher(
      {
        url: options.webhookUrl,
        verifyToken: options.verifyToken,
        failuresBeforeUnsubscribe: options.failuresBeforeUnsubscribe ?? 20,
        retryDelaysMs: options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS,
        timeoutMs: options.webhookTimeoutMs ?? 5000,
      },
      {
        appSecret: this.appSecret,
        now: () => this.state.now(),
        subscribed: (pageId, field) => this.state.page(pageId)?.subscribedFields.includes(field) ?? false,
        dropSubscription: (pageId, reason) => this.dropSubscription(pageId, reason),
        onStatus: () => this.notifyStatus(),
      },
    );
  }

  now(): number {
    return this.state.now();
  }

  // ---- live updates for the customer page ----

  listen(psid: string, listener: Listener): () => void {
    let set = this.listeners.get(psid);
    if (!set) this.listeners.set(psid, (set = new Set()));
    set.add(listener);
    this.statusListeners.add(listener);
    return () => {
      set.delete(listener);
      this.statusListeners.delete(listener);
    };
  }

  private viewers(psid: string): number {
    return this.listeners.get(psid)?.size ?? 0;
  }

  private notify(psid: string): void {
    for (const l of this.listeners.get(psid) ?? []) l();
  }

  private notifyStatus(): void {
    for (const l of this.statusListeners) l();
  }

  // ---- lookups that answer controls with 404 ----

  requirePage(pageId: string) {
    const page = this.state.page(pageId);
    if (!page) throw new ControlError(`no page ${pageId}`, 404);
    return page;
  }

  requireCustomer(pageId: string, psid: string): Customer {
    this.requirePage(pageId);
    const c = this.state.customer(pageId, psid);
    if (!c) throw new ControlError(`no customer ${psid} on page ${pageId}`, 404);
    return c;
  }

  subscriptionNote(pageId: string): string | undefined {
    return this.droppedReason.get(pageId);
  }

  // ---- URLs the simulator serves ----

  cdnUrl(blobId: string, name: string, ttlMs = ATTACHMENT_URL_TTL_MS): string {
    return `${this.baseUrl}${signCdnPath(`/cdn/a/${blobId}/${encodeURIComponent(name)}`, this.now() + ttlMs, this.appSecret)}`;
  }

  profilePicUrl(psid: string): string {
    return `${this.baseUrl}${signCdnPath(`/cdn/p/${psid}.png`, this.now() + PROFILE_PIC_TTL_MS, this.appSecret)}`;
  }

  attachmentUrl(a: Attachment): string | undefined {
    return a.blobId ? this.cdnUrl(a.blobId, a.name ?? 'file') : a.url;
  }

  // ---- the customer side ----

  /** Builds and records a customer event; `deliver: false` lets the batch control send several at once. */
  customerWrites(pageId: string, psid: string, input: CustomerMessageInput, deliver = true) {
    const customer = this.requireCustomer(pageId, psid);
    const at = this.now();
    const mid = newMid();
    let event: MessagingEvent;
    let field: string;
    let item: ConversationItem;
    if (input.postbackPayload !== undefined) {
      const title = input.postbackTitle ?? input.postbackPayload;
      item = {
        mid,
        from: 'customer',
        kind: 'postback',
        at,
        postback: { title, payload: input.postbackPayload },
      };
      event = { ...ends(psid, pageId, at), postback: { mid, title, payload: input.postbackPayload } };
      field = 'messaging_postbacks';
    } else {
      if (!input.text && !input.attachment)
        throw new ControlError('give text, an attachment, or a postbackPayload');
      const attachments = input.attachment
        ? [this.storeCustomerAttachment(input.attachment, mid)]
        : undefined;
      item = {
        mid,
        from: 'customer',
        kind: 'message',
        at,
        text: input.text,
        attachments,
        quickReply: input.quickReply,
        replyTo: input.replyTo,
      };
      event = {
        ...ends(psid, pageId, at),
        message: {
          mid,
          ...(input.text ? { text: input.text } : {}),
          ...(attachments
            ? {
                attachments: attachments.map((a) => ({
                  type: a.type,
                  payload: { url: this.attachmentUrl(a) },
                })),
              }
            : {}),
          ...(input.quickReply !== undefined ? { quick_reply: { payload: input.quickReply } } : {}),
          ...(input.replyTo ? { reply_to: { mid: input.replyTo } } : {}),
        },
      };
      field = 'messages';
    }
    customer.lastMessageAt = at;
    this.state.conversation(psid).push(item);
    this.events.set(mid, { pageId, field, event });
    const pending: PendingEvent = { pageId, field, event };
    if (deliver) this.webhooks.enqueue([pending]);
    this.notify(psid);
    return { mid, timestamp: at, pending };
  }

  /** Every event ever built, by mid, so a mid can be redelivered exactly as it was first sent. */
  private events = new Map<string, PendingEvent>();

  private storeCustomerAttachment(
    a: NonNullable<CustomerMessageInput['attachment']>,
    mid: string,
  ): Attachment {
    const made = generatedMedia(a.type, mid);
    const id = randomId(12);
    const bytes = a.dataBase64 !== undefined ? Buffer.from(a.dataBase64, 'base64') : made.bytes;
    if (bytes.length > 25 * 1024 * 1024) throw new ControlError('attachments are limited to 25 MB', 413);
    const name = a.name ?? made.name;
    this.state.blobs.set(id, { id, name, contentType: a.contentType ?? made.contentType, bytes });
    return { type: a.type, blobId: id, name };
  }

  /** The customer has seen everything so far: a read event with watermark = now. */
  customerReads(pageId: string, psid: string, deliver = true) {
    this.requireCustomer(pageId, psid);
    const at = this.now();
    for (const i of this.state.conversation(psid)) if (i.from === 'page' && !i.readAt) i.readAt = at;
    const pending: PendingEvent = {
      pageId,
      field: 'message_reads',
      event: { ...ends(psid, pageId, at), read: { watermark: at } },
    };
    if (deliver) this.webhooks.enqueue([pending]);
    this.notify(psid);
    return { watermark: at, pending };
  }

  customerReacts(
    pageId: string,
    psid: string,
    r: { mid: string; emoji?: string; action?: 'react' | 'unreact' },
    deliver = true,
  ) {
    this.requireCustomer(pageId, psid);
    if (!this.state.findByMid(r.mid)) throw new ControlError(`no message ${r.mid}`, 404);
    const at = this.now();
    const emoji = r.emoji ?? '❤';
    const reaction = {
      reaction: emoji === '❤' ? 'love' : 'other',
      emoji,
      action: r.action ?? 'react',
      mid: r.mid,
    };
    this.state.conversation(psid).push({ mid: newMid(), from: 'customer', kind: 'reaction', at, reaction });
    const pending: PendingEvent = {
      pageId,
      field: 'message_reactions',
      event: { ...ends(psid, pageId, at), reaction },
    };
    if (deliver) this.webhooks.enqueue([pending]);
    this.notify(psid);
    return { timestamp: at, pending };
  }

  setBlocked(pageId: string, psid: string, blocked: boolean) {
    const c = this.requireCustomer(pageId, psid);
    c.blocked = blocked;
    this.notify(psid);
    return { psid, blocked };
  }

  addCustomer(pageId: string, name: string): Customer {
    this.requirePage(pageId);
    const [firstName, ...rest] = name.trim().split(/\s+/);
    if (!firstName) throw new ControlError('give the customer a name');
    return this.state.addCustomer(pageId, firstName, rest.join(' '));
  }

  // ---- webhook controls ----

  redeliver(mid: string) {
    const pending = this.events.get(mid);
    if (!pending) throw new ControlError(`no event with mid ${mid}`, 404);
    this.webhooks.enqueue([pending]);
    return { mid, redelivered: true };
  }

  /** Several events in one POST, optionally reversed so Parley sees them out of order. */
  batch(events: BatchEvent[], order: 'as-given' | 'reversed' = 'as-given') {
    const built = events.map((e) => {
      if (e.kind === 'read') return { ...this.customerReads(e.pageId, e.psid, false), mid: undefined };
      if (e.kind === 'reaction')
        return { ...this.customerReacts(e.pageId, e.psid, e, false), mid: undefined };
      return this.customerWrites(e.pageId, e.psid, e, false);
    });
    const pending = built.map((b) => b.pending);
    this.webhooks.enqueue(order === 'reversed' ? pending.reverse() : pending);
    return {
      events: built.map((b) => ({ mid: b.mid, timestamp: 'timestamp' in b ? b.timestamp : b.watermark })),
    };
  }

  dropSubscription(pageId: string, reason = 'dropped by control') {
    const page = this.requirePage(pageId);
    page.subscribedFields = [];
    this.droppedReason.set(pageId, reason);
    this.notifyStatus();
    return { pageId, subscribedFields: [] };
  }

  subscribe(pageId: string, fields: string[]) {
    const page = this.requirePage(pageId);
    const bad = fields.find((f) => !WEBHOOK_FIELDS.includes(f));
    if (bad !== undefined)
      throw graphErrors.param(
        `Param subscribed_fields must be one of {${WEBHOOK_FIELDS.join(', ')}} - got "${bad}"`,
      );
    page.subscribedFields = [...new Set([...page.subscribedFields, ...fields])];
    this.droppedReason.delete(pageId);
    this.notifyStatus();
  }

  unsubscribe(pageId: string) {
    this.requirePage(pageId).subscribedFields = [];
    this.notifyStatus();
  }

  configure(c: {
    webhookUrl?: string;
    verifyToken?: string;
    failuresBeforeUnsubscribe?: number;
    retryDelaysMs?: number[];
  }) {
    const cfg = this.webhooks.config;
    const reverify =
      (c.webhookUrl !== undefined && c.webhookUrl !== cfg.url) ||
      (c.verifyToken !== undefined && c.verifyToken !== cfg.verifyToken);
    if (c.webhookUrl !== undefined) cfg.url = c.webhookUrl || undefined;
    if (c.verifyToken !== undefined) cfg.verifyToken = c.verifyToken;
    if (c.failuresBeforeUnsubscribe !== undefined)
      cfg.failuresBeforeUnsubscribe = c.failuresBeforeUnsubscribe;
    if (c.retryDelaysMs !== undefined) cfg.retryDelaysMs = c.retryDelaysMs;
    if (reverify || c.webhookUrl !== undefined) this.webhooks.reconfigure();
    return this.config();
  }

  config() {
    const { url, verifyToken, failuresBeforeUnsubscribe, retryDelaysMs, timeoutMs } = this.webhooks.config;
    return {
      webhookUrl: url ?? null,
      verifyToken: verifyToken ?? null,
      failuresBeforeUnsubscribe,
      retryDelaysMs,
      timeoutMs,
    };
  }

  // ---- tokens and clock ----

  private selectTokens(s: TokenSelector): TokenRecord[] {
    const all = [...this.state.tokens.values()];
    if (s.token) {
      const t = this.state.tokens.get(s.token);
      if (!t) throw new ControlError('no such token', 404);
      return [t];
    }
    if (s.pageId) {
      this.requirePage(s.pageId);
      return all.filter((t) => t.type === 'PAGE' && t.pageId === s.pageId);
    }
    if (s.personId) {
      if (!this.state.persons.has(s.personId)) throw new ControlError(`no person ${s.personId}`, 404);
      return all.filter((t) => t.personId === s.personId);
    }
    throw new ControlError('give token, pageId or personId');
  }

  /** The tokens answer 190/463 (expired) from now on. */
  expireTokens(s: TokenSelector) {
    return { invalidated: this.state.invalidate(this.selectTokens(s), 463) };
  }

  /** The person changed their password: 190/460, and page tokens made from their user tokens die too. */
  revokeTokens(s: TokenSelector) {
    return { invalidated: this.state.invalidate(this.selectTokens(s), 460) };
  }

  advanceClock(seconds: number) {
    this.state.clockOffsetMs += seconds * 1000;
    return this.clock();
  }

  clock() {
    return {
      now: this.now(),
      iso: new Date(this.now()).toISOString(),
      offsetSeconds: this.state.clockOffsetMs / 1000,
    };
  }

  setRateLimit(pageId: string, perSecond: number) {
    this.requirePage(pageId).rateLimitPerSecond = perSecond;
    return { pageId, perSecond };
  }

  /**
   * The next `count` message sends of the page (to `psid` only, if given) are refused with this
   * Facebook error, after the token checks, the rate limit and the body's validation, before the
   * recipient and the window are looked at. Sender actions (typing, seen) are not refused. Rules add up: a send takes
   * the first rule that applies to it.
   */
  failSends(pageId: string, error: FacebookErrorInput, options: SendFailureOptions = {}) {
    this.requirePage(pageId);
    const { count = 1, psid, status = 400 } = options;
    if (!Number.isInteger(error.code) || error.code <= 0)
      throw new ControlError('error.code: give a Facebook error code');
    if (
      error.error_subcode !== undefined &&
      (!Number.isInteger(error.error_subcode) || error.error_subcode <= 0)
    )
      throw new ControlError('error.error_subcode: give a positive integer');
    if (!Number.isInteger(count) || count < 1) throw new ControlError('count: give 1 or more');
    if (!Number.isInteger(status) || status < 400 || status > 599)
      throw new ControlError('status: give an HTTP error status (400-599)');
    if (psid !== undefined) this.requireCustomer(pageId, psid);
    let rules = this.sendFailures.get(pageId);
    if (!rules) this.sendFailures.set(pageId, (rules = []));
    rules.push({
      error: { ...error, message: error.message ?? ERROR_WORDS[error.code] ?? `(#${error.code}) Error` },
      status,
      psid: psid ?? null,
      remaining: count,
    });
    return { pageId, sendFailures: this.pendingSendFailures(pageId) };
  }

  /** Drops the page's `failSends` rules that have not been used up. */
  clearSendFailures(pageId: string) {
    this.requirePage(pageId);
    this.sendFailures.delete(pageId);
    return { pageId, sendFailures: [] };
  }

  pendingSendFailures(pageId: string): SendFailure[] {
    this.requirePage(pageId);
    return (this.sendFailures.get(pageId) ?? []).map((r) => ({ ...r, error: { ...r.error } }));
  }

  /** The Send API calls of the page that `failSends` refused, oldest first. */
  refusedSends(pageId: string): RefusedSend[] {
    this.requirePage(pageId);
    return (this.refused.get(pageId) ?? []).map((s) => ({
      ...s,
      ...(s.attachments
        ? { attachments: s.attachments.map((a) => ({ ...a, url: this.attachmentUrl(a) })) }
        : {}),
    }));
  }

  /** Uses up one send of the first rule that applies to this call, recording the refused call. */
  private injectedFailure(pageId: string, call: SentRecord): GraphError | undefined {
    const rules = this.sendFailures.get(pageId) ?? [];
    const rule = rules.find((r) => r.psid === null || r.psid === call.recipient);
    if (!rule) return undefined;
    if (--rule.remaining === 0) rules.splice(rules.indexOf(rule), 1);
    const { code, error_subcode, message = '', ...details } = rule.error;
    let log = this.refused.get(pageId);
    if (!log) this.refused.set(pageId, (log = []));
    log.push({
      ...call,
      status: rule.status,
      error: { code, ...(error_subcode === undefined ? {} : { error_subcode }), message },
    });
    return new GraphError(message, code, error_subcode, rule.status, details);
  }

  reset() {
    this.state = new SimState();
    this.droppedReason.clear();
    this.sendTimes.clear();
    this.rateLimited.clear();
    this.sendFailures.clear();
    this.refused.clear();
    this.events.clear();
    this.webhooks.clear();
    this.configure({
      webhookUrl: this.options.webhookUrl ?? '',
      verifyToken: this.options.verifyToken ?? '',
      failuresBeforeUnsubscribe: this.options.failuresBeforeUnsubscribe ?? 20,
      retryDelaysMs: this.options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS,
    });
    this.notifyStatus();
    return { reset: true };
  }

  /**
   * A token Graph accepts, or the 190 Facebook would answer. Expiry is read on the simulator clock,
   * so advancing it past `expires_at` makes the token fail with 463 without any control.
   */
  checkToken(token: string | undefined): TokenRecord {
    if (!token) throw graphErrors.missingToken();
    const t = this.state.tokens.get(token);
    if (!t) throw graphErrors.invalidToken();
    const problem = this.tokenProblem(t);
    if (problem) throw problem;
    return t;
  }

  tokenProblem(t: TokenRecord): GraphError | undefined {
    if (t.invalid?.subcode === 460) return graphErrors.passwordChanged();
    if (t.invalid) return graphErrors.tokenExpired(t.invalid.at, this.now());
    if (t.expiresAt && t.expiresAt <= this.now()) return graphErrors.tokenExpired(t.expiresAt, this.now());
    return undefined;
  }

  // ---- the Send API ----

  /** `POST {PAGE_ID}/messages`: validates like Facebook, records, then echo + delivery (+ read). */
  send(pageId: string, token: TokenRecord, body: Record<string, unknown>): Record<string, string> {
    if (token.type !== 'PAGE' || token.pageId !== pageId) throw graphErrors.permissionsError();
    if (!token.scopes.includes('pages_messaging')) throw graphErrors.permission('pages_messaging');
    const page = this.requirePage(pageId);
    this.countCall(pageId, page.rateLimitPerSecond);

    const recipient = body.recipient as { id?: unknown } | undefined;
    if (!recipient || typeof recipient.id !== 'string')
      throw graphErrors.param('The parameter recipient is required');
    const psid = recipient.id;
    const senderAction = body.sender_action;
    const message = body.message as Record<string, unknown> | undefined;
    if (senderAction !== undefined && message !== undefined)
      throw graphErrors.param('sender_action cannot be sent with message or other fields');
    if (senderAction === undefined && (typeof message !== 'object' || message === null))
      throw graphErrors.param('The parameter message is required');
    if (senderAction !== undefined && !SENDER_ACTIONS.includes(String(senderAction)))
      throw graphErrors.param(`Param sender_action must be one of {${SENDER_ACTIONS.join(', ')}}`);

    const messagingType = String(body.messaging_type ?? 'RESPONSE');
    const tag = body.tag === undefined ? undefined : String(body.tag);
    if (!['RESPONSE', 'UPDATE', 'MESSAGE_TAG'].includes(messagingType))
      throw graphErrors.param('Param messaging_type must be one of {RESPONSE, UPDATE, MESSAGE_TAG}');
    if (messagingType === 'MESSAGE_TAG' && (!tag || !SEND_TAGS.includes(tag)))
      throw graphErrors.param(`Param tag must be one of {${SEND_TAGS.join(', ')}}`);

    let text: string | undefined;
    let attachments: Attachment[] | undefined;
    let metadata: string | undefined;
    let reusableId: string | undefined;
    if (message) {
      if (message.text !== undefined && message.attachment !== undefined)
        throw graphErrors.param('Only one of text or attachment can be specified');
      if (message.text !== undefined) {
        text = String(message.text);
        if (text.length === 0) throw graphErrors.param('The parameter message[text] must be non-empty');
        if (text.length > 2000)
          throw graphErrors.param('Length of param message[text] must be less than or equal to 2000');
      } else if (message.attachment !== undefined) {
        const r = this.resolveAttachment(pageId, message.attachment);
        attachments = [r.attachment];
        reusableId = r.reusableId;
      } else throw graphErrors.param('The parameter message[text] or message[attachment] is required');
      if (message.metadata !== undefined) {
        metadata = String(message.metadata);
        if (metadata.length >= 1000)
          throw graphErrors.param('Length of param message[metadata] must be less than 1000');
      }
    }

    const at = this.now();
    // What the page sent, as recorded (with Facebook's mid once accepted) or refused.
    const call = {
      recipient: psid,
      messaging_type: messagingType,
      ...(tag ? { tag } : {}),
      ...(text !== undefined ? { text } : {}),
      ...(attachments ? { attachments } : {}),
      ...(metadata !== undefined ? { metadata } : {}),
      at,
    };
    if (senderAction === undefined) {
      const injected = this.injectedFailure(pageId, call);
      if (injected) throw injected;
    }

    const customer = this.state.customer(pageId, psid);
    if (!customer) throw graphErrors.noSuchUser();
    if (customer.blocked) throw graphErrors.unavailable();
    const since = customer.lastMessageAt === undefined ? Infinity : this.now() - customer.lastMessageAt;
    const allowed =
      since <= DAY ||
      (messagingType === 'MESSAGE_TAG' && tag === 'HUMAN_AGENT' && since <= 7 * DAY) ||
      (messagingType === 'MESSAGE_TAG' && tag !== 'HUMAN_AGENT' && since !== Infinity);
    if (!allowed) throw graphErrors.outsideWindow();

    if (senderAction !== undefined) {
      this.state.sentBy(pageId).push({ recipient: psid, sender_action: String(senderAction), at });
      this.notify(psid);
      return { recipient_id: psid };
    }

    const mid = newMid();
    const record: SentRecord = { ...call, mid };
    this.state.sentBy(pageId).push(record);
    const item: ConversationItem = {
      mid,
      from: 'page',
      kind: 'message',
      at,
      text,
      attachments,
      metadata,
      messagingType,
      tag,
    };
    this.state.conversation(psid).push(item);
    this.afterSend(pageId, psid, item);
    return { recipient_id: psid, message_id: mid, ...(reusableId ? { attachment_id: reusableId } : {}) };
  }

  /** Echo, then delivery to the customer's device, then a read if someone has the chat open. */
  private afterSend(pageId: string, psid: string, item: ConversationItem): void {
    const appId = Number.isSafeInteger(Number(this.appId)) ? Number(this.appId) : this.appId;
    const echo: PendingEvent = {
      pageId,
      field: 'message_echoes',
      event: {
        sender: { id: pageId },
        recipient: { id: psid },
        timestamp: item.at,
        message: {
          is_echo: true,
          app_id: appId,
          ...(item.metadata !== undefined ? { metadata: item.metadata } : {}),
          mid: item.mid,
          ...(item.text !== undefined ? { text: item.text } : {}),
          ...(item.attachments
            ? {
                attachments: item.attachments.map((a) => ({
                  type: a.type,
                  payload: { url: this.attachmentUrl(a) },
                })),
              }
            : {}),
        },
      },
    };
    this.events.set(item.mid, echo);
    item.deliveredAt = this.now();
    const delivery: PendingEvent = {
      pageId,
      field: 'message_deliveries',
      event: { ...ends(psid, pageId, item.deliveredAt), delivery: { mids: [item.mid], watermark: item.at } },
    };
    this.webhooks.enqueue([echo]);
    this.webhooks.enqueue([delivery]);
    if (this.viewers(psid) > 0) this.customerReads(pageId, psid);
    else this.notify(psid);
  }

  private resolveAttachment(pageId: string, raw: unknown): { attachment: Attachment; reusableId?: string } {
    const a = raw as { type?: unknown; payload?: Record<string, unknown> };
    const type = String(a?.type ?? '');
    if (!['image', 'video', 'audio', 'file', 'template'].includes(type))
      throw graphErrors.param(
        'Param message[attachment][type] must be one of {image, video, audio, file, template}',
      );
    const payload = a.payload ?? {};
    if (type === 'template') return { attachment: { type } };
    if (payload.attachment_id !== undefined) {
      const up = this.state.uploads.get(String(payload.attachment_id));
      if (!up || up.pageId !== pageId) throw graphErrors.param('Attachment id is invalid');
      return { attachment: { type, blobId: up.blobId, url: up.url, name: up.name } };
    }
    if (typeof payload.url !== 'string' || !/^https?:\/\//.test(payload.url))
      throw graphErrors.param('Param message[attachment][payload][url] must be a valid URL');
    const attachment: Attachment = { type, url: payload.url };
    return { attachment, reusableId: payload.is_reusable ? this.upload(pageId, attachment) : undefined };
  }

  /** `message_attachments`: keeps the attachment for later sends by id. */
  upload(pageId: string, a: Attachment): string {
    const id = String(Math.floor(1e15 + Math.random() * 8e15));
    this.state.uploads.set(id, { ...a, pageId });
    return id;
  }

  /** A sliding one-second window per page; above the limit Facebook answers 613. */
  private countCall(pageId: string, limit: number): void {
    const now = Date.now();
    const recent = (this.sendTimes.get(pageId) ?? []).filter((t) => now - t < 1000);
    if (recent.length >= limit) {
      this.sendTimes.set(pageId, recent);
      this.rateLimited.set(pageId, (this.rateLimited.get(pageId) ?? 0) + 1);
      throw graphErrors.rateLimited();
    }
    recent.push(now);
    this.sendTimes.set(pageId, recent);
  }

  // ---- reading state ----

  sent(pageId: string): SentRecord[] {
    this.requirePage(pageId);
    return this.state.sentBy(pageId).map((s) => ({
      ...s,
      ...(s.attachments
        ? { attachments: s.attachments.map((a) => ({ ...a, url: this.attachmentUrl(a) })) }
        : {}),
    }));
  }

  conversation(pageId: string, psid: string) {
    this.requireCustomer(pageId, psid);
    return this.state.conversation(psid).map((i) => ({
      ...i,
      ...(i.attachments
        ? { attachments: i.attachments.map((a) => ({ ...a, url: this.attachmentUrl(a) })) }
        : {}),
    }));
  }

  customerView(c: Customer) {
    return {
      psid: c.psid,
      pageId: c.pageId,
      name: c.profile ? `${c.profile.firstName} ${c.profile.lastName}`.trim() : null,
      firstName: c.profile?.firstName ?? null,
      lastName: c.profile?.lastName ?? null,
      hasProfile: c.profile !== undefined,
      blocked: c.blocked,
      lastMessageAt: c.lastMessageAt ?? null,
    };
  }

  snapshot() {
    const s = this.state;
    const customers = [...s.customers.values()];
    return {
      app: { id: this.appId },
      clock: this.clock(),
      webhook: { ...this.config(), ...this.webhooks.status() },
      persons: [...s.persons.values()].map((p) => ({
        ...p,
        pages: [...s.pages.values()]
          .filter((pg) => pg.admins.some((a) => a.personId === p.id))
          .map((pg) => pg.id),
      })),
      pages: [...s.pages.values()].map((p) => ({
        id: p.id,
        name: p.name,
        admins: p.admins,
        subscribedFields: p.subscribedFields,
        subscribed: p.subscribedFields.length > 0,
        subscriptionNote: this.droppedReason.get(p.id) ?? null,
        rateLimitPerSecond: p.rateLimitPerSecond,
        /** Send API calls refused with 613 so far. */
        rateLimitedCalls: this.rateLimited.get(p.id) ?? 0,
        /** `failSends` rules still refusing sends, and how many calls they refused so far. */
        sendFailures: this.pendingSendFailures(p.id),
        refusedSends: this.refused.get(p.id)?.length ?? 0,
        customers: customers.filter((c) => c.pageId === p.id).map((c) => this.customerView(c)),
      })),
      tokens: [...s.tokens.values()].map((t) => ({
        token: t.token,
        type: t.type,
        personId: t.personId,
        pageId: t.pageId ?? null,
        scopes: t.scopes,
        declined: t.declined,
        expires_at: Math.floor(t.expiresAt / 1000),
        is_valid: this.tokenProblem(t) === undefined,
        error_subcode: this.tokenProblem(t)?.subcode ?? null,
      })),
    };
  }
}

const ends = (senderId: string, recipientId: string, timestamp: number) => ({
  sender: { id: senderId },
  recipient: { id: recipientId },
  timestamp,
});

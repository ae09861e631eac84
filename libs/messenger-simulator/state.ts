import { randomBytes } from 'node:crypto';
import { ADMIN_TASKS, PARLEY_SCOPES, SEED } from './seed.js';

export type TokenType = 'USER' | 'PAGE';
export type AttachmentType = 'image' | 'video' | 'audio' | 'file';

export interface Person {
  id: string;
  name: string;
}

export interface Page {
  id: string;
  name: string;
  admins: { personId: string; tasks: string[] }[];
  /** Webhook fields the app is subscribed to; empty = not subscribed (no deliveries). */
  subscribedFields: string[];
  /** Send API calls allowed per second before 613. */
  rateLimitPerSecond: number;
}

export interface Customer {
  psid: string;
  pageId: string;
  /** Absent for customers whose profile Facebook will not give (no-profile customers). */
  profile?: { firstName: string; lastName: string };
  blocked: boolean;
  /** Simulator-clock ms of the customer's last message or postback: opens the 24 h window. */
  lastMessageAt?: number;
}

export interface TokenRecord {
  token: string;
  type: TokenType;
  personId: string;
  pageId?: string;
  scopes: string[];
  declined: string[];
  /** Pages the person granted in the dialog (user tokens); `me/accounts` lists only these. */
  grantedPageIds: string[];
  issuedAt: number;
  /** Simulator-clock ms; 0 = never. */
  expiresAt: number;
  dataAccessExpiresAt: number;
  longLived: boolean;
  /** The user token a page token came from: revoking that one kills this one. */
  parent?: string;
  invalid?: { subcode: 460 | 463 | 467; at: number };
}

export interface AuthCode {
  code: string;
  personId: string;
  redirectUri: string;
  scopes: string[];
  declined: string[];
  grantedPageIds: string[];
  expiresAt: number;
  used: boolean;
}

export interface Attachment {
  type: string;
  /** Where the bytes are: a simulator CDN blob or a URL the page gave. */
  blobId?: string;
  url?: string;
  name?: string;
}

export interface ConversationItem {
  mid: string;
  from: 'customer' | 'page';
  kind: 'message' | 'postback' | 'reaction';
  at: number;
  text?: string;
  attachments?: Attachment[];
  quickReply?: string;
  replyTo?: string;
  postback?: { title: string; payload: string };
  reaction?: { reaction: string; emoji: string; action: 'react' | 'unreact'; mid: string };
  metadata?: string;
  messagingType?: string;
  tag?: string;
  deliveredAt?: number;
  readAt?: number;
}

export interface SentRecord {
  recipient: string;
  messaging_type?: string;
  tag?: string;
  text?: string;
  attachments?: Attachment[];
  metadata?: string;
  sender_action?: string;
  mid?: string;
  at: number;
}

export interface Blob {
  id: string;
  name: string;
  contentType: string;
  bytes: Buffer;
}

export const HOUR = 3600_000;
export const DAY = 24 * HOUR;
export const SHORT_LIVED_MS = HOUR;
export const LONG_LIVED_MS = 60 * DAY;
export const DATA_ACCESS_MS = 90 * DAY;

export const randomId = (bytes = 24): string => randomBytes(bytes).toString('base64url');
/** Facebook tokens start with EAA; ours do too so logs look familiar, then random. */
export const newToken = (): string => `EAASim${randomBytes(30).toString('base64url').replace(/[-_]/g, 'x')}`;
export const newMid = (): string => `m_${randomBytes(40).toString('base64url')}`;

/**
 * Everything the simulator knows, in memory. Methods here change data only; sending webhooks and
 * telling the customer page is the core's job.
 */
export class SimState {
  /** Added to the wall clock so tests can jump ahead (token expiry, the 24 h / 7 d windows). */
  clockOffsetMs = 0;
  persons = new Map<string, Person>();
  pages = new Map<string, Page>();
  /** Keyed by PSID (page-scoped, so unique across pages). */
  customers = new Map<string, Customer>();
  tokens = new Map<string, TokenRecord>();
  codes = new Map<string, AuthCode>();
  conversations = new Map<string, ConversationItem[]>();
  sent = new Map<string, SentRecord[]>();
  /** attachment_id -> attachment, per page (uploads through message_attachments). */
  uploads = new Map<string, Attachment & { pageId: string }>();
  blobs = new Map<string, Blob>();
  /** Seconds counter for new customers' PSIDs. */
  private nextPsid = 1;

  constructor() {
    this.seed();
  }

  now(): number {
    return Date.now() + this.clockOffsetMs;
  }

  private seed(): void {
    for (const p of Object.values(SEED.persons)) this.persons.set(p.id, { ...p });
    const dana = SEED.persons.dana.id;
    for (const [key, p] of Object.entries(SEED.pages)) {
      this.pages.set(p.id, {
        id: p.id,
        name: p.name,
        admins: [{ personId: dana, tasks: [...ADMIN_TASKS] }],
        subscribedFields: [],
        rateLimitPerSecond: 300,
      });
      // A page token an admin already holds (like a Business Manager system-user token): never expires.
      this.tokens.set(p.token, {
        token: p.token,
        type: 'PAGE',
        personId: dana,
        pageId: p.id,
        scopes: [...PARLEY_SCOPES],
        declined: [],
        grantedPageIds: [p.id],
        issuedAt: this.now(),
        expiresAt: 0,
        dataAccessExpiresAt: 0,
        longLived: true,
      });
      const customers = SEED.customers[key as keyof typeof SEED.customers];
      for (const c of Object.values(customers)) {
        this.customers.set(c.psid, {
          psid: c.psid,
          pageId: p.id,
          profile: 'firstName' in c ? { firstName: c.firstName, lastName: c.lastName } : undefined,
          blocked: false,
        });
      }
    }
  }

  page(pageId: string): Page | undefined {
    return this.pages.get(pageId);
  }

  customer(pageId: string, psid: string): Customer | undefined {
    const c = this.customers.get(psid);
    return c && c.pageId === pageId ? c : undefined;
  }

  addCustomer(pageId: string, firstName: string, lastName: string): Customer {
    let psid: string;
    do psid = `39${String(this.nextPsid++).padStart(14, '0')}`;
    while (this.customers.has(psid));
    const c: Customer = { psid, pageId, profile: { firstName, lastName }, blocked: false };
    this.customers.set(psid, c);
    return c;
  }

  conversation(psid: string): ConversationItem[] {
    let list = this.conversations.get(psid);
    if (!list) this.conversations.set(psid, (list = []));
    return list;
  }

  sentBy(pageId: string): SentRecord[] {
    let list = this.sent.get(pageId);
    if (!list) this.sent.set(pageId, (list = []));
    return list;
  }

  /** Finds a message (either side) by mid on any conversation. */
  findByMid(mid: string): { psid: string; item: ConversationItem } | undefined {
    for (const [psid, items] of this.conversations) {
      const item = items.find((i) => i.mid === mid);
      if (item) return { psid, item };
    }
    return undefined;
  }

  issueUserToken(
    code: Omit<AuthCode, 'code' | 'redirectUri' | 'expiresAt' | 'used'>,
    longLived: boolean,
  ): TokenRecord {
    const now = this.now();
    const record: TokenRecord = {
      token: newToken(),
      type: 'USER',
      personId: code.personId,
      scopes: [...code.scopes],
      declined: [...code.declined],
      grantedPageIds: [...code.grantedPageIds],
      issuedAt: now,
      expiresAt: now + (longLived ? LONG_LIVED_MS : SHORT_LIVED_MS),
      dataAccessExpiresAt: now + DATA_ACCESS_MS,
      longLived,
    };
    this.tokens.set(record.token, record);
    return record;
  }

  /**
   * The page token `me/accounts` hands out for a user token: the same one on every call (as
   * Facebook does), never expiring when the user token is long-lived, ~1 h otherwise.
   */
  pageTokenFor(user: TokenRecord, pageId: string): TokenRecord {
    for (const t of this.tokens.values()) {
      if (t.type === 'PAGE' && t.parent === user.token && t.pageId === pageId) return t;
    }
    const record: TokenRecord = {
      token: newToken(),
      type: 'PAGE',
      personId: user.personId,
      pageId,
      scopes: [...user.scopes],
      declined: [...user.declined],
      grantedPageIds: [pageId],
      issuedAt: this.now(),
      expiresAt: user.longLived ? 0 : user.expiresAt,
      dataAccessExpiresAt: user.dataAccessExpiresAt,
      longLived: user.longLived,
      parent: user.token,
    };
    this.tokens.set(record.token, record);
    return record;
  }

  /**
   * Marks tokens dead: 463 expired, 460 password changed. A password change also kills the page
   * tokens made from those user tokens; plain expiry does not (long-lived page tokens outlive it).
   */
  invalidate(records: TokenRecord[], subcode: 460 | 463): number {
    const at = this.now();
    const dead = new Set<string>();
    for (const r of records) {
      r.invalid = { subcode, at };
      dead.add(r.token);
    }
    for (const t of subcode === 460 ? this.tokens.values() : []) {
      if (t.parent && dead.has(t.parent) && !t.invalid) {
        t.invalid = { subcode, at };
        dead.add(t.token);
      }
    }
    return dead.size;
  }
}

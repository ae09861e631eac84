import { z } from 'zod';

/**
 * Meta's Messenger webhook payload (shared meta-platform notes, "Webhook"), parsed into a typed
 * list of events per entry. Pure: no I/O. Anything it does not recognise becomes an `unknown`
 * event (or is skipped, for entries without `messaging`), never an error: the raw delivery is
 * kept by the server, so nothing is lost by ignoring it here.
 */

export type AttachmentType = 'IMAGE' | 'VIDEO' | 'AUDIO' | 'FILE';

export interface InboundAttachment {
  type: AttachmentType;
  /** Facebook's URL (it expires after a few days). */
  url: string;
  name?: string;
}

interface EventBase {
  /** The page (entry.id). */
  pageId: string;
  /** The customer: the sender, or the recipient of an echo. */
  psid: string;
  /** Facebook's event time, milliseconds since the epoch. */
  timestamp: number;
}

export type WebhookEvent = EventBase &
  (
    | {
        kind: 'message';
        mid: string;
        text: string | null;
        attachments: InboundAttachment[];
        quickReplyPayload: string | null;
        replyToMid: string | null;
      }
    | { kind: 'postback'; mid: string | null; title: string; payload: string | null }
    | {
        kind: 'echo';
        mid: string;
        text: string | null;
        attachments: InboundAttachment[];
        metadata: string | null;
        appId: string | null;
      }
    | { kind: 'delivery'; mids: string[]; watermark: number }
    | { kind: 'read'; watermark: number }
    | {
        kind: 'reaction';
        mid: string;
        emoji: string | null;
        reaction: string | null;
        action: 'react' | 'unreact';
      }
    | { kind: 'unknown'; raw: unknown }
  );

export type WebhookEventKind = WebhookEvent['kind'];

export interface WebhookEntry {
  pageId: string;
  time: number | null;
  events: WebhookEvent[];
}

export type ParsedWebhook = { ok: true; entries: WebhookEntry[] } | { ok: false; error: string };

const id = z.union([z.string(), z.number()]).transform(String);
const party = z.object({ id });

const attachmentSchema = z.object({
  type: z.string(),
  payload: z.object({ url: z.string().optional(), title: z.string().optional() }).loose().nullish(),
  title: z.string().optional(),
  name: z.string().optional(),
});

const messageSchema = z.object({
  mid: z.string(),
  is_echo: z.boolean().optional(),
  app_id: id.optional(),
  metadata: z.string().optional(),
  text: z.string().optional(),
  attachments: z.array(attachmentSchema).optional(),
  quick_reply: z.object({ payload: z.string() }).optional(),
  reply_to: z.object({ mid: z.string() }).optional(),
});

const eventSchema = z.object({
  sender: party,
  recipient: party,
  timestamp: z.number(),
  message: messageSchema.optional(),
  postback: z
    .object({ mid: z.string().optional(), title: z.string().optional(), payload: z.string().optional() })
    .optional(),
  delivery: z.object({ mids: z.array(z.string()).optional(), watermark: z.number() }).optional(),
  read: z.object({ watermark: z.number() }).optional(),
  reaction: z
    .object({
      mid: z.string(),
      action: z.enum(['react', 'unreact']).optional(),
      emoji: z.string().optional(),
      reaction: z.string().optional(),
    })
    .optional(),
});

const bodySchema = z.object({
  object: z.literal('page'),
  entry: z.array(
    z
      .object({
        id,
        time: z.number().optional(),
        messaging: z.array(z.unknown()).optional(),
      })
      .loose(),
  ),
});

const ATTACHMENT_TYPES: Record<string, AttachmentType> = {
  image: 'IMAGE',
  video: 'VIDEO',
  audio: 'AUDIO',
  file: 'FILE',
};

/** Attachments Parley can keep: image/video/audio/file, and anything else that carries a URL as FILE. */
function attachmentsOf(raw: z.infer<typeof attachmentSchema>[] | undefined): InboundAttachment[] {
  const kept: InboundAttachment[] = [];
  for (const a of raw ?? []) {
    const url = a.payload?.url;
    if (!url) continue;
    const name = a.name ?? a.title ?? a.payload?.title;
    kept.push({ type: ATTACHMENT_TYPES[a.type] ?? 'FILE', url, ...(name ? { name } : {}) });
  }
  return kept;
}

/** One `messaging[]` item of the entry of `pageId`; unknown shapes become `unknown`. */
export function parseMessagingEvent(pageId: string, raw: unknown): WebhookEvent {
  const parsed = eventSchema.safeParse(raw);
  if (!parsed.success) {
    // Still name the customer when we can, so logs say whose event was ignored.
    const r = raw as { sender?: { id?: unknown }; timestamp?: unknown } | null;
    return {
      kind: 'unknown',
      pageId,
      psid: r?.sender?.id === undefined ? '' : String(r.sender.id),
      timestamp: typeof r?.timestamp === 'number' ? r.timestamp : 0,
      raw,
    };
  }
  const e = parsed.data;
  const base = { pageId, psid: e.sender.id, timestamp: e.timestamp };
  if (e.message?.is_echo) {
    return {
      ...base,
      psid: e.recipient.id,
      kind: 'echo',
      mid: e.message.mid,
      text: e.message.text ?? null,
      attachments: attachmentsOf(e.message.attachments),
      metadata: e.message.metadata ?? null,
      appId: e.message.app_id ?? null,
    };
  }
  if (e.message) {
    return {
      ...base,
      kind: 'message',
      mid: e.message.mid,
      text: e.message.text ?? null,
      attachments: attachmentsOf(e.message.attachments),
      quickReplyPayload: e.message.quick_reply?.payload ?? null,
      replyToMid: e.message.reply_to?.mid ?? null,
    };
  }
  if (e.postback) {
    return {
      ...base,
      kind: 'postback',
      mid: e.postback.mid ?? null,
      title: e.postback.title ?? e.postback.payload ?? '',
      payload: e.postback.payload ?? null,
    };
  }
  if (e.delivery)
    return { ...base, kind: 'delivery', mids: e.delivery.mids ?? [], watermark: e.delivery.watermark };
  if (e.read) return { ...base, kind: 'read', watermark: e.read.watermark };
  if (e.reaction) {
    return {
      ...base,
      kind: 'reaction',
      mid: e.reaction.mid,
      emoji: e.reaction.emoji ?? null,
      reaction: e.reaction.reaction ?? null,
      action: e.reaction.action ?? 'react',
    };
  }
  return { ...base, kind: 'unknown', raw };
}

/** A whole POST body (already JSON-parsed): every event of every entry, in the order received. */
export function parseWebhook(body: unknown): ParsedWebhook {
  const parsed = bodySchema.safeParse(body);
  if (!parsed.success)
    return { ok: false, error: 'not a Messenger page delivery ({"object":"page","entry":[…]})' };
  return {
    ok: true,
    entries: parsed.data.entry.map((entry) => ({
      pageId: entry.id,
      time: entry.time ?? null,
      events: (entry.messaging ?? []).map((raw) => parseMessagingEvent(entry.id, raw)),
    })),
  };
}

/** Parses the exact bytes Facebook sent. */
export function parseWebhookBytes(bytes: Buffer | Uint8Array): ParsedWebhook {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    return { ok: false, error: 'the body is not JSON' };
  }
  return parseWebhook(json);
}

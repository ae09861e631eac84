// The event catalogue: every event Parley publishes, with its payload and its topic. Payloads are
// ids and the minimal data; subscribers read the current state through the owning module's
// service, so a late or retried event can never show stale data. Published only after commit,
// through Transactions (infrastructure/events/after-commit.ts). See docs/events.md.
import { z } from 'zod';
import { defineEvent } from '../infrastructure/events/event.js';

export { SocketClosed, SocketConnected, type SocketEvent } from '../infrastructure/events/socket-events.js';

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
export type JsonObject = Record<string, Json>;

/**
 * The last state of a deleted campaign, as the API showed it (dates as ISO strings): the one
 * payload that cannot be re-read, because the row is gone.
 */
const deletedCampaignSchema = z.record(z.string(), z.json()) as z.ZodType<JsonObject>;

export const CampaignChanged = defineEvent<{
  campaignId: string;
  deleted: JsonObject | null;
}>({
  name: 'campaign.changed',
  description:
    "A campaign's settings, canned responses, members or token changed; or it was deleted (`deleted` holds its last state).",
  schema: z.object({ campaignId: z.string(), deleted: deletedCampaignSchema.nullable() }),
  ownerOf: (e) => e.campaignId,
});

export const UserChanged = defineEvent<{ userId: string }>({
  name: 'user.changed',
  description: 'A user was created, or their name, role, presence or active flag changed.',
  schema: z.object({ userId: z.string() }),
});

export const AgentPresenceChanged = defineEvent<{
  userId: string;
  presence: 'OFFLINE' | 'AVAILABLE' | 'BREAK';
  previous: 'OFFLINE' | 'AVAILABLE' | 'BREAK';
}>({
  name: 'agent.presence-changed',
  description:
    'A user chose another presence, or went OFFLINE when their last socket stayed closed past the grace period. Routing offers queued interactions to an agent who became AVAILABLE.',
  schema: z.object({
    userId: z.string(),
    presence: z.enum(['OFFLINE', 'AVAILABLE', 'BREAK']),
    previous: z.enum(['OFFLINE', 'AVAILABLE', 'BREAK']),
  }),
  ownerOf: (e) => e.userId,
});

export const UserSessionsEnded = defineEvent<{ userId: string; reason: string }>({
  name: 'user.sessions-ended',
  description:
    "Every token and socket of the user stops at once (deactivation, password reset): each instance closes the user's sockets and forgets what it cached about them.",
  schema: z.object({ userId: z.string(), reason: z.string() }),
});

export const ApiKeyChanged = defineEvent<{ apiKeyId: string; revoked: boolean }>({
  name: 'api-key.changed',
  description: 'An API key was created or revoked; a revoked key is refused at once on every instance.',
  schema: z.object({ apiKeyId: z.string(), revoked: z.boolean() }),
});

export const InteractionQueued = defineEvent<{ interactionId: string; campaignId: string }>({
  name: 'interaction.queued',
  description:
    "An interaction entered its campaign's queue: created by a customer's first message, an ABANDONED one re-queued (keeping its queuedAt) by a new message, or one transferred into this campaign. Routing offers it.",
  schema: z.object({ interactionId: z.string(), campaignId: z.string() }),
  ownerOf: (e) => e.campaignId,
});

export const ManualQueueChanged = defineEvent<{ campaignId: string; interactionId: string }>({
  name: 'manual-queue.changed',
  description:
    "A MANUAL campaign's queue, which its agents pick from, changed: a chat joined it (a customer's first message, an ABANDONED one back, a transfer in), left it (taken, abandoned), or a waiting chat changed (the customer's name read). Carried on the campaign's topic; queueChanged forwards it.",
  schema: z.object({ campaignId: z.string(), interactionId: z.string() }),
  ownerOf: (e) => e.campaignId,
});

export const InteractionMessageReceived = defineEvent<{
  interactionId: string;
  campaignId: string;
  agentId: string | null;
  messageId: string;
}>({
  name: 'interaction.message-received',
  description:
    'A customer message joined an interaction that was already open (QUEUED, OFFERED or ACTIVE); agentId is who holds it, if anyone.',
  schema: z.object({
    interactionId: z.string(),
    campaignId: z.string(),
    agentId: z.string().nullable(),
    messageId: z.string(),
  }),
  ownerOf: (e) => e.campaignId,
});

export const MessageChanged = defineEvent<{ messageId: string; interactionId: string }>({
  name: 'message.changed',
  description:
    "A message of an interaction was added (the customer's, an agent's reply, an automatic one) or changed (SENT, DELIVERED, READ, FAILED, a reaction, its attachments stored). Carried on the interaction's own topic; messageChanged forwards it.",
  schema: z.object({ messageId: z.string(), interactionId: z.string() }),
  ownerOf: (e) => e.interactionId,
});

export const InboxEventKinds = ['OFFERED', 'ASSIGNED', 'MESSAGE', 'UPDATED', 'CLOSED', 'REVOKED'] as const;
export type InboxEventKindName = (typeof InboxEventKinds)[number];

export const InboxChanged = defineEvent<{
  userId: string;
  interactionId: string;
  kind: InboxEventKindName;
  messageId: string | null;
}>({
  name: 'inbox.changed',
  description:
    "Something happened to one of an agent's interactions: offered to them, assigned (accepted), a new message (MESSAGE, with messageId: the customer's or a reply), updated (with messageId when a message's status, reaction or attachments changed), closed, or revoked (offer withdrawn or transferred away). Carried on the agent's own topic; inboxChanged forwards it.",
  schema: z.object({
    userId: z.string(),
    interactionId: z.string(),
    kind: z.enum(InboxEventKinds),
    messageId: z.string().nullable(),
  }),
  ownerOf: (e) => e.userId,
});

// The queue's rules (product.md section 4, "Lifecycle" and "Order"): in which order waiting interactions
// are routed, and when a waiting one counts as abandoned.

/** An interaction's lifecycle: QUEUED -> OFFERED -> ACTIVE -> CLOSED, or QUEUED -> ABANDONED. */
export const InteractionStatus = {
  QUEUED: 'QUEUED',
  OFFERED: 'OFFERED',
  ACTIVE: 'ACTIVE',
  CLOSED: 'CLOSED',
  ABANDONED: 'ABANDONED',
} as const;
export type InteractionStatus = (typeof InteractionStatus)[keyof typeof InteractionStatus];

/** What the queue order needs of an interaction; any other fields ride along untouched. */
export interface Queued {
  id: string;
  /**
   * When the interaction first joined this campaign's queue. Never moved forward: a revoked offer and
   * an abandoned chat re-queued by a new customer message both keep it, which is what keeps their place.
   */
  queuedAt: Date;
}

/**
 * One campaign's waiting interactions in routing order: oldest `queuedAt` first, then `id` so equal
 * instants still have one order (`ORDER BY queued_at, id` in SQL gives the same for lower-case UUIDs).
 *
 * This one key covers the product's three cases, so nothing else (such as a `requeuedAt`) takes part:
 * - first in, first out;
 * - an offer that timed out goes back to the head: it was the head when it was offered, and keeping its
 *   `queuedAt` puts it back before everything that arrived since. Only an even older interaction (one
 *   still waiting because every eligible agent was excluded from it) stays ahead, which is fair;
 * - an ABANDONED interaction re-queued by a new customer message keeps its place for the same reason.
 *
 * Returns a new array; the input is not changed.
 */
export function queueOrder<T extends Queued>(interactions: readonly T[]): T[] {
  return [...interactions].sort(
    (a, b) => a.queuedAt.getTime() - b.queuedAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
}

export interface AbandonmentFacts {
  status: InteractionStatus;
  queuedAt: Date;
  /** The customer's latest message in this interaction, null if none since it was queued. */
  lastCustomerMessageAt: Date | null;
  /**
   * When the campaign last opened (schedule.openedAt). Time spent waiting while it was closed is
   * not waiting for an agent: the customer was told it is closed, and the chat is routed at opening.
   */
  openedAt?: Date | null;
}

/**
 * When a QUEUED interaction becomes abandoned if nothing happens: `dropoutSeconds` after the latest of
 * `queuedAt`, the customer's last message (a customer still writing is still waiting, not gone) and
 * the campaign's opening.
 * Null when it is not QUEUED (an OFFERED one is being handled). For scheduling the check as a delayed job.
 */
export function abandonAt(interaction: AbandonmentFacts, dropoutSeconds: number): Date | null {
  if (interaction.status !== InteractionStatus.QUEUED) return null;
  const since = Math.max(
    interaction.queuedAt.getTime(),
    interaction.lastCustomerMessageAt?.getTime() ?? -Infinity,
    interaction.openedAt?.getTime() ?? -Infinity,
  );
  return new Date(since + dropoutSeconds * 1000);
}

/**
 * Whether a waiting interaction counts as abandoned at `now`: it is QUEUED and
 * `now - max(queuedAt, lastCustomerMessageAt) >= dropoutSeconds`. Exactly at the threshold counts.
 * With `dropoutSeconds` 0 a queued interaction is abandoned at once (the threshold allows 0).
 * A revoked offer returns to QUEUED with its original `queuedAt`, so one that waited long before its
 * offer can be abandoned right after the revoke unless the customer wrote since: the product's rule.
 */
export function isAbandoned(interaction: AbandonmentFacts, dropoutSeconds: number, now: Date): boolean {
  const at = abandonAt(interaction, dropoutSeconds);
  return at !== null && now.getTime() >= at.getTime();
}

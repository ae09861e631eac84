import type { z } from 'zod';

/**
 * One kind of event in the catalogue: its name, the exact shape of its payload, and whose topic it
 * travels on. Payloads carry ids and the minimal data, never whole entities, and only JSON types
 * (dates as ISO strings): they are validated by `schema` when published and again when received,
 * so nothing is guessed from strings on the way.
 */
export interface EventDefinition<P> {
  readonly name: string;
  readonly description: string;
  readonly schema: z.ZodType<P>;
  /**
   * The owner whose topic carries the event (one agent, one campaign...), so an instance only
   * receives what its own subscribers asked for. Absent: one topic shared by every subscriber.
   */
  readonly ownerOf?: (payload: P) => string;
}

/** The payload type of an event of the catalogue. */
export type PayloadOf<E> = E extends EventDefinition<infer P> ? P : never;

export const defineEvent = <P>(definition: EventDefinition<P>): EventDefinition<P> => definition;

/** Every owner's topic of an owner-scoped event, for subscribers that watch them all (admins). */
export const ANY_OWNER = '*';

/** The topic of one event for one owner, without the instance's Redis prefix. */
export function topicOf<P>(event: EventDefinition<P>, owner?: string): string {
  if (!event.ownerOf) return event.name;
  if (owner === undefined)
    throw new Error(`Event "${event.name}" is scoped by owner: name one, or ANY_OWNER`);
  if (owner !== ANY_OWNER && !/^[\w.-]+$/.test(owner)) throw new Error(`Bad owner id for "${event.name}"`);
  return `${event.name}:${owner}`;
}

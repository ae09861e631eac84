// How a routing decision's candidates are stored (routing_decisions.candidates). A campaign of 500
// agents records 500 candidates per offer: as objects with named fields that was some 90 KB of
// JSON per chat to build, escape, send and check, on the routing pass's critical path. Stored as
// one array per candidate it is a third of that; the API still answers with the objects.

import type { IneligibleReason } from './agents.js';
import type { CandidateRecord } from './choose.js';

/** [userId, why or null when eligible, load, penalty, position, lastEndedAt in ms or null, completedToday] */
type Packed = [string, IneligibleReason | null, number, number, number, number | null, number];

export interface PackedCandidates {
  v: 2;
  c: Packed[];
}

export function packCandidates(candidates: readonly CandidateRecord[]): PackedCandidates {
  return {
    v: 2,
    c: candidates.map((c) => [
      c.userId,
      c.eligible ? null : (c.why ?? null),
      c.load,
      c.penalty,
      c.position,
      c.lastEndedAt ? c.lastEndedAt.getTime() : null,
      c.completedToday,
    ]),
  };
}

/** Stored candidates back as records: packed ones, or the objects decisions made before packing. */
export function unpackCandidates(stored: PackedCandidates | readonly StoredObject[]): CandidateRecord[] {
  if (!Array.isArray(stored)) {
    return (stored as PackedCandidates).c.map(
      ([userId, why, load, penalty, position, lastEndedAt, completedToday]) => ({
        userId,
        eligible: why === null,
        ...(why === null ? {} : { why }),
        load,
        penalty,
        position,
        lastEndedAt: lastEndedAt === null ? null : new Date(lastEndedAt),
        completedToday,
      }),
    );
  }
  return (stored as readonly StoredObject[]).map((c) => ({
    ...c,
    lastEndedAt: c.lastEndedAt ? new Date(c.lastEndedAt) : null,
  }));
}

/** A candidate as decisions before packing stored it (dates as ISO text). */
type StoredObject = Omit<CandidateRecord, 'lastEndedAt'> & { lastEndedAt: string | null };

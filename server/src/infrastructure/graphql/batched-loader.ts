import DataLoader from 'dataloader';

/** Keys per query at most: an IN list stays a cheap range read. */
const MAX_BATCH = 500;

/**
 * Reads by id for field resolvers and subscription events, batched across everything that asks in
 * the same turn of the event loop: the `members` of every campaign in a list, and, under load, the
 * interactions, contacts and messages of every agent's push in flight, load in one query instead
 * of one each. The loaders read plain rows by key (what a caller may see is decided before), so
 * sharing a batch between callers shares no access. Nothing is cached: each event reads fresh data.
 */
export function batchedLoader<K, V>(load: (keys: K[]) => Promise<Map<K, V>>, missing: () => V) {
  const loader = new DataLoader<K, V>(
    async (keys) => {
      const values = await load([...new Set(keys)]);
      return keys.map((k) => (values.has(k) ? (values.get(k) as V) : missing()));
    },
    // setImmediate, not the default tick: sibling resolvers start after a few awaits inside Nest.
    { cache: false, maxBatchSize: MAX_BATCH, batchScheduleFn: (run) => setImmediate(run) },
  );
  return (key: K): Promise<V> => loader.load(key);
}

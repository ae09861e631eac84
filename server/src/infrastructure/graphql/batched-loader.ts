import DataLoader from 'dataloader';

/**
 * A DataLoader per GraphQL context for field resolvers: the keys sibling resolvers ask for in one
 * pass (say `members` of every campaign in a list) load in one call instead of one each.
 * Nothing is cached, so each subscription event (which reuses its context) reads fresh data.
 */
export function requestLoader<K, V>(load: (keys: K[]) => Promise<Map<K, V>>, missing: () => V) {
  const loaders = new WeakMap<object, DataLoader<K, V>>();
  return (context: object, key: K): Promise<V> => {
    let loader = loaders.get(context);
    if (!loader) {
      loader = new DataLoader<K, V>(
        async (keys) => {
          const values = await load([...new Set(keys)]);
          return keys.map((k) => (values.has(k) ? (values.get(k) as V) : missing()));
        },
        // setImmediate, not the default tick: sibling resolvers start after a few awaits inside Nest.
        { cache: false, batchScheduleFn: (run) => setImmediate(run) },
      );
      loaders.set(context, loader);
    }
    return loader.load(key);
  };
}

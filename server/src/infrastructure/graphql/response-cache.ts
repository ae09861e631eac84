import { type ApolloServerPlugin, HeaderMap } from '@apollo/server';
import { Extensions } from '@nestjs/graphql';
import type { FieldNode, GraphQLObjectType, SelectionSetNode } from 'graphql';
import { LRUCache } from 'lru-cache';
import { createHash } from 'node:crypto';
import type { AccessRequest } from '../access/access.js';
import type { EventBus } from '../events/event-bus.service.js';

/** The field extension that makes a root query field's answers cacheable. */
const EXTENSION = 'cachedUntilEvents';

const PER_CALLER = 'cachedPerCaller';

/**
 * Marks a root Query field whose answer depends only on data announced by these events (their
 * catalogue names) and on the caller's role (an agent's, on the agent), or with `perCaller` on
 * the caller alone: the whole answer is then served from memory until one of the events is
 * published. See ResponseCache.
 */
export const CachedUntil = (eventNames: string[], options: { perCaller?: boolean } = {}) =>
  Extensions({ [EXTENSION]: eventNames, [PER_CALLER]: options.perCaller ?? false });

type CachedBody = { kind: 'single'; singleResult: { data: Record<string, unknown> } };

/** Answers are kept at most this long, and never across a minute boundary (schedules open and close on minutes). */
const MAX_AGE_MS = 60_000;

/**
 * Whole answers of read-only queries, keyed by the query, its variables, the caller's scope and
 * the version counters of the events the fields depend on. Each publish bumps its event's counter
 * (EventBus.publish), and a write answers only after its events are published, so an answer read
 * after a change has been answered is never the old one, on any instance. The counters are read
 * before executing, so an answer computed while a change commits is stored under the old counter
 * and never served again. When Redis cannot say the counters, nothing is served from the cache.
 */
export class ResponseCache {
  private readonly answers = new LRUCache<string, CachedBody>({
    maxSize: 64 * 1024 * 1024,
    sizeCalculation: (_body, key) => this.sizes.get(key) ?? 1,
    dispose: (_body, key) => this.sizes.delete(key),
    ttl: MAX_AGE_MS,
  });
  private readonly sizes = new Map<string, number>();
  /** The JSON text of each cached body, so a hit is not serialised again. */
  private readonly texts = new WeakMap<object, string>();

  constructor(private readonly bus: EventBus) {}

  /** Apollo's stringifyResult: compact JSON, reused for cached answers. */
  readonly stringify = (value: unknown): string =>
    (typeof value === 'object' && value !== null && this.texts.get(value)) || JSON.stringify(value);

  plugin(): ApolloServerPlugin<{ req?: AccessRequest }> {
    return {
      requestDidStart: async () => {
        let key: string | null = null;
        return {
          responseForOperation: async ({ operation, schema, request, contextValue, queryHash }) => {
            const principal = contextValue.req?.user;
            if (!principal || operation.operation !== 'query') return null;
            const policy = policyOf(operation.selectionSet, schema.getQueryType());
            if (!policy) return null;
            const { events, perCaller } = policy;
            let versions: number[];
            try {
              versions = await this.bus.versions(events);
            } catch {
              return null;
            }
            // Admins and supervisors see the same answers by role; an agent (or agent key) their own.
            const caller =
              principal.kind === 'user' ? `user:${principal.userId}` : `key:${principal.apiKeyId}`;
            const scope = perCaller || principal.role === 'AGENT' ? caller : principal.role;
            key = createHash('sha256')
              .update(
                JSON.stringify([
                  scope,
                  Math.floor(Date.now() / MAX_AGE_MS),
                  versions,
                  request.operationName ?? null,
                  request.variables ?? {},
                  queryHash,
                ]),
              )
              .digest('base64url');
            const hit = this.answers.get(key);
            return hit ? { http: { headers: new HeaderMap(), status: undefined }, body: hit } : null;
          },
          willSendResponse: async ({ response }) => {
            if (!key || response.body.kind !== 'single') return;
            const result = response.body.singleResult;
            if (result.errors?.length || !result.data || this.answers.has(key)) return;
            const body: CachedBody = { kind: 'single', singleResult: { data: result.data } };
            const text = JSON.stringify(body.singleResult);
            this.texts.set(body.singleResult, text);
            this.sizes.set(key, text.length);
            this.answers.set(key, body);
          },
        };
      },
    };
  }
}

/**
 * The events the root fields of the operation are cached until, and whether any is per caller;
 * null when any root selection is not a plain field with that extension (fragments, directives
 * and uncached fields are executed).
 */
function policyOf(
  selectionSet: SelectionSetNode,
  queryType: GraphQLObjectType | null | undefined,
): { events: string[]; perCaller: boolean } | null {
  if (!queryType) return null;
  const events = new Set<string>();
  let perCaller = false;
  for (const selection of selectionSet.selections) {
    if (selection.kind !== 'Field' || selection.directives?.length) return null;
    const field = selection as FieldNode;
    if (field.name.value === '__typename') continue;
    const extensions = queryType.getFields()[field.name.value]?.extensions;
    const names = extensions?.[EXTENSION] as string[] | undefined;
    if (!names) return null;
    for (const name of names) events.add(name);
    perCaller ||= extensions?.[PER_CALLER] === true;
  }
  return events.size ? { events: [...events].sort(), perCaller } : null;
}

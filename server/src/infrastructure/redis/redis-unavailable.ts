/**
 * The errors ioredis raises when Redis is away: a command timed out (`commandTimeout`), was refused
 * while disconnected (`enableOfflineQueue: false`) or gave up after its reconnection attempts.
 */
const UNAVAILABLE_MESSAGES = [
  /^Command timed out$/,
  /^Stream isn't writeable and enableOfflineQueue options is false$/,
  /^Connection is closed\.$/,
  /^Reached the max retries per request limit/,
];

/** True for a failure caused by Redis being unreachable, which callers answer as SERVICE_UNAVAILABLE. */
export function isRedisUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === 'MaxRetriesPerRequestError') return true;
  return UNAVAILABLE_MESSAGES.some((pattern) => pattern.test(error.message));
}

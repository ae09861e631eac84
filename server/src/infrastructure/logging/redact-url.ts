/**
 * Query parameters whose values are never logged: GraphQL documents and variables carry passwords;
 * an OAuth `code` (Facebook's login redirect) is exchanged for a user token, and `state` is the
 * signed single-use activation ticket.
 */
const REDACTED_EXACT = new Set(['query', 'variables', 'extensions', 'code', 'state']);
/**
 * Parameters that look like credentials, e.g. access_token, input_token, fb_exchange_token,
 * client_secret, api_key, hub.verify_token, password.
 */
const REDACTED_LIKE = /token|key|secret|passw|pwd|signature|auth|credential|session/i;

const nameOf = (raw: string): string => {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    return raw;
  }
};

/**
 * A request URL as it may be logged: the values of GraphQL and credential-like query parameters are
 * replaced by `[redacted]`; the path and the other parameters stay. Pure, for any access logger.
 */
export function redactUrl(url: string): string {
  const start = url.indexOf('?');
  if (start === -1) return url;
  const query = url
    .slice(start + 1)
    .split('&')
    .map((pair) => {
      const equals = pair.indexOf('=');
      const name = equals === -1 ? pair : pair.slice(0, equals);
      const decoded = nameOf(name).trim().toLowerCase();
      return REDACTED_EXACT.has(decoded) || REDACTED_LIKE.test(decoded) ? `${name}=[redacted]` : pair;
    })
    .join('&');
  return `${url.slice(0, start)}?${query}`;
}

/** The claims Parley reads from its access token (a standard JWT). */
export interface AccessTokenClaims {
  sub?: string;
  /** Expiry, in seconds since the epoch. */
  exp?: number;
}

/** Decodes the payload of a JWT without checking it (only the server can); null if malformed. */
export function decodeJwt(token: string): AccessTokenClaims | null {
  const payload = token.split('.')[1];
  if (!payload) return null;
  try {
    const base64 = payload.replace(/-/g, '+').replace(/_/g, '/');
    const padded = base64 + '='.repeat((4 - (base64.length % 4)) % 4);
    const json = new TextDecoder().decode(Uint8Array.from(atob(padded), (c) => c.charCodeAt(0)));
    const claims: unknown = JSON.parse(json);
    return typeof claims === 'object' && claims !== null ? (claims as AccessTokenClaims) : null;
  } catch {
    return null;
  }
}

/** When the token stops being valid, in milliseconds since the epoch; null if it has no `exp`. */
export function tokenExpiresAt(token: string | null): number | null {
  if (!token) return null;
  const exp = decodeJwt(token)?.exp;
  return typeof exp === 'number' ? exp * 1000 : null;
}

export function isTokenExpired(token: string | null, now = Date.now()): boolean {
  if (!token) return true;
  const expiresAt = tokenExpiresAt(token);
  return expiresAt !== null && expiresAt <= now;
}

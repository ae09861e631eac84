import type { CorsOptions } from '@nestjs/common/interfaces/external/cors-options.interface.js';
import type { NextFunction, Request, Response } from 'express';
import helmet, { type HelmetOptions } from 'helmet';
import type { AppConfig } from '../config/config.js';

/** Where Facebook serves customers' profile pictures and the attachments Parley has not copied yet. */
const FACEBOOK_MEDIA = ['https://*.fbcdn.net', 'https://*.fbsbx.com'];

/**
 * The console's Content-Security-Policy: scripts, styles, fonts and API calls from Parley itself
 * only, and no page may frame it. Angular inserts component styles as <style> elements, hence
 * 'unsafe-inline' for styles; scripts never get it (the build does not inline critical CSS, whose
 * onload handler would need it). Pictures and media may also come from Facebook's CDNs (profile
 * pictures, attachments not yet copied), from the Graph API's own origin (the Messenger simulator
 * plays Facebook's CDN too), and from blob: (a picture's preview before it is uploaded).
 */
export function contentSecurityPolicy(config: Pick<AppConfig, 'publicUrl' | 'graphApiUrl'>) {
  const graph = originOf(config.graphApiUrl);
  const media = [...FACEBOOK_MEDIA, ...(graph ? [graph] : [])];
  return {
    useDefaults: false,
    directives: {
      'default-src': ["'self'"],
      'script-src': ["'self'"],
      'style-src': ["'self'", "'unsafe-inline'"],
      'img-src': ["'self'", 'data:', 'blob:', ...media],
      'media-src': ["'self'", 'blob:', ...media],
      'font-src': ["'self'", 'data:'],
      // 'self' covers the same-origin graphql-ws socket in current browsers.
      'connect-src': ["'self'"],
      'object-src': ["'none'"],
      'base-uri': ["'self'"],
      'form-action': ["'self'"],
      'frame-ancestors': ["'none'"],
      ...(config.publicUrl.startsWith('https:') ? { 'upgrade-insecure-requests': [] } : {}),
    },
  };
}

/**
 * Helmet's security headers on every answer. In development GraphiQL (served on GET /graphql) loads
 * its scripts from a CDN with an inline bootstrap, so /graphql alone is sent without a CSP there;
 * production serves no GraphiQL and keeps the policy everywhere.
 */
export function securityHeaders(config: Pick<AppConfig, 'env' | 'publicUrl' | 'graphApiUrl'>) {
  const options: HelmetOptions = {
    contentSecurityPolicy: contentSecurityPolicy(config),
    xFrameOptions: { action: 'deny' },
    // The console opens the Facebook login in a popup that must be able to post its result back
    // to `window.opener`; helmet's default (same-origin) would sever that link. The popup's own
    // pages send `unsafe-none` (see the Facebook activation controller).
    crossOriginOpenerPolicy: { policy: 'same-origin-allow-popups' },
  };
  const everywhere = helmet(options);
  if (config.env === 'production') return everywhere;
  const forGraphiql = helmet({ ...options, contentSecurityPolicy: false });
  return (req: Request, res: Response, next: NextFunction) =>
    (req.path === '/graphql' ? forGraphiql : everywhere)(req, res, next);
}

function originOf(url: string): string | null {
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
}

/** CORS only for the configured origins; with none, no CORS header is ever sent. */
export function corsOptions(config: Pick<AppConfig, 'corsOrigins'>): CorsOptions | undefined {
  if (!config.corsOrigins.length) return undefined;
  return {
    origin: config.corsOrigins,
    methods: ['GET', 'POST', 'OPTIONS'],
    // Tools authenticate with headers, never cookies.
    credentials: false,
    exposedHeaders: ['X-Request-Id'],
    maxAge: 600,
  };
}

import { randomBytes } from 'node:crypto';
import { SEED, type Simulator, startSimulator } from '../../libs/messenger-simulator/simulator.js';
import { gql } from './graphql.js';
import { freePort } from './processes.js';
import { startTestServer, type TestServer } from './server.js';

export { SEED };

/** The Meta app both sides agree on. */
export const FACEBOOK_APP_ID = '100000000000001';

export interface FacebookTestBed {
  server: TestServer;
  sim: Simulator;
  appSecret: string;
  verifyToken: string;
  stop(): Promise<void>;
}

/**
 * Parley wired to a Messenger simulator as it would be to Facebook: the simulator knows the test
 * environment's app id and secret; Parley's GRAPH_API_URL points at it and PUBLIC_URL at itself.
 */
export async function startFacebookTestBed(env: Record<string, string> = {}): Promise<FacebookTestBed> {
  const appSecret = randomBytes(16).toString('hex');
  const verifyToken = randomBytes(8).toString('hex');
  const sim = await startSimulator({ port: 0, appId: FACEBOOK_APP_ID, appSecret, verifyToken, seed: 'demo' });
  const port = await freePort();
  const server = await startTestServer({
    port,
    env: {
      GRAPH_API_URL: sim.url,
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      FACEBOOK_APP_ID,
      FACEBOOK_APP_SECRET: appSecret,
      FACEBOOK_VERIFY_TOKEN: verifyToken,
      GRAPH_API_TIMEOUT_MS: '3000',
      ...env,
    },
  });
  return {
    server,
    sim,
    appSecret,
    verifyToken,
    async stop() {
      await server.stop();
      await sim.close();
    },
  };
}

export interface PopupRun {
  /** The page Parley answered after Facebook's redirect (the page choice, or the result). */
  callback: { status: number; html: string; url: string };
  /** The result after choosing a page, when a choice was made. */
  result?: { status: number; html: string };
}

/** The outcome and words of a result page (its data attributes, as popup.js reads them). */
export function popupResult(html: string): {
  outcome?: string;
  message?: string;
  pageName?: string;
  campaignId?: string;
} {
  const attr = (name: string) => {
    const found = new RegExp(`data-${name}="([^"]*)"`).exec(html)?.[1];
    return found?.replace(/&#(\d+);/g, (_m, code: string) => String.fromCharCode(Number(code)));
  };
  return {
    outcome: attr('outcome'),
    message: attr('message'),
    pageName: attr('page-name'),
    campaignId: attr('campaign-id'),
  };
}

/**
 * Drives the activation popup over HTTP as a person would click it: startFacebookActivation, the
 * simulator's login dialog (who, which pages, which permissions, Continue or Cancel), Facebook's
 * redirect to Parley's callback, then the page choice by name.
 */
export async function runActivationPopup(
  bed: FacebookTestBed,
  token: string,
  campaignId: string,
  options: {
    person?: string;
    declined?: string[];
    cancel?: boolean;
    choosePage?: string | null;
    /** Runs while the page choice is on screen, before it is submitted. */
    beforeChoice?: () => Promise<void>;
  } = {},
): Promise<PopupRun> {
  const started = await gql<{ startFacebookActivation: { authorizeUrl: string } }>(
    bed.server.baseUrl,
    'mutation($c: ID!) { startFacebookActivation(campaignId: $c) { authorizeUrl expiresAt } }',
    { c: campaignId },
    { token },
  );
  if (!started.data) throw new Error(`startFacebookActivation failed: ${JSON.stringify(started.errors)}`);
  const authorizeUrl = new URL(started.data.startFacebookActivation.authorizeUrl);
  const dialog = await fetch(authorizeUrl);
  if (dialog.status !== 200) throw new Error(`dialog answered ${dialog.status}: ${await dialog.text()}`);
  const dialogHtml = await dialog.text();
  const scopes = (authorizeUrl.searchParams.get('scope') ?? '').split(',');
  const form = new URLSearchParams({
    client_id: authorizeUrl.searchParams.get('client_id') ?? '',
    redirect_uri: authorizeUrl.searchParams.get('redirect_uri') ?? '',
    state: authorizeUrl.searchParams.get('state') ?? '',
    scope: scopes.join(','),
    person: options.person ?? SEED.persons.dana.id,
    action: options.cancel ? 'cancel' : 'continue',
  });
  for (const [, pageId] of dialogHtml.matchAll(/name="page" id="page-\d+" value="(\d+)"/g))
    form.append('page', pageId);
  for (const scope of scopes) if (!options.declined?.includes(scope)) form.append('permission', scope);
  const submitted = await fetch(new URL(`${authorizeUrl.pathname}`, authorizeUrl), {
    method: 'POST',
    body: form,
    redirect: 'manual',
  });
  const location = submitted.headers.get('location');
  if (!location)
    throw new Error(`the dialog did not redirect (${submitted.status}): ${await submitted.text()}`);
  const back = await fetch(location);
  const callback = { status: back.status, html: await back.text(), url: location };
  if (options.choosePage === null || !/name="pick"/.test(callback.html)) return { callback };
  const pageName = options.choosePage ?? SEED.pages.bakery.name;
  const pick = /name="pick" value="([^"]+)"/.exec(callback.html)![1];
  const option = [...callback.html.matchAll(/value="(\d+)"[^>]*> ([^<]+)<\/label>/g)].find(
    (m) => m[2] === pageName,
  );
  if (!option) throw new Error(`no page "${pageName}" to choose in: ${callback.html}`);
  await options.beforeChoice?.();
  const chosen = await fetch(`${bed.server.baseUrl}/facebook/callback/pages`, {
    method: 'POST',
    body: new URLSearchParams({ pick, campaignId, pageId: option[1] }),
  });
  return { callback, result: { status: chosen.status, html: await chosen.text() } };
}

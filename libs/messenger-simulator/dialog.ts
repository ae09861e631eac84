import type { ServerResponse } from 'node:http';
import type { SimulatorCore } from './core.js';
import { escapeHtml, formValues, redirect, sendText, SimRequest } from './http.js';
import { randomId } from './state.js';

/** Codes are single-use and short-lived, as Facebook's (about 10 minutes). */
const CODE_TTL_MS = 10 * 60_000;

/**
 * The Facebook login dialog: pick who you are, which pages to grant and which permissions to allow.
 * A plain HTML form (no script) so Playwright and plain HTTP tests can both drive it.
 */
export function handleDialog(
  core: SimulatorCore,
  req: SimRequest,
  res: ServerResponse,
  version: string,
): void {
  if (req.method === 'GET') return showDialog(core, req, res, version);
  if (req.method === 'POST') return confirmDialog(core, req, res);
  sendText(res, 405, 'text/plain', 'GET or POST');
}

function errorPage(res: ServerResponse, status: number, message: string): void {
  sendText(
    res,
    status,
    'text/html; charset=utf-8',
    page('Error', `<h1>Sorry, something went wrong</h1><p role="alert">${escapeHtml(message)}</p>`),
  );
}

function showDialog(core: SimulatorCore, req: SimRequest, res: ServerResponse, version: string): void {
  const q = req.query;
  const clientId = q.get('client_id') ?? '';
  const redirectUri = q.get('redirect_uri') ?? '';
  if (clientId !== core.appId) return errorPage(res, 400, `Invalid App ID: ${clientId || '(none)'}`);
  if (!/^https?:\/\//.test(redirectUri))
    return errorPage(res, 400, 'URL blocked: redirect_uri is missing or not a URL');
  const scopes = (q.get('scope') ?? '').split(/[,\s]+/).filter(Boolean);
  const hidden = (name: string, value: string) =>
    `<input type="hidden" name="${name}" value="${escapeHtml(value)}">`;
  const persons = [...core.state.persons.values()];
  const pages = [...core.state.pages.values()];
  const adminsOf = (pageId: string) =>
    pages
      .find((p) => p.id === pageId)!
      .admins.map((a) => core.state.persons.get(a.personId)?.name)
      .join(', ');
  const body = `
<main class="dialog">
  <h1>Log in with Facebook <span class="sim">(simulated)</span></h1>
  <p>An app (ID ${escapeHtml(clientId)}) wants to connect to your Facebook pages.</p>
  <form method="post" action="/${escapeHtml(version)}/dialog/oauth">
    ${hidden('client_id', clientId)}${hidden('redirect_uri', redirectUri)}${hidden('state', q.get('state') ?? '')}${hidden('scope', scopes.join(','))}
    <fieldset>
      <legend>Who are you?</legend>
      ${persons
        .map(
          (p, i) =>
            `<label><input type="radio" name="person" id="person-${p.id}" value="${p.id}"${i === 0 ? ' checked' : ''}> ${escapeHtml(p.name)}</label>`,
        )
        .join('\n      ')}
    </fieldset>
    <fieldset>
      <legend>Pages the app may use</legend>
      <p class="hint">Only pages you administer are granted.</p>
      ${pages
        .map(
          (p) =>
            `<label><input type="checkbox" name="page" id="page-${p.id}" value="${p.id}" checked> ${escapeHtml(p.name)}</label> <span class="hint">(admin: ${escapeHtml(adminsOf(p.id))})</span><br>`,
        )
        .join('\n      ')}
    </fieldset>
    <fieldset>
      <legend>Permissions</legend>
      <p class="hint">Untick a permission to decline it.</p>
      ${
        scopes.length
          ? scopes
              .map(
                (s) =>
                  `<label><input type="checkbox" name="permission" id="permission-${escapeHtml(s)}" value="${escapeHtml(s)}" checked> ${escapeHtml(s)}</label><br>`,
              )
              .join('\n      ')
          : '<p>No permissions requested beyond your public profile.</p>'
      }
    </fieldset>
    <div class="buttons">
      <button type="submit" name="action" value="cancel" class="secondary">Cancel</button>
      <button type="submit" name="action" value="continue">Continue</button>
    </div>
  </form>
</main>`;
  sendText(res, 200, 'text/html; charset=utf-8', page('Log in with Facebook', body));
}

function confirmDialog(core: SimulatorCore, req: SimRequest, res: ServerResponse): void {
  const f = formValues(req);
  const clientId = f.get('client_id') ?? '';
  const redirectUri = f.get('redirect_uri') ?? '';
  const state = f.get('state') ?? '';
  if (clientId !== core.appId) return errorPage(res, 400, `Invalid App ID: ${clientId || '(none)'}`);
  if (!/^https?:\/\//.test(redirectUri)) return errorPage(res, 400, 'redirect_uri is missing or not a URL');
  const target = new URL(redirectUri);
  if (f.get('action') === 'cancel') {
    target.searchParams.set('error', 'access_denied');
    target.searchParams.set('error_code', '200');
    target.searchParams.set('error_reason', 'user_denied');
    target.searchParams.set('error_description', 'Permissions error');
    target.searchParams.set('state', state);
    return redirect(res, target.toString());
  }
  const personId = f.get('person') ?? '';
  if (!core.state.persons.has(personId)) return errorPage(res, 400, 'Choose who you are');
  const requested = (f.get('scope') ?? '').split(',').filter(Boolean);
  const allowed = new Set(f.getAll('permission'));
  const chosen = new Set(f.getAll('page'));
  const grantedPageIds = [...core.state.pages.values()]
    .filter((p) => chosen.has(p.id) && p.admins.some((a) => a.personId === personId))
    .map((p) => p.id);
  const code = randomId(48);
  core.state.codes.set(code, {
    code,
    personId,
    redirectUri,
    scopes: requested.filter((s) => allowed.has(s)),
    declined: requested.filter((s) => !allowed.has(s)),
    grantedPageIds,
    expiresAt: core.now() + CODE_TTL_MS,
    used: false,
  });
  target.searchParams.set('code', code);
  target.searchParams.set('state', state);
  redirect(res, target.toString());
}

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
body{font-family:system-ui,sans-serif;background:#f0f2f5;margin:0;color:#1c1e21}
.dialog{max-width:480px;margin:2rem auto;background:#fff;border-radius:8px;padding:1.5rem;box-shadow:0 2px 8px #0002}
h1{font-size:1.3rem;color:#1877f2}.sim{color:#65676b;font-size:.9rem;font-weight:normal}
fieldset{border:1px solid #dddfe2;border-radius:6px;margin:1rem 0;padding:.75rem}
label{display:inline-block;padding:.25rem 0}.hint{color:#65676b;font-size:.85rem;margin:.2rem 0}
.buttons{display:flex;gap:.5rem;justify-content:flex-end}
button{font-size:1rem;padding:.5rem 1.2rem;border-radius:6px;border:0;background:#1877f2;color:#fff;cursor:pointer}
button.secondary{background:#e4e6eb;color:#050505}
</style></head><body>${body}</body></html>`;
}

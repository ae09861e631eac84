import type { ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import type { SimulatorCore } from './core.js';
import { GraphError, graphErrors } from './errors.js';
import { params, parseMultipartRequest, sendJson, SimRequest } from './http.js';
import { LONG_LIVED_MS, randomId, SHORT_LIVED_MS, TokenRecord } from './state.js';

/** `/v25.0/...` and any other `/vNN.N/` version Parley is configured with. */
export const VERSION_PREFIX = /^\/v\d+\.\d+\//;

/**
 * The Graph API and Send API endpoints Parley calls, answering and failing like Facebook
 * (docs/simulator.md lists them; /work/shared/docs/meta-platform.md is the contract).
 */
export async function handleGraph(core: SimulatorCore, req: SimRequest, res: ServerResponse): Promise<void> {
  const parts = req.path.replace(VERSION_PREFIX, '').split('/').filter(Boolean).map(decodeURIComponent);
  const p = params(req);
  try {
    if (p.__invalid_json) throw graphErrors.param('Invalid JSON in the request body');
    const body = await route(core, req, parts, p);
    sendJson(res, 200, body);
  } catch (e) {
    if (!(e instanceof GraphError)) throw e;
    const headers: Record<string, string> =
      e.code === 190 ? { 'WWW-Authenticate': 'OAuth "Facebook Platform" "invalid_token"' } : {};
    sendJson(res, e.status, e.body(), headers);
  }
}

function accessToken(req: SimRequest, p: Record<string, unknown>): string | undefined {
  const auth = String(req.headers.authorization ?? '');
  const m = /^(?:Bearer|OAuth)\s+(.+)$/i.exec(auth);
  return m?.[1] ?? (p.access_token === undefined ? undefined : String(p.access_token));
}

const safeEqual = (a: string, b: string) =>
  a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

function checkClient(core: SimulatorCore, p: Record<string, unknown>): void {
  if (String(p.client_id ?? '') !== core.appId) throw graphErrors.badClientId();
  if (!safeEqual(String(p.client_secret ?? ''), core.appSecret)) throw graphErrors.badClientSecret();
}

function fieldsOf(p: Record<string, unknown>, defaults: string[]): string[] {
  return p.fields === undefined
    ? defaults
    : String(p.fields)
        .split(',')
        .map((f) => f.trim())
        .filter(Boolean);
}

function pick(obj: Record<string, unknown>, fields: string[]): Record<string, unknown> {
  return Object.fromEntries(fields.filter((f) => obj[f] !== undefined).map((f) => [f, obj[f]]));
}

async function route(
  core: SimulatorCore,
  req: SimRequest,
  parts: string[],
  p: Record<string, unknown>,
): Promise<unknown> {
  const [first, edge, ...rest] = parts;
  const method = req.method;
  if (rest.length > 0 || !first) throw graphErrors.unknownObject(parts.join('/'));

  if (first === 'oauth' && edge === 'access_token' && method === 'GET') return accessTokenExchange(core, p);
  if (first === 'debug_token' && !edge && method === 'GET') return debugToken(core, p);

  const token = core.checkToken(accessToken(req, p));

  if (first === 'me') {
    if (token.type !== 'USER') throw graphErrors.unknownObject('me');
    if (!edge && method === 'GET') {
      const person = core.state.persons.get(token.personId)!;
      return pick({ id: person.id, name: person.name }, fieldsOf(p, ['id', 'name']));
    }
    if (edge === 'accounts' && method === 'GET') return meAccounts(core, token, p);
    if (edge === 'permissions' && method === 'GET') return mePermissions(token);
    throw graphErrors.unknownObject(`me/${edge}`);
  }

  const page = core.state.page(first);
  if (page) {
    const mayUse = token.type === 'PAGE' ? token.pageId === page.id : token.grantedPageIds.includes(page.id);
    if (!mayUse) throw graphErrors.permissionsError();
    if (!edge && method === 'GET') {
      return pick({ id: page.id, name: page.name, category: 'Local business' }, fieldsOf(p, ['id', 'name']));
    }
    if (edge === 'subscribed_apps') return subscribedApps(core, page.id, token, method, p);
    if (edge === 'messages' && method === 'POST') return core.send(page.id, token, p);
    if (edge === 'message_attachments' && method === 'POST')
      return uploadAttachment(core, page.id, token, req, p);
    throw graphErrors.unknownObject(`${first}/${edge}`);
  }

  // Anything else is a PSID, visible only with a token of the page it belongs to.
  const customer = token.type === 'PAGE' ? core.state.customer(token.pageId!, first) : undefined;
  if (!customer || edge || method !== 'GET') throw graphErrors.unknownObject(first);
  if (!customer.profile) throw graphErrors.noProfile();
  return pick(
    {
      id: customer.psid,
      first_name: customer.profile.firstName,
      last_name: customer.profile.lastName,
      name: `${customer.profile.firstName} ${customer.profile.lastName}`.trim(),
      profile_pic: core.profilePicUrl(customer.psid),
      locale: 'en_US',
    },
    fieldsOf(p, ['first_name', 'last_name', 'profile_pic', 'id']),
  );
}

function accessTokenExchange(core: SimulatorCore, p: Record<string, unknown>) {
  checkClient(core, p);
  if (p.grant_type === 'fb_exchange_token') {
    const old = core.checkToken(String(p.fb_exchange_token ?? '') || undefined);
    if (old.type !== 'USER') throw graphErrors.param('fb_exchange_token must be a user access token');
    const fresh = core.state.issueUserToken(old, true);
    return { access_token: fresh.token, token_type: 'bearer', expires_in: LONG_LIVED_MS / 1000 };
  }
  const code = core.state.codes.get(String(p.code ?? ''));
  if (!code) throw new GraphError('Invalid verification code format.', 100, 36007);
  if (code.used) throw new GraphError('This authorization code has been used.', 100, 36009);
  if (code.expiresAt <= core.now()) throw new GraphError('This authorization code has expired.', 100, 36007);
  if (String(p.redirect_uri ?? '') !== code.redirectUri)
    throw new GraphError(
      'Error validating verification code. Please make sure your redirect_uri is identical to the one you used in the OAuth dialog request',
      100,
      36008,
    );
  code.used = true;
  const t = core.state.issueUserToken(code, false);
  return { access_token: t.token, token_type: 'bearer', expires_in: SHORT_LIVED_MS / 1000 };
}

function debugToken(core: SimulatorCore, p: Record<string, unknown>) {
  // Facebook wants an app token (APP_ID|APP_SECRET) here; a wrong one is a 190.
  if (!safeEqual(String(p.access_token ?? ''), `${core.appId}|${core.appSecret}`))
    throw graphErrors.badAppToken();
  const input = String(p.input_token ?? '');
  if (!input) throw graphErrors.param('The parameter input_token is required');
  const t = core.state.tokens.get(input);
  if (!t) {
    return {
      data: {
        error: { code: 190, message: 'Invalid OAuth access token - Cannot parse access token' },
        is_valid: false,
        scopes: [],
      },
    };
  }
  const problem = core.tokenProblem(t);
  const person = core.state.persons.get(t.personId);
  return {
    data: {
      app_id: core.appId,
      type: t.type,
      application: 'Parley',
      data_access_expires_at: Math.floor(t.dataAccessExpiresAt / 1000),
      ...(problem
        ? { error: { code: problem.code, message: problem.message, subcode: problem.subcode } }
        : {}),
      expires_at: Math.floor(t.expiresAt / 1000),
      is_valid: problem === undefined,
      issued_at: Math.floor(t.issuedAt / 1000),
      ...(t.type === 'PAGE' ? { profile_id: t.pageId } : {}),
      scopes: t.scopes,
      granular_scopes: t.scopes
        .filter((s) => s.startsWith('pages_'))
        .map((scope) => ({ scope, target_ids: t.grantedPageIds })),
      user_id: person?.id,
    },
  };
}

function meAccounts(core: SimulatorCore, token: TokenRecord, p: Record<string, unknown>) {
  // Without pages_show_list Facebook lists nothing.
  const pages = token.scopes.includes('pages_show_list')
    ? [...core.state.pages.values()].filter(
        (pg) => token.grantedPageIds.includes(pg.id) && pg.admins.some((a) => a.personId === token.personId),
      )
    : [];
  const fields = fieldsOf(p, ['id', 'name', 'access_token', 'category', 'tasks']);
  const data = pages.map((pg) =>
    pick(
      {
        id: pg.id,
        name: pg.name,
        category: 'Local business',
        access_token: core.state.pageTokenFor(token, pg.id).token,
        tasks: pg.admins.find((a) => a.personId === token.personId)!.tasks,
      },
      fields,
    ),
  );
  const cursor = (id?: string) => Buffer.from(id ?? '').toString('base64url');
  return {
    data,
    ...(data.length
      ? { paging: { cursors: { before: cursor(pages[0].id), after: cursor(pages.at(-1)!.id) } } }
      : {}),
  };
}

function mePermissions(token: TokenRecord) {
  return {
    data: [
      { permission: 'public_profile', status: 'granted' },
      ...token.scopes.map((permission) => ({ permission, status: 'granted' })),
      ...token.declined.map((permission) => ({ permission, status: 'declined' })),
    ],
  };
}

function subscribedApps(
  core: SimulatorCore,
  pageId: string,
  token: TokenRecord,
  method: string,
  p: Record<string, unknown>,
) {
  const page = core.state.page(pageId)!;
  if (method === 'GET') {
    return {
      data: page.subscribedFields.length
        ? [
            {
              category: 'Business',
              link: 'https://parley.invalid/',
              name: 'Parley',
              id: core.appId,
              subscribed_fields: page.subscribedFields,
            },
          ]
        : [],
    };
  }
  if (token.type !== 'PAGE' || !token.scopes.includes('pages_manage_metadata'))
    throw graphErrors.permissionsError();
  if (method === 'POST') {
    const raw = p.subscribed_fields;
    const fields = Array.isArray(raw)
      ? raw.map(String)
      : String(raw ?? '')
          .split(',')
          .map((f) => f.trim())
          .filter(Boolean);
    if (fields.length === 0) throw graphErrors.param('The parameter subscribed_fields is required');
    core.subscribe(pageId, fields);
    return { success: true };
  }
  if (method === 'DELETE') {
    core.unsubscribe(pageId);
    return { success: true };
  }
  throw graphErrors.unknownObject(`${pageId}/subscribed_apps`);
}

async function uploadAttachment(
  core: SimulatorCore,
  pageId: string,
  token: TokenRecord,
  req: SimRequest,
  p: Record<string, unknown>,
) {
  if (token.type !== 'PAGE') throw graphErrors.permissionsError();
  const multipart = parseMultipartRequest(req);
  let message = p.message as
    { attachment?: { type?: string; payload?: { url?: string } } } | string | undefined;
  if (multipart) message = multipart.message;
  if (typeof message === 'string') {
    try {
      message = JSON.parse(message) as { attachment?: { type?: string; payload?: { url?: string } } };
    } catch {
      throw graphErrors.param('Param message must be JSON');
    }
  }
  const type = String(message?.attachment?.type ?? '');
  if (!['image', 'video', 'audio', 'file'].includes(type))
    throw graphErrors.param('Param message[attachment][type] must be one of {image, video, audio, file}');
  if (multipart?.file) {
    if (multipart.file.data.length > 25 * 1024 * 1024) throw graphErrors.attachmentTooLarge();
    const blobId = randomId(12);
    const name = multipart.file.filename || 'upload';
    core.state.blobs.set(blobId, {
      id: blobId,
      name,
      contentType: multipart.file.contentType ?? 'application/octet-stream',
      bytes: multipart.file.data,
    });
    return { attachment_id: core.upload(pageId, { type, blobId, name }) };
  }
  const url = message?.attachment?.payload?.url;
  if (typeof url !== 'string' || !/^https?:\/\//.test(url))
    throw graphErrors.param('Param message[attachment][payload][url] must be a valid URL');
  return { attachment_id: core.upload(pageId, { type, url }) };
}

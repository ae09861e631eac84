import type { IncomingMessage, ServerResponse } from 'node:http';
import { ControlError } from './errors.js';
import { MultipartPart, parseMultipart } from './media.js';

/** A parsed request: what every route handler needs, read once. */
export interface SimRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: Buffer;
  raw: IncomingMessage;
}

/** Attachments are limited to 25 MB on Messenger; base64 in JSON needs a third more. */
const MAX_BODY = 36 * 1024 * 1024;

export async function readRequest(req: IncomingMessage): Promise<SimRequest> {
  const chunks: Buffer[] = [];
  let size = 0;
  // SSE and GETs have no body; reading anyway is harmless and keeps this simple.
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) throw new ControlError('request body too large', 413);
    chunks.push(chunk);
  }
  const url = new URL(req.url ?? '/', 'http://simulator.invalid');
  return {
    method: req.method ?? 'GET',
    path: url.pathname,
    query: url.searchParams,
    headers: req.headers,
    body: Buffer.concat(chunks),
    raw: req,
  };
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', ...headers });
  res.end(text);
}

export function sendText(
  res: ServerResponse,
  status: number,
  contentType: string,
  body: string | Buffer,
): void {
  res.writeHead(status, { 'Content-Type': contentType, 'Cache-Control': 'no-store' });
  res.end(body);
}

export function redirect(res: ServerResponse, location: string): void {
  res.writeHead(302, { Location: location });
  res.end();
}

/** The request's parameters as Graph reads them: query string, then a form or JSON body on top. */
export function params(req: SimRequest): Record<string, unknown> {
  const out: Record<string, unknown> = Object.fromEntries(req.query);
  const type = String(req.headers['content-type'] ?? '');
  if (req.body.length === 0) return out;
  if (type.includes('application/json')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(req.body.toString('utf8'));
    } catch {
      return { ...out, __invalid_json: true };
    }
    if (parsed && typeof parsed === 'object') Object.assign(out, parsed);
  } else if (type.includes('application/x-www-form-urlencoded')) {
    for (const [k, v] of new URLSearchParams(req.body.toString('utf8'))) {
      // Graph takes JSON-encoded values in form fields (recipient={"id":…}).
      out[k] = /^[[{]/.test(v) ? tryJson(v) : v;
    }
  }
  return out;
}

function tryJson(v: string): unknown {
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
}

/** All values of a repeated form field (checkboxes). */
export function formValues(req: SimRequest): URLSearchParams {
  return new URLSearchParams(req.body.toString('utf8'));
}

export const escapeHtml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** A `multipart/form-data` request's `message` field (JSON) and `filedata` file, or undefined. */
export function parseMultipartRequest(
  req: SimRequest,
): { message?: string; file?: MultipartPart } | undefined {
  const type = String(req.headers['content-type'] ?? '');
  if (!type.startsWith('multipart/form-data')) return undefined;
  const parts = parseMultipart(req.body, type);
  const message = parts.find((x) => x.name === 'message')?.data.toString('utf8');
  return { message, file: parts.find((x) => x.name === 'filedata' && x.filename !== undefined) };
}

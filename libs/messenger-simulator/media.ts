import { createHmac, timingSafeEqual } from 'node:crypto';
import { deflateSync } from 'node:zlib';

/**
 * Media the simulator makes up and serves itself: customers' attachments and profile pictures.
 * URLs carry an expiry (`oe`, hex unix seconds) and a signature (`oh`) like Facebook's CDN, and
 * stop working after it, so Parley has to download what it wants to keep.
 */
export const ATTACHMENT_URL_TTL_MS = 3 * 24 * 3600_000;
export const PROFILE_PIC_TTL_MS = 24 * 3600_000;

export function signCdnPath(path: string, expiresAtMs: number, secret: string): string {
  const oe = Math.floor(expiresAtMs / 1000).toString(16);
  const oh = createHmac('sha256', secret).update(`${path}|${oe}`).digest('hex').slice(0, 32);
  return `${path}?oe=${oe}&oh=${oh}`;
}

/** 'ok', 'expired' or 'bad' for a CDN path and its query. */
export function checkCdnUrl(
  path: string,
  query: URLSearchParams,
  nowMs: number,
  secret: string,
): 'ok' | 'expired' | 'bad' {
  const oe = query.get('oe') ?? '';
  const oh = query.get('oh') ?? '';
  const want = createHmac('sha256', secret).update(`${path}|${oe}`).digest('hex').slice(0, 32);
  if (oh.length !== want.length || !timingSafeEqual(Buffer.from(oh), Buffer.from(want))) return 'bad';
  return parseInt(oe, 16) * 1000 < nowMs ? 'expired' : 'ok';
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** A small real PNG: a diagonal two-colour square, colours derived from `seed` so pictures differ. */
export function makePng(seed: string, size = 64): Buffer {
  const h = createHmac('sha256', 'png').update(seed).digest();
  const a = [h[0], h[1], h[2]];
  const b = [255 - h[0], 255 - h[1], 255 - h[2]];
  const rows: Buffer[] = [];
  for (let y = 0; y < size; y++) {
    const row = Buffer.alloc(1 + size * 3);
    for (let x = 0; x < size; x++) row.set(x + y < size ? a : b, 1 + x * 3);
    rows.push(row);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.concat(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** Half a second of silence as a WAV file. */
export function makeWav(): Buffer {
  const samples = 4000;
  const b = Buffer.alloc(44 + samples);
  b.write('RIFF', 0);
  b.writeUInt32LE(36 + samples, 4);
  b.write('WAVEfmt ', 8);
  b.writeUInt32LE(16, 16);
  b.writeUInt16LE(1, 20);
  b.writeUInt16LE(1, 22);
  b.writeUInt32LE(8000, 24);
  b.writeUInt32LE(8000, 28);
  b.writeUInt16LE(1, 32);
  b.writeUInt16LE(8, 34);
  b.write('data', 36);
  b.writeUInt32LE(samples, 40);
  b.fill(128, 44);
  return b;
}

/** A made-up file for a customer attachment of the given type when no bytes were supplied. */
export function generatedMedia(
  type: 'image' | 'video' | 'audio' | 'file',
  seed: string,
): { name: string; contentType: string; bytes: Buffer } {
  switch (type) {
    case 'image':
      return { name: 'photo.png', contentType: 'image/png', bytes: makePng(seed) };
    case 'audio':
      return { name: 'voice.wav', contentType: 'audio/wav', bytes: makeWav() };
    case 'video':
      // Not a playable video: only its presence and URL matter to Parley.
      return { name: 'clip.mp4', contentType: 'video/mp4', bytes: Buffer.from(`simulated video ${seed}\n`) };
    case 'file':
      return {
        name: 'document.txt',
        contentType: 'text/plain; charset=utf-8',
        bytes: Buffer.from(`A document sent from the Messenger simulator (${seed}).\n`),
      };
  }
}

export interface MultipartPart {
  name: string;
  filename?: string;
  contentType?: string;
  data: Buffer;
}

/** Just enough multipart/form-data parsing for `message_attachments` uploads. */
export function parseMultipart(body: Buffer, contentType: string): MultipartPart[] {
  const m = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  if (!m) return [];
  const boundary = Buffer.from(`--${m[1] ?? m[2]}`);
  const parts: MultipartPart[] = [];
  let pos = body.indexOf(boundary);
  while (pos !== -1) {
    const start = pos + boundary.length;
    if (body.subarray(start, start + 2).toString() === '--') break;
    const next = body.indexOf(boundary, start);
    if (next === -1) break;
    const part = body.subarray(start + 2, next - 2); // skip CRLF after boundary and before next
    const headerEnd = part.indexOf('\r\n\r\n');
    if (headerEnd !== -1) {
      const headers = part.subarray(0, headerEnd).toString('utf8');
      const name = /name="([^"]*)"/i.exec(headers)?.[1];
      if (name !== undefined) {
        parts.push({
          name,
          filename: /filename="([^"]*)"/i.exec(headers)?.[1],
          contentType: /content-type:\s*([^\r\n]+)/i.exec(headers)?.[1],
          data: part.subarray(headerEnd + 4),
        });
      }
    }
    pos = next;
  }
  return parts;
}

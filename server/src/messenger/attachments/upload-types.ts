import type { AttachmentType } from '@parley/libs/messenger/webhook-events.js';

/**
 * What an agent may upload, told by the file's content (magic bytes), never by its name or the
 * type the browser claims: pictures, MP4 video, common audio, and documents that carry no
 * executable content of their own (PDF, Office Open XML and OpenDocument files, plain text).
 * Archives, executables, HTML and SVG (which can carry scripts) and legacy Office files (macros)
 * are refused.
 */
export const UPLOAD_TYPES: Readonly<Record<string, AttachmentType>> = {
  'image/jpeg': 'IMAGE',
  'image/png': 'IMAGE',
  'image/gif': 'IMAGE',
  'image/webp': 'IMAGE',
  'video/mp4': 'VIDEO',
  'audio/mpeg': 'AUDIO',
  'audio/mp4': 'AUDIO',
  'audio/x-m4a': 'AUDIO',
  'audio/ogg': 'AUDIO',
  'audio/opus': 'AUDIO',
  'application/pdf': 'FILE',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'FILE',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'FILE',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': 'FILE',
  'application/vnd.oasis.opendocument.text': 'FILE',
  'application/vnd.oasis.opendocument.spreadsheet': 'FILE',
  'application/vnd.oasis.opendocument.presentation': 'FILE',
  'text/plain': 'FILE',
};

/** The attachment type of an accepted upload's content type; null when it is not one. */
export function attachmentTypeOf(contentType: string): AttachmentType | null {
  return UPLOAD_TYPES[contentType] ?? null;
}

/** Bytes read to tell a file's type: file-type needs 4100 at most; text is judged on more. */
export const SNIFF_BYTES = 64 * 1024;

/**
 * Whether a file with no magic number is plain text: valid UTF-8 with no control characters
 * other than tab, line breaks and form feed (judged on its first SNIFF_BYTES, which may end in the
 * middle of a character).
 */
export function looksLikeText(head: Uint8Array): boolean {
  if (!head.length) return false;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(head, { stream: true });
  } catch {
    return false;
  }
  // eslint-disable-next-line no-control-regex
  return !/[\u0000-\u0008\u000b\u000e-\u001f\u007f]/.test(text);
}

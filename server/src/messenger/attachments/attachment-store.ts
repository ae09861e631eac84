import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, openAsBlob, type ReadStream } from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { AppConfig } from '../../infrastructure/config/config.js';
import { APP_CONFIG } from '../../infrastructure/config/config.module.js';

/** Messenger's limit for one attachment, either way (meta-platform.md, "Send API"). */
export const ATTACHMENT_MAX_BYTES = 25 * 1024 * 1024;

export class AttachmentTooLarge extends Error {
  constructor(readonly limit: number) {
    super(`larger than ${Math.round(limit / 1024 / 1024)} MB`);
    this.name = 'AttachmentTooLarge';
  }
}

/**
 * Where attachment bytes live: a local directory (ATTACHMENTS_DIR) of files named by random keys,
 * so a key says nothing about the conversation and cannot climb out of the directory. One process
 * or several on one disk; a shared volume (or an object store behind this same interface) for
 * instances on several machines.
 */
@Injectable()
export class AttachmentStore {
  readonly dir: string;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.dir = isAbsolute(config.attachmentsDir)
      ? config.attachmentsDir
      : join(process.cwd(), config.attachmentsDir);
  }

  private pathOf(key: string): string {
    if (!/^[0-9a-f-]{36}$/.test(key)) throw new Error(`not an attachment key: ${key}`);
    return join(this.dir, key);
  }

  /**
   * Stores a stream, refusing it once it passes `limit` bytes (nothing is kept then). `head` is its
   * first `headBytes` bytes (at least), for telling its type by content.
   */
  async save(
    body: Readable,
    limit = ATTACHMENT_MAX_BYTES,
    headBytes = 0,
  ): Promise<{ key: string; size: number; head: Buffer }> {
    await mkdir(this.dir, { recursive: true });
    const key = randomUUID();
    const path = this.pathOf(key);
    let size = 0;
    const head: Buffer[] = [];
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        if (size < headBytes) head.push(chunk);
        size += chunk.length;
        done(size > limit ? new AttachmentTooLarge(limit) : null, chunk);
      },
    });
    try {
      await pipeline(body, counter, createWriteStream(path, { flags: 'wx', mode: 0o600 }));
    } catch (error) {
      await rm(path, { force: true });
      throw error;
    }
    return { key, size, head: Buffer.concat(head) };
  }

  /** The stored file's path and size, or null when the key is unknown (or not one of ours). */
  private async found(key: string): Promise<{ path: string; size: number } | null> {
    let path: string;
    try {
      path = this.pathOf(key);
    } catch {
      return null;
    }
    const found = await stat(path).catch(() => null);
    return found?.isFile() ? { path, size: found.size } : null;
  }

  /** The stored file's size, or null when the key is unknown. */
  async size(key: string): Promise<number | null> {
    return (await this.found(key))?.size ?? null;
  }

  /** The stored bytes as a file-backed Blob (for a multipart upload without reading them into memory). */
  async blob(key: string, contentType: string): Promise<Blob | null> {
    const found = await this.found(key);
    return found ? openAsBlob(found.path, { type: contentType }) : null;
  }

  /** Forgets a stored file (an upload refused after it was written). */
  async remove(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }

  /** The stored bytes, or null when the key is unknown. */
  async open(key: string): Promise<{ stream: ReadStream; size: number } | null> {
    const found = await this.found(key);
    return found ? { stream: createReadStream(found.path), size: found.size } : null;
  }
}

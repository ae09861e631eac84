import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Public } from '../../infrastructure/access/access.js';
import { ParleyError } from '../../infrastructure/errors/parley-error.js';
import { AttachmentLinks } from './attachment-links.js';
import { AttachmentStore } from './attachment-store.js';

/** Shown in the page (images, video, audio); anything else is downloaded, never rendered. */
const INLINE = /^(image\/(png|jpeg|gif|webp)|video\/(mp4|webm)|audio\/(mpeg|ogg|wav|mp4|aac))$/;

/**
 * Stored attachments, by signed link (AttachmentLinks): public as a route because browsers load
 * images without Parley's token, but a link only works as signed and until it expires.
 */
@Controller('attachments')
@Public()
export class AttachmentsController {
  constructor(
    private readonly links: AttachmentLinks,
    private readonly store: AttachmentStore,
  ) {}

  @Get(':key')
  async download(@Param('key') key: string, @Query() query: Record<string, unknown>, @Res() res: Response) {
    const granted = this.links.verify(key, query);
    if (granted === 'forged') throw ParleyError.forbidden('This attachment link is not valid');
    if (granted === 'expired') {
      throw ParleyError.forbidden(
        'This attachment link has expired; open the conversation again for a fresh one',
      );
    }
    const file = await this.store.open(key);
    if (!file) throw ParleyError.notFound('Attachment', key);
    const inline = INLINE.test(granted.contentType);
    const filename = (granted.name ?? 'attachment').replace(/[^\w.\- ]+/g, '_').slice(0, 100);
    res.set({
      'content-type': inline ? granted.contentType : 'application/octet-stream',
      'content-length': String(file.size),
      'content-disposition': `${inline ? 'inline' : 'attachment'}; filename="${filename}"`,
      'x-content-type-options': 'nosniff',
      // A stored file is never a page: no scripts, whatever it claims to be.
      'content-security-policy': "default-src 'none'; sandbox",
      'cache-control': 'private, max-age=3600',
    });
    file.stream.pipe(res);
  }
}

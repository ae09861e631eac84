import {
  type ArgumentsHost,
  Catch,
  type CallHandler,
  Controller,
  type ExceptionFilter,
  type ExecutionContext,
  HttpException,
  Inject,
  Injectable,
  type NestInterceptor,
  Post,
  Req,
  UseFilters,
  UseInterceptors,
} from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import type { Request, Response } from 'express';
import { fileTypeFromBuffer } from 'file-type';
import type { Readable } from 'node:stream';
import type { AttachmentType } from '@parley/libs/messenger/webhook-events.js';
import { Role } from '@parley/libs/shared/roles.js';
import { Roles } from '../../infrastructure/access/access.js';
import type { AppConfig } from '../../infrastructure/config/config.js';
import { APP_CONFIG } from '../../infrastructure/config/config.module.js';
import { ErrorCode, ParleyError } from '../../infrastructure/errors/parley-error.js';
import { AttachmentLinks } from './attachment-links.js';
import { AttachmentStore, AttachmentTooLarge } from './attachment-store.js';
import { attachmentTypeOf, looksLikeText, SNIFF_BYTES } from './upload-types.js';

/** What the storage engine tells multer about a stored upload (multer adds it to `req.file`). */
interface StoredUpload {
  key: string;
  size: number;
  contentType: string;
  type: AttachmentType;
}

interface IncomingFile {
  originalname: string;
  stream: Readable;
}

const megabytes = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`;

/** A multer storage engine writing straight into the AttachmentStore, type told by content. */
class UploadStorage {
  constructor(
    private readonly store: AttachmentStore,
    private readonly limit: number,
  ) {}

  _handleFile(_req: Request, file: IncomingFile, done: (error: unknown, info?: StoredUpload) => void) {
    this.keep(file).then(
      (info) => done(null, info),
      (error: unknown) => done(error),
    );
  }

  _removeFile(_req: Request, file: Partial<StoredUpload>, done: (error: unknown) => void) {
    if (!file.key) return done(null);
    this.store.remove(file.key).then(
      () => done(null),
      () => done(null),
    );
  }

  private async keep(file: IncomingFile): Promise<StoredUpload> {
    let saved: { key: string; size: number; head: Buffer };
    try {
      saved = await this.store.save(file.stream, this.limit, SNIFF_BYTES);
    } catch (error) {
      if (error instanceof AttachmentTooLarge) throw tooLarge(this.limit);
      throw error;
    }
    const detected = (await fileTypeFromBuffer(saved.head))?.mime;
    const contentType = detected ?? (looksLikeText(saved.head) ? 'text/plain' : null);
    const type = contentType ? attachmentTypeOf(contentType) : null;
    if (!contentType || !type) {
      await this.store.remove(saved.key);
      throw new ParleyError(
        ErrorCode.UNSUPPORTED_MEDIA_TYPE,
        `Parley does not send this kind of file${detected ? ` (${detected})` : ''}: send a picture (JPEG, PNG, GIF, WebP), an MP4 video, audio (MP3, M4A, OGG), or a document (PDF, Word, Excel, PowerPoint, OpenDocument, plain text)`,
        { field: 'file' },
      );
    }
    return { key: saved.key, size: saved.size, contentType, type };
  }
}

const tooLarge = (limit: number) =>
  new ParleyError(
    ErrorCode.PAYLOAD_TOO_LARGE,
    `The file is larger than ${megabytes(limit)}, the most Messenger takes`,
    { field: 'file', limitBytes: limit },
  );

/** Nest's multer interceptor, with the storage engine above (which needs the store, hence DI). */
@Injectable()
export class UploadInterceptor implements NestInterceptor {
  private readonly multer: NestInterceptor;

  constructor(store: AttachmentStore, @Inject(APP_CONFIG) config: AppConfig) {
    const Multer = FileInterceptor('file', {
      storage: new UploadStorage(store, config.attachmentMaxBytes),
      limits: { fileSize: config.attachmentMaxBytes, files: 1, fields: 5 },
      defParamCharset: 'utf8',
    });
    this.multer = new Multer();
  }

  intercept(context: ExecutionContext, next: CallHandler) {
    return this.multer.intercept(context, next);
  }
}

/** multer's own refusals (size, malformed multipart) in Parley's JSON shape, `{code, message}`. */
@Catch(HttpException)
@Injectable()
export class UploadErrors implements ExceptionFilter {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  catch(exception: HttpException, host: ArgumentsHost) {
    const status = exception.getStatus();
    const error =
      status === 413
        ? tooLarge(this.config.attachmentMaxBytes)
        : status === 415
          ? new ParleyError(
              ErrorCode.UNSUPPORTED_MEDIA_TYPE,
              'Send the file as multipart/form-data, in a field named "file"',
            )
          : new ParleyError(
              status === 400 ? ErrorCode.BAD_USER_INPUT : ErrorCode.INTERNAL_SERVER_ERROR,
              `The upload could not be read (${exception.message}); send multipart/form-data with the file in a field named "file"`,
            );
    host
      .switchToHttp()
      .getResponse<Response>()
      .status(status)
      .json({ code: error.code, message: error.message, ...error.details });
  }
}

/**
 * `POST /uploads`: an agent's file for a reply (multipart/form-data, field `file`), authenticated
 * like the API (bearer token or API key). Stored in the AttachmentStore and answered as a signed
 * link that sendMessage takes in `AttachmentInput.url` (docs/messenger.md#sending).
 */
@Controller('uploads')
export class UploadsController {
  constructor(
    private readonly links: AttachmentLinks,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Post()
  @Roles(Role.ADMIN, Role.SUPERVISOR, Role.AGENT)
  @UseInterceptors(UploadInterceptor)
  @UseFilters(UploadErrors)
  upload(@Req() req: Request & { file?: IncomingFile & StoredUpload }) {
    const file = req.file;
    if (!file) {
      throw ParleyError.badInput(
        'file',
        'no file came: send multipart/form-data with the file in a field named "file"',
      );
    }
    // A name for people only: no path, no control characters.
    const name =
      (file.originalname ?? '')
        .split(/[\\/]/)
        .pop()!
        // eslint-disable-next-line no-control-regex
        .replace(/[\u0000-\u001f\u007f]/g, '')
        .trim()
        .slice(0, 255) || 'upload';
    const link = this.links.link({ key: file.key, contentType: file.contentType, name });
    return {
      url: `${this.config.publicUrl}${link}`,
      type: file.type,
      name,
      contentType: file.contentType,
      size: file.size,
    };
  }
}

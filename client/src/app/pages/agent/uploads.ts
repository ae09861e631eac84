import { HttpClient, HttpErrorResponse, HttpEventType } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import { type Observable, filter, map } from 'rxjs';
import { SessionStore } from '../../core/auth/session.store';
import { ServerUnreachableError } from '../../core/graphql/errors';
import type { AttachmentType } from '../../graphql/generated';

/** Messenger takes files up to 25 MB; the server may be set lower and says so. */
export const UPLOAD_MAX_BYTES = 25 * 1024 * 1024;

/** What POST /uploads answers: what sendMessage takes as an AttachmentInput. */
export interface UploadedFile {
  url: string;
  type: AttachmentType;
  name: string;
}

export type UploadProgress = { progress: number } | { done: UploadedFile };

/** A file for a reply, sent to POST /uploads (multipart, the bearer token) with its progress. */
@Injectable({ providedIn: 'root' })
export class Uploads {
  private readonly http = inject(HttpClient);
  private readonly session = inject(SessionStore);

  upload(file: File): Observable<UploadProgress> {
    const body = new FormData();
    body.append('file', file, file.name);
    const token = this.session.token();
    return this.http
      .post<UploadedFile>('/uploads', body, {
        headers: token ? { Authorization: `Bearer ${token}` } : {},
        reportProgress: true,
        observe: 'events',
      })
      .pipe(
        map((event): UploadProgress | null => {
          if (event.type === HttpEventType.UploadProgress) {
            return { progress: event.total ? event.loaded / event.total : 0 };
          }
          if (event.type === HttpEventType.Response) {
            if (!event.body?.url) throw new Error('The Parley server did not say where it kept the file.');
            const { url, type, name } = event.body;
            return { done: { url, type, name } };
          }
          return null;
        }),
        filter((value): value is UploadProgress => value !== null),
      );
  }
}

/** Why an upload failed, in words: the server's own message (too large, wrong kind) when it gave one. */
export function describeUploadError(error: unknown): string {
  if (error instanceof ServerUnreachableError) return error.message;
  if (error instanceof HttpErrorResponse) {
    const body: unknown = error.error;
    if (
      typeof body === 'object' &&
      body !== null &&
      typeof (body as { message?: unknown }).message === 'string'
    ) {
      return (body as { message: string }).message;
    }
    return `The Parley server answered with an error (HTTP ${error.status}).`;
  }
  return error instanceof Error && error.message ? error.message : 'The upload failed.';
}

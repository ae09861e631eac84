import { HttpErrorResponse, type HttpInterceptorFn } from '@angular/common/http';
import { catchError, throwError } from 'rxjs';
import { ServerUnreachableError } from './errors';

/**
 * Turns "no answer at all" (status 0: server down, network gone) and a gateway's 502/503/504
 * without a GraphQL body (the dev proxy while the server restarts) into ServerUnreachableError,
 * so every screen can say "Cannot reach the Parley server" instead of a transport message.
 */
export const unreachableInterceptor: HttpInterceptorFn = (request, next) =>
  next(request).pipe(
    catchError((error: unknown) => {
      if (error instanceof HttpErrorResponse && isUnreachable(error)) {
        return throwError(() => new ServerUnreachableError());
      }
      return throwError(() => error);
    }),
  );

function isUnreachable(error: HttpErrorResponse): boolean {
  if (error.status === 0) return true;
  if (![502, 503, 504].includes(error.status)) return false;
  const body: unknown = error.error;
  const isGraphQLBody =
    typeof body === 'object' && body !== null && Array.isArray((body as { errors?: unknown }).errors);
  return !isGraphQLBody;
}

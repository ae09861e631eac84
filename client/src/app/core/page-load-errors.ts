import { Injectable, inject, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { NavigationEnd, type NavigationError, Router } from '@angular/router';
import { filter } from 'rxjs';
import { SERVER_UNREACHABLE } from './graphql/errors';

/** A page whose code could not be loaded (server down during a lazy import, new deployment...). */
@Injectable({ providedIn: 'root' })
export class PageLoadErrors {
  private readonly messageSignal = signal<string | null>(null);
  readonly message = this.messageSignal.asReadonly();

  constructor() {
    // A later navigation that works makes the message obsolete.
    inject(Router)
      .events.pipe(
        filter((event) => event instanceof NavigationEnd),
        takeUntilDestroyed(),
      )
      .subscribe(() => this.clear());
  }

  report(event: NavigationError): void {
    const error: unknown = event.error;
    const text = error instanceof Error ? error.message : String(error);
    const reason = /dynamically imported module|Importing a module script failed|Loading chunk/i.test(text)
      ? SERVER_UNREACHABLE
      : text;
    this.messageSignal.set(`Parley could not open ${event.url}. ${reason}`);
  }

  clear(): void {
    this.messageSignal.set(null);
  }
}

import { DestroyRef, type Signal, inject, signal } from '@angular/core';

/**
 * The current time, renewed every `everyMs`, so that "3 minutes ago" stays true while a screen is open.
 * Create it in an injection context; it stops with its component.
 */
export function nowSignal(everyMs: number): Signal<Date> {
  const now = signal(new Date());
  const timer = setInterval(() => now.set(new Date()), everyMs);
  inject(DestroyRef).onDestroy(() => clearInterval(timer));
  return now.asReadonly();
}

import { Injectable, signal } from '@angular/core';

const PREFIX = 'parley.draft.';

/**
 * What the agent has typed and not yet sent, per interaction: in a signal for the screen, and in
 * sessionStorage so that neither a lost connection nor a reload of the tab loses it (a closed tab
 * forgets it, with the session).
 */
@Injectable({ providedIn: 'root' })
export class DraftStore {
  private readonly drafts = signal<ReadonlyMap<string, string>>(readAll());

  get(interactionId: string): string {
    return this.drafts().get(interactionId) ?? '';
  }

  set(interactionId: string, text: string): void {
    this.drafts.update((drafts) => {
      const next = new Map(drafts);
      if (text) next.set(interactionId, text);
      else next.delete(interactionId);
      return next;
    });
    try {
      if (text) sessionStorage.setItem(PREFIX + interactionId, text);
      else sessionStorage.removeItem(PREFIX + interactionId);
    } catch {
      // Storage full or refused (private mode): the signal still holds it for this page.
    }
  }

  clear(interactionId: string): void {
    this.set(interactionId, '');
  }
}

function readAll(): Map<string, string> {
  const drafts = new Map<string, string>();
  try {
    for (let i = 0; i < sessionStorage.length; i++) {
      const key = sessionStorage.key(i);
      if (key?.startsWith(PREFIX)) drafts.set(key.slice(PREFIX.length), sessionStorage.getItem(key) ?? '');
    }
  } catch {
    // No storage: drafts live as long as the page.
  }
  return drafts;
}

import { type Signal, signal } from '@angular/core';

/**
 * A set of ids in a signal, read like one (`busy().has(id)`, `selected().size`); every change makes a
 * new set, so templates and computeds see it. Typically the rows with a change on its way.
 */
export interface IdSet extends Signal<ReadonlySet<string>> {
  add(id: string): void;
  delete(id: string): void;
  /** Adds the id when `present`, deletes it otherwise. */
  toggle(id: string, present: boolean): void;
  /** Replaces the whole set. */
  set(ids: Iterable<string>): void;
}

export function idSet(): IdSet {
  const ids = signal<ReadonlySet<string>>(new Set());
  const change = (edit: (next: Set<string>) => void) =>
    ids.update((current) => {
      const next = new Set(current);
      edit(next);
      return next;
    });
  return Object.assign(ids.asReadonly(), {
    add: (id: string) => change((next) => next.add(id)),
    delete: (id: string) => change((next) => next.delete(id)),
    toggle: (id: string, present: boolean) => change((next) => (present ? next.add(id) : next.delete(id))),
    set: (next: Iterable<string>) => ids.set(new Set(next)),
  });
}

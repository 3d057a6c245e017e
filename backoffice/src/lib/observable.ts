// A minimal change notifier for the backoffice's models (inbox, conversation, knowledge): models
// call `changed()`, components re-render through useObservable().
import { useEffect, useState } from 'preact/hooks';

export class Observable {
  readonly #listeners = new Set<() => void>();
  #version = 0;

  subscribe(fn: () => void): () => void {
    this.#listeners.add(fn);
    return () => void this.#listeners.delete(fn);
  }

  get revision(): number {
    return this.#version;
  }

  protected changed(): void {
    this.#version++;
    for (const fn of [...this.#listeners]) fn();
  }
}

/** Re-renders the component whenever `model` changes; returns the model for convenience. */
export function useObservable<T extends Observable | undefined>(model: T): T {
  const [, setRevision] = useState(0);
  useEffect(() => {
    if (!model) return;
    setRevision(model.revision);
    return model.subscribe(() => setRevision(model.revision));
  }, [model]);
  return model;
}

// Listener sets of the client SDK: add one, get back the function that removes it.

export type Listener<T> = (value: T) => void;

/** Adds `listener` to `listeners`; returns the function that takes it out again. */
export function subscribe<T>(listeners: Set<Listener<T>>, listener: Listener<T>): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Calls every listener of `listeners` (if any) with `value`. */
export function emit<T>(listeners: Set<Listener<T>> | undefined, value: T): void {
  for (const listener of listeners ?? []) listener(value);
}

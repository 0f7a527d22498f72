// What an enhanced handler call ends as: every value it emitted, or what a filter said.
import { isObservable, lastValueFrom, Observable, toArray } from 'rxjs';

/**
 * What an exception filter returned, marked so that it is told apart from an exception
 * no filter caught: a filter's answer, even nothing, is the request's outcome.
 */
export class FilterOutcome {
  constructor(readonly value: unknown) {}
}

/**
 * Turns an Observable into the list of every value it emitted (each may be a response,
 * a list of them, or nothing), once it completes; anything else is returned as is.
 * Collecting first keeps "all or nothing": a stream that fails half-way casts nothing.
 */
export function collectEmitted(result: unknown, signal?: AbortSignal): unknown {
  if (!isObservable(result)) return result;
  const stream = signal === undefined ? (result as Observable<unknown>) : untilAborted(result as Observable<unknown>, signal);
  return lastValueFrom(stream.pipe(toArray()), { defaultValue: [] }).then(flatten);
}

/**
 * Mirrors `source` until `signal` aborts, then fails with the abort's reason and
 * unsubscribes from `source`: a stream that never completes stops running (and
 * buffering) once its call is given up.
 */
export function untilAborted<T>(source: Observable<T>, signal: AbortSignal): Observable<T> {
  return new Observable<T>((subscriber) => {
    if (signal.aborted) {
      subscriber.error(signal.reason);
      return undefined;
    }
    const onAbort = () => subscriber.error(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    const subscription = source.subscribe(subscriber);
    return () => {
      signal.removeEventListener('abort', onAbort);
      subscription.unsubscribe();
    };
  });
}

/** Settles a pipeline outcome into what the core casts. */
export async function settleOutcome(outcome: Promise<unknown>): Promise<unknown> {
  let value = await outcome;
  if (value instanceof FilterOutcome) value = await value.value;
  return collectEmitted(value);
}

function flatten(values: unknown[]): unknown[] {
  return values.flatMap((value) => (value === undefined || value === null ? [] : Array.isArray(value) ? value : [value]));
}

import { isObservable, lastValueFrom, toArray, type Observable } from 'rxjs';

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
export function collectEmitted(result: unknown): unknown {
  if (!isObservable(result)) return result;
  return lastValueFrom((result as Observable<unknown>).pipe(toArray()), { defaultValue: [] }).then(flatten);
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

// Per handler: how many frames it was given, and how long its calls took (for metrics).
import { isPromiseLike } from './promise-like.js';

/** Upper bounds of the handler duration buckets, in seconds. */
export const DURATION_BUCKETS: readonly number[] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** One handler's counts: its calls, and their durations in {@link DURATION_BUCKETS}. */
export interface HandlerTally {
  calls: number;
  /** Calls per bucket (not cumulative); the last counts those past every bound. */
  readonly buckets: number[];
  /** The durations summed, in seconds. */
  seconds: number;
}

/**
 * Counts, per HandlerID, the frames given to a handler and how long each call took until
 * its outcome was known. Kept only when metrics are on; bounded by the handlers there
 * are (IDs without a handler are not counted here).
 */
export class HandlerMeter {
  private readonly tallies = new Map<number, HandlerTally>();
  /** `Recover` frames answered (protocol 1.2). */
  recoveries = 0;

  /**
   * A call of handler `handlerId` begun at `started` (`performance.now()`) has returned
   * `outcome`: recorded now, or once `outcome`, a promise, settles.
   */
  callReturned(handlerId: number, started: number, outcome?: unknown): void {
    const done = () => this.record(handlerId, (performance.now() - started) / 1000);
    if (isPromiseLike(outcome)) outcome.then(done, done);
    else done();
  }

  /** A call of handler `handlerId` that took `seconds`. */
  record(handlerId: number, seconds: number): void {
    let tally = this.tallies.get(handlerId);
    if (tally === undefined) {
      tally = { calls: 0, buckets: new Array<number>(DURATION_BUCKETS.length + 1).fill(0), seconds: 0 };
      this.tallies.set(handlerId, tally);
    }
    tally.calls += 1;
    tally.seconds += seconds;
    let bucket = 0;
    while (bucket < DURATION_BUCKETS.length && seconds > DURATION_BUCKETS[bucket]) bucket += 1;
    tally.buckets[bucket] += 1;
  }

  /** Each handler's tally so far, by HandlerID. */
  entries(): IterableIterator<[number, Readonly<HandlerTally>]> {
    return this.tallies.entries();
  }
}

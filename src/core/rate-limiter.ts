// A client's rate limit: a token bucket.
/** How fast one client may send. */
export interface RateLimit {
  /** Messages a client may send per second, on average. */
  messagesPerSecond: number;
  /** Messages a client may send at once after being quiet. @default messagesPerSecond */
  burst?: number;
  /**
   * Refused messages within one second after which the client is disconnected with
   * 1008. @default max(10, burst)
   */
  floodThreshold?: number;
}

/** Outcome of offering one message to a {@link TokenBucket}. */
export type RateVerdict = 'accept' | 'refuse' | 'disconnect';

/** A token bucket per client, plus a count of refusals per second to spot a flood. */
export class TokenBucket {
  private tokens: number;
  private refilledAt: number;
  private refusals = 0;
  private refusalWindowStart = 0;
  private readonly burst: number;
  private readonly floodThreshold: number;

  constructor(
    private readonly limit: RateLimit,
    private readonly now: () => number = Date.now,
  ) {
    this.burst = limit.burst ?? limit.messagesPerSecond;
    this.floodThreshold = limit.floodThreshold ?? Math.max(10, this.burst);
    this.tokens = this.burst;
    this.refilledAt = now();
  }

  take(): RateVerdict {
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.refilledAt) / 1000) * this.limit.messagesPerSecond);
    this.refilledAt = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 'accept';
    }
    if (now - this.refusalWindowStart >= 1000) {
      this.refusalWindowStart = now;
      this.refusals = 0;
    }
    this.refusals += 1;
    return this.refusals > this.floodThreshold ? 'disconnect' : 'refuse';
  }
}

/** Checks a rate limit given by a user; throws a clear error on nonsense. */
export function assertRateLimit(limit: RateLimit): void {
  const positive = (value: unknown) => typeof value === 'number' && Number.isFinite(value) && value > 0;
  if (!positive(limit.messagesPerSecond)) throw new TypeError('rateLimit.messagesPerSecond must be a positive number');
  if (limit.burst !== undefined && !(positive(limit.burst) && limit.burst >= 1)) {
    throw new TypeError('rateLimit.burst must be a number of at least 1');
  }
  if (limit.floodThreshold !== undefined && !(Number.isInteger(limit.floodThreshold) && limit.floodThreshold >= 0)) {
    throw new TypeError('rateLimit.floodThreshold must be a whole number');
  }
}

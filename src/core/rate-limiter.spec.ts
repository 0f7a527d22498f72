import { assertRateLimit, TokenBucket } from './rate-limiter';

/** A bucket on a clock the test moves by hand. */
function bucket(limit: ConstructorParameters<typeof TokenBucket>[0]) {
  let now = 1_000_000;
  const tokens = new TokenBucket(limit, () => now);
  return { take: () => tokens.take(), advance: (ms: number) => (now += ms) };
}

describe('TokenBucket', () => {
  it('accepts a burst, then refuses until tokens come back at the given rate', () => {
    const { take, advance } = bucket({ messagesPerSecond: 2, burst: 3 });
    expect([take(), take(), take(), take()]).toEqual(['accept', 'accept', 'accept', 'refuse']);
    advance(499);
    expect(take()).toBe('refuse');
    advance(1);
    expect(take()).toBe('accept');
    expect(take()).toBe('refuse');
  });

  it('never holds more than its burst, however long it was quiet', () => {
    const { take, advance } = bucket({ messagesPerSecond: 10, burst: 2 });
    advance(60_000);
    expect([take(), take(), take()]).toEqual(['accept', 'accept', 'refuse']);
  });

  it('takes a burst equal to the rate by default', () => {
    const { take } = bucket({ messagesPerSecond: 3 });
    expect([take(), take(), take(), take()]).toEqual(['accept', 'accept', 'accept', 'refuse']);
  });

  it('says to disconnect past floodThreshold refusals within one second, and counts anew each second', () => {
    const { take, advance } = bucket({ messagesPerSecond: 1, burst: 1, floodThreshold: 2 });
    expect([take(), take(), take(), take()]).toEqual(['accept', 'refuse', 'refuse', 'disconnect']);
    advance(1000);
    // A token came back, and the refusal count starts over.
    expect([take(), take(), take(), take()]).toEqual(['accept', 'refuse', 'refuse', 'disconnect']);
  });

  it('uses max(10, burst) as the flood threshold by default', () => {
    const { take } = bucket({ messagesPerSecond: 1, burst: 1 });
    take();
    const verdicts = Array.from({ length: 11 }, () => take());
    expect(verdicts.slice(0, 10).every((verdict) => verdict === 'refuse')).toBe(true);
    expect(verdicts[10]).toBe('disconnect');
  });
});

describe('assertRateLimit', () => {
  it.each([
    [{ messagesPerSecond: 0 }, /messagesPerSecond must be a positive number/],
    [{ messagesPerSecond: Number.NaN }, /messagesPerSecond must be a positive number/],
    [{ messagesPerSecond: 5, burst: 0.5 }, /burst must be a number of at least 1/],
    [{ messagesPerSecond: 5, floodThreshold: 1.5 }, /floodThreshold must be a whole number/],
  ])('refuses %p', (limit, message) => {
    expect(() => assertRateLimit(limit)).toThrow(message);
  });
});

// How long the client SDK waits before reconnecting: exponential backoff with full jitter.
/** How long to wait before reconnect attempt `attempt` (0 for the first), in milliseconds. */
export interface Backoff {
  /** First ceiling. @default 500 */
  min?: number;
  /** Highest ceiling. @default 20000 */
  max?: number;
}

/**
 * Exponential backoff with full jitter: a random wait between 0 and a ceiling that doubles
 * with each attempt, from `min` up to `max`. The randomness spreads a crowd of clients
 * that lost the same server, so that they do not all come back at once.
 */
export function reconnectDelay(attempt: number, { min = 500, max = 20_000 }: Backoff = {}, random = Math.random): number {
  return random() * Math.min(max, min * 2 ** attempt);
}

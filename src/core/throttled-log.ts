// Warnings a remote party can cause, logged once per interval per kind with a count.
import type { BroadcasterLogger } from './handlers.js';
import { withFacts, type LogFacts } from './log-facts.js';

/** How long warnings of one kind are gathered into one line. */
const WINDOW_MS = 10_000;

/**
 * Warnings that a remote party can cause at will (refused requests, refused joins): the
 * first of a kind in a window of ten seconds is logged, the rest are counted, and the
 * count is told with the next one logged. Kinds are a fixed set of names chosen by the
 * code, never anything a client sends, so the map stays small.
 */
export class ThrottledLog {
  private readonly kinds = new Map<string, { until: number; suppressed: number }>();

  constructor(
    private readonly logger: BroadcasterLogger,
    private readonly windowMs = WINDOW_MS,
  ) {}

  /** Logs `message` unless `kind` was logged within the window; `kind` is its `event` fact. */
  warn(kind: string, message: string, facts: Partial<LogFacts> = {}): void {
    const now = Date.now();
    const state = this.kinds.get(kind);
    if (state !== undefined && now < state.until) {
      state.suppressed += 1;
      return;
    }
    const suppressed = state?.suppressed ?? 0;
    const more = suppressed === 0 ? '' : ` (and ${suppressed} more like it, not logged, in the ${this.windowMs / 1000} s before)`;
    this.kinds.set(kind, { until: now + this.windowMs, suppressed: 0 });
    this.logger.warn(withFacts(`${message}${more}`, { event: kind.replace(/-/g, '_'), ...facts }));
  }
}

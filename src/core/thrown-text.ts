// What to log of anything thrown, without ever throwing.
import { describeValue } from './describe-value.js';

/**
 * The text to log for anything thrown. Never throws itself: a thrown object with no
 * prototype, or whose `toString` or `stack` throws, is described by its kind.
 */
export function stackOf(error: unknown): string {
  try {
    if (error instanceof Error) return String(error.stack ?? error.message);
    return String(error);
  } catch {
    return `${describeValue(error)} was thrown (it cannot be turned into text)`;
  }
}

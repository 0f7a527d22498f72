// A handler call's deadline: past `handlerTimeout` its outcome no longer counts.
import { abortCall } from './call-abort.js';
import { HandlerTimeoutError } from './errors.js';

/**
 * Settles like `outcome`, or rejects with {@link HandlerTimeoutError} once `timeoutMs`
 * has passed, giving up the call of `message` (see `abortCall`). An outcome that comes
 * later is dropped, and `warnLate` is told why.
 */
export function withDeadline(
  outcome: PromiseLike<unknown>,
  timeoutMs: number,
  message: object,
  warnLate: (why: string) => void,
): Promise<unknown> {
  return new Promise((resolve, reject) => {
    let late = false;
    const timer = setTimeout(() => {
      late = true;
      const error = new HandlerTimeoutError(timeoutMs);
      abortCall(message, error);
      reject(error);
    }, timeoutMs);
    timer.unref();
    const settle = (done: () => void) => {
      if (!late) {
        clearTimeout(timer);
        done();
        return;
      }
      warnLate(`settled after its ${timeoutMs} ms timeout: its outcome was dropped`);
    };
    outcome.then(
      (value) => settle(() => resolve(value)),
      (error: unknown) => settle(() => reject(error)),
    );
  });
}

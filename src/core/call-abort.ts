// Giving up a handler call: an abort signal per call, fired at its deadline or when its client leaves.
/**
 * A handler call's cancellation, keyed by the message object the call was given (each
 * call gets one of its own). The signal is made only when something asks for it (a
 * handler that returned a stream), so a plain call pays nothing.
 */
const controllers = new WeakMap<object, AbortController>();

/** The signal aborted when the call that got `message` is given up (deadline passed, client gone). */
export function abortSignalOf(message: object): AbortSignal {
  let controller = controllers.get(message);
  if (controller === undefined) {
    controller = new AbortController();
    controllers.set(message, controller);
  }
  return controller.signal;
}

/** Gives up the call that got `message`: whatever still runs for it is told to stop. */
export function abortCall(message: object, reason: unknown): void {
  controllers.get(message)?.abort(reason);
}

// The logger used when the app gives none: the console.
import type { BroadcasterLogger } from './handlers.js';

/** Where the core reports when it is given no logger: the console. */
export const consoleLogger: BroadcasterLogger = {
  log: (message) => console.log(message),
  warn: (message) => console.warn(message),
  error: (message, stack) => console.error(stack === undefined ? message : `${message}\n${stack}`),
};

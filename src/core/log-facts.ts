// Log lines with their facts as `key=value` fields: the same keys on every line, for grep and log pipelines.
import type { BroadcasterLogger } from './handlers.js';

/**
 * The facts of a log line. `event` names what happened, in words that do not change
 * between releases (`client_evicted`, `cluster_link_down`…); the rest say who and what:
 * `clientId`, `code`, `room`, `node` (another instance), `handlerId`.
 */
export type LogFacts = Readonly<{ event: string } & Record<string, string | number | undefined>>;

const PLAIN_VALUE = /^[\w.:/@-]+$/;

/** `message`, then each fact as ` key=value` (a value with spaces or quotes JSON-quoted). */
export function withFacts(message: string, facts: LogFacts): string {
  let line = message;
  for (const [key, value] of Object.entries(facts)) {
    if (value === undefined) continue;
    const text = String(value);
    line += ` ${key}=${PLAIN_VALUE.test(text) ? text : JSON.stringify(text)}`;
  }
  return line;
}

/** `logger`, each line ending with ` instance=<instance>`: which instance of the cluster wrote it. */
export function withInstance(logger: BroadcasterLogger, instance: () => string): BroadcasterLogger {
  return {
    log: (message) => logger.log(`${message} instance=${instance()}`),
    warn: (message) => logger.warn(`${message} instance=${instance()}`),
    error: (message, stack) => (stack === undefined ? logger.error(`${message} instance=${instance()}`) : logger.error(`${message} instance=${instance()}`, stack)),
  };
}

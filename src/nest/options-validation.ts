import { DEFAULT_MAX_PAYLOAD, DEFAULT_PATH } from './broadcaster.constants.js';
import { INVALID_OPTION } from './broadcaster.messages.js';
import type { BroadcasterModuleOptions } from './broadcaster-options.interface.js';

/** Options with their defaults filled in. */
export type ResolvedBroadcasterOptions = Required<Omit<BroadcasterModuleOptions, 'port'>> &
  Pick<BroadcasterModuleOptions, 'port'>;

/** Checks the options a user gave and fills in the defaults; throws on a bad value. */
export function resolveOptions(options: BroadcasterModuleOptions): ResolvedBroadcasterOptions {
  const { path = DEFAULT_PATH, port, maxPayload = DEFAULT_MAX_PAYLOAD, announceClients = true } = options;
  if (typeof path !== 'string' || !path.startsWith('/')) {
    throw new TypeError(INVALID_OPTION('path', 'a string starting with "/"', path));
  }
  if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536)) {
    throw new TypeError(INVALID_OPTION('port', 'an integer from 1 to 65535', port));
  }
  if (!(Number.isSafeInteger(maxPayload) && maxPayload > 0)) {
    throw new TypeError(INVALID_OPTION('maxPayload', 'a positive integer (bytes)', maxPayload));
  }
  if (typeof announceClients !== 'boolean') {
    throw new TypeError(INVALID_OPTION('announceClients', 'a boolean', announceClients));
  }
  return { path, port, maxPayload, announceClients };
}

import {
  DEFAULT_CLUSTER_HEARTBEAT_INTERVAL,
  DEFAULT_HANDLER_TIMEOUT,
  DEFAULT_MAX_CLUSTER_NODES,
  DEFAULT_MAX_BUFFERED_BYTES,
  DEFAULT_MAX_BUFFERED_MESSAGES,
  DEFAULT_NODE_TIMEOUT,
} from '../core/broadcaster-core.js';
import { assertRateLimit } from '../core/rate-limiter.js';
import { DEFAULT_MAX_PAYLOAD, DEFAULT_PATH } from './broadcaster.constants.js';
import { INVALID_OPTION, UNKNOWN_OPTION } from './broadcaster.messages.js';
import type { BroadcasterModuleOptions } from './broadcaster-options.interface.js';

type Optional =
  | 'port'
  | 'host'
  | 'maxClients'
  | 'rateLimit'
  | 'allowedOrigins'
  | 'authenticate'
  | 'backplane'
  | 'clusterSecret';

/** Options with their defaults filled in. */
export type ResolvedBroadcasterOptions = Required<Omit<BroadcasterModuleOptions, Optional>> &
  Pick<BroadcasterModuleOptions, Optional>;

const DEFAULT_HEARTBEAT_INTERVAL = 30_000;
/** Below this, a client busy reading a burst could miss a heartbeat while alive. */
const MIN_HEARTBEAT_INTERVAL = 1000;
const DEFAULT_SHUTDOWN_TIMEOUT = 10_000;
const DEFAULT_AUTHENTICATE_TIMEOUT = 10_000;
const DEFAULT_REQUEST_HEADERS: readonly string[] = ['origin', 'user-agent', 'x-forwarded-for'];

/** Every option there is: a key not listed here is a typo, refused by name. */
const KNOWN_OPTIONS: ReadonlySet<string> = new Set<keyof BroadcasterModuleOptions>([
  'path',
  'port',
  'host',
  'maxPayload',
  'announceClients',
  'maxBufferedBytes',
  'maxBufferedMessages',
  'slowClientPolicy',
  'heartbeatInterval',
  'maxClients',
  'rateLimit',
  'allowedOrigins',
  'authenticate',
  'authenticateTimeout',
  'requestHeaders',
  'handlerTimeout',
  'shutdownTimeout',
  'backplane',
  'clusterHeartbeatInterval',
  'nodeTimeout',
  'clusterSecret',
  'maxClusterNodes',
]);

/** Checks the options a user gave and fills in the defaults; throws on a bad value. */
export function resolveOptions(options: BroadcasterModuleOptions): ResolvedBroadcasterOptions {
  check('options', typeof options === 'object' && options !== null, 'an object', options);
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(key)) throw new TypeError(UNKNOWN_OPTION(key));
  }
  const resolved: ResolvedBroadcasterOptions = {
    ...options,
    path: options.path ?? DEFAULT_PATH,
    maxPayload: options.maxPayload ?? DEFAULT_MAX_PAYLOAD,
    announceClients: options.announceClients ?? true,
    maxBufferedBytes: options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES,
    maxBufferedMessages: options.maxBufferedMessages ?? DEFAULT_MAX_BUFFERED_MESSAGES,
    slowClientPolicy: options.slowClientPolicy ?? 'close',
    heartbeatInterval: options.heartbeatInterval ?? DEFAULT_HEARTBEAT_INTERVAL,
    shutdownTimeout: options.shutdownTimeout ?? DEFAULT_SHUTDOWN_TIMEOUT,
    clusterHeartbeatInterval: options.clusterHeartbeatInterval ?? DEFAULT_CLUSTER_HEARTBEAT_INTERVAL,
    nodeTimeout: options.nodeTimeout ?? DEFAULT_NODE_TIMEOUT,
    authenticateTimeout: options.authenticateTimeout ?? DEFAULT_AUTHENTICATE_TIMEOUT,
    requestHeaders: options.requestHeaders ?? DEFAULT_REQUEST_HEADERS,
    handlerTimeout: options.handlerTimeout ?? DEFAULT_HANDLER_TIMEOUT,
    maxClusterNodes: options.maxClusterNodes ?? DEFAULT_MAX_CLUSTER_NODES,
  };
  const { path, port, maxPayload, announceClients, maxClients, slowClientPolicy } = resolved;
  check('path', typeof path === 'string' && path.startsWith('/'), 'a string starting with "/"', path);
  check('port', port === undefined || (Number.isInteger(port) && port > 0 && port < 65536), 'an integer from 1 to 65535', port);
  check('maxPayload', isPositiveInteger(maxPayload), 'a positive integer (bytes)', maxPayload);
  check('announceClients', typeof announceClients === 'boolean', 'a boolean', announceClients);
  check('maxBufferedBytes', isPositiveInteger(resolved.maxBufferedBytes), 'a positive integer (bytes)', resolved.maxBufferedBytes);
  check('maxBufferedMessages', isPositiveInteger(resolved.maxBufferedMessages), 'a positive integer', resolved.maxBufferedMessages);
  check('slowClientPolicy', slowClientPolicy === 'close' || slowClientPolicy === 'drop', '"close" or "drop"', slowClientPolicy);
  check('host', resolved.host === undefined || (typeof resolved.host === 'string' && resolved.host !== ''), 'an address such as "127.0.0.1"', resolved.host);
  check('host', resolved.host === undefined || port !== undefined, 'given only with "port" (the app\'s own port listens where app.listen() says)', resolved.host);
  check(
    'heartbeatInterval',
    resolved.heartbeatInterval === 0 || (isWhole(resolved.heartbeatInterval) && resolved.heartbeatInterval >= MIN_HEARTBEAT_INTERVAL),
    `0 (off) or a whole number of milliseconds of at least ${MIN_HEARTBEAT_INTERVAL}`,
    resolved.heartbeatInterval,
  );
  check('authenticateTimeout', isPositiveInteger(resolved.authenticateTimeout), 'a positive number of milliseconds', resolved.authenticateTimeout);
  check('handlerTimeout', isWhole(resolved.handlerTimeout), 'a whole number of milliseconds (0 = off)', resolved.handlerTimeout);
  check(
    'requestHeaders',
    Array.isArray(resolved.requestHeaders) && resolved.requestHeaders.every((name) => typeof name === 'string'),
    'a list of header names',
    resolved.requestHeaders,
  );
  check('clusterSecret', resolved.clusterSecret === undefined || (typeof resolved.clusterSecret === 'string' && resolved.clusterSecret.length >= 16), 'a string of at least 16 characters', resolved.clusterSecret === undefined ? undefined : '(hidden)');
  check('maxClusterNodes', isPositiveInteger(resolved.maxClusterNodes), 'a positive integer', resolved.maxClusterNodes);
  check('shutdownTimeout', isWhole(resolved.shutdownTimeout), 'a whole number of milliseconds', resolved.shutdownTimeout);
  check('maxClients', maxClients === undefined || isPositiveInteger(maxClients), 'a positive integer', maxClients);
  check('allowedOrigins', isOrigins(resolved.allowedOrigins), 'a list of origins or a function', resolved.allowedOrigins);
  check('authenticate', resolved.authenticate === undefined || typeof resolved.authenticate === 'function', 'a function', resolved.authenticate);
  check('backplane', resolved.backplane === undefined || isBackplane(resolved.backplane), 'a Backplane (e.g. a RedisBackplane)', resolved.backplane);
  check('clusterHeartbeatInterval', isPositiveInteger(resolved.clusterHeartbeatInterval), 'a positive number of milliseconds', resolved.clusterHeartbeatInterval);
  check(
    'nodeTimeout',
    isPositiveInteger(resolved.nodeTimeout) && resolved.nodeTimeout > resolved.clusterHeartbeatInterval,
    'milliseconds, more than clusterHeartbeatInterval',
    resolved.nodeTimeout,
  );
  if (resolved.rateLimit !== undefined) assertRateLimit(resolved.rateLimit);
  return resolved;
}

function check(name: string, ok: boolean, expected: string, value: unknown): void {
  if (!ok) throw new TypeError(INVALID_OPTION(name, expected, value));
}

function isPositiveInteger(value: unknown): boolean {
  return Number.isSafeInteger(value) && (value as number) > 0;
}

function isWhole(value: unknown): boolean {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

function isBackplane(value: unknown): boolean {
  const candidate = value as Record<string, unknown> | null;
  return ['connect', 'publish', 'close'].every((method) => typeof candidate?.[method] === 'function');
}

function isOrigins(value: unknown): boolean {
  return value === undefined || typeof value === 'function' || (Array.isArray(value) && value.every((o) => typeof o === 'string'));
}

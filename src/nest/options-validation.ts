// The module's options checked, and their defaults filled in.
import { resolveSettings, type ResolvedSettings } from '../core/core-options.js';
import { checkOption, isWhole } from '../core/option-checks.js';
import { resolveTransportSettings, type ResolvedTransportSettings } from '../ws/transport-options.js';
import { resolveAsyncApiOptions, type ResolvedAsyncApiOptions } from '../asyncapi/asyncapi-options.js';
import { resolveAdminOptions, type ResolvedAdminOptions } from '../admin/admin-options.js';
import { resolveMetricsOptions, type ResolvedMetricsOptions } from '../metrics/metrics-options.js';
import { UNKNOWN_OPTION } from './broadcaster.messages.js';
import type { BroadcasterModuleOptions } from './broadcaster-options.interface.js';

/** Options with their defaults filled in. */
export type ResolvedBroadcasterOptions = ResolvedSettings &
  ResolvedTransportSettings & {
    port: number | undefined;
    host: string | undefined;
    shutdownTimeout: number;
    metrics: ResolvedMetricsOptions | null;
    tracing: boolean;
    admin: ResolvedAdminOptions | null;
    asyncapi: ResolvedAsyncApiOptions | null;
  };

/**
 * Checks the options a user gave and fills in the defaults; throws on a bad value or a
 * key that is no option. Each layer checks its own options: the core its settings, the
 * transport its own, and this the endpoint's.
 */
export function resolveOptions(options: BroadcasterModuleOptions): ResolvedBroadcasterOptions {
  checkOption('options', typeof options === 'object' && options !== null, 'an object', options);
  const resolved: ResolvedBroadcasterOptions = {
    ...resolveSettings(options),
    ...resolveTransportSettings(options),
    port: options.port,
    host: options.host,
    shutdownTimeout: options.shutdownTimeout ?? 10_000,
    metrics: resolveMetricsOptions(options.metrics),
    tracing: options.tracing ?? false,
    admin: resolveAdminOptions(options.admin),
    asyncapi: resolveAsyncApiOptions(options.asyncapi),
  };
  // Every option was named just above, so a key not among them is a typo.
  for (const key of Object.keys(options)) {
    if (!(key in resolved)) throw new TypeError(UNKNOWN_OPTION(key));
  }
  const { port, host, shutdownTimeout } = resolved;
  checkOption('port', port === undefined || (Number.isInteger(port) && port > 0 && port < 65536), 'an integer from 1 to 65535', port);
  checkOption('host', host === undefined || (typeof host === 'string' && host !== ''), 'an address such as "127.0.0.1"', host);
  checkOption('host', host === undefined || port !== undefined, 'given only with "port" (the app\'s own port listens where app.listen() says)', host);
  checkOption('shutdownTimeout', isWhole(shutdownTimeout), 'a whole number of milliseconds', shutdownTimeout);
  checkOption('tracing', typeof resolved.tracing === 'boolean', 'true or false', resolved.tracing);
  return resolved;
}

// The `metrics` option: where the broadcaster's Prometheus metrics are registered, and under which names.
import { checkOption } from '../core/option-checks.js';

/**
 * What of a `prom-client` `Registry` the metrics use; a `Registry` (prom-client 15) fits.
 * The parameter types are left open so that any version's `Registry` is accepted.
 */
export interface MetricsRegistry {
  registerMetric(metric: never): void;
  getSingleMetric(name: string): unknown;
  removeSingleMetric(name: string): void;
}

/** Prometheus metrics (through the optional `prom-client` peer dependency). */
export interface BroadcasterMetricsOptions {
  /**
   * The registry to register the metrics in.
   * @default prom-client's global registry (`register`), the one `/metrics` of `@willsoto/nestjs-prometheus` serves
   */
  registry?: MetricsRegistry;
  /**
   * Put before every metric name.
   * @default 'message_broadcaster_'
   */
  prefix?: string;
}

/** The `metrics` option checked: `null` when metrics are off. */
export interface ResolvedMetricsOptions {
  registry: MetricsRegistry | undefined;
  prefix: string;
}

const METRIC_NAME_START = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

/** Checks the `metrics` option (`true`, or options) and fills in its defaults. */
export function resolveMetricsOptions(option: boolean | BroadcasterMetricsOptions | undefined): ResolvedMetricsOptions | null {
  if (option === undefined || option === false) return null;
  checkOption('metrics', option === true || (typeof option === 'object' && option !== null), 'true, or { registry?, prefix? }', option);
  const { registry, prefix = 'message_broadcaster_' } = option === true ? {} : option;
  checkOption(
    'metrics.registry',
    registry === undefined || (typeof registry === 'object' && registry !== null && typeof registry.registerMetric === 'function'),
    "a prom-client Registry",
    registry,
  );
  checkOption('metrics.prefix', typeof prefix === 'string' && (prefix === '' || METRIC_NAME_START.test(prefix)), 'letters, digits, "_" and ":", not starting with a digit', prefix);
  return { registry, prefix };
}

// Putting the broadcaster's metrics in a prom-client registry, and taking them out again.
import { withFacts } from '../core/log-facts.js';
import type { BroadcasterLogger } from '../core/handlers.js';
import type { MetricsRegistry } from './metrics-options.js';
import type { ScrapedMetric } from './scraped-metric.js';

/** prom-client's global registry, loaded only now that metrics are asked for. */
export async function promClientRegistry(): Promise<MetricsRegistry> {
  let promClient: { register?: MetricsRegistry; default?: { register?: MetricsRegistry } };
  try {
    promClient = (await import('prom-client')) as typeof promClient;
  } catch (error) {
    throw new Error(`metrics: prom-client could not be loaded (npm install prom-client), or give metrics.registry: ${String(error)}`, { cause: error });
  }
  const registry = promClient.register ?? promClient.default?.register;
  if (registry === undefined) throw new Error('metrics: this prom-client has no global registry; give metrics.registry');
  return registry;
}

/**
 * Registers `metrics` in `registry`. A metric of the same name already there (another
 * broadcaster of this process, or an app that stopped without taking its metrics out)
 * is replaced, and the replacement logged.
 */
export function registerMetrics(registry: MetricsRegistry, metrics: readonly ScrapedMetric[], logger: BroadcasterLogger): void {
  const register = registry.registerMetric as (metric: ScrapedMetric) => void;
  for (const metric of metrics) {
    if (registry.getSingleMetric(metric.name) !== undefined) {
      logger.warn(withFacts(`metrics: "${metric.name}" was registered already (another broadcaster in this process?): replaced`, { event: 'metric_replaced', metric: metric.name }));
      registry.removeSingleMetric(metric.name);
    }
    register.call(registry, metric);
  }
}

/** Takes `metrics` out of `registry`, leaving any that replaced them since. */
export function unregisterMetrics(registry: MetricsRegistry, metrics: readonly ScrapedMetric[]): void {
  for (const metric of metrics) {
    if (registry.getSingleMetric(metric.name) === metric) registry.removeSingleMetric(metric.name);
  }
}

// Prometheus metrics of the module's broadcaster, registered while the app runs (the `metrics` option).
import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { BroadcasterCore } from '../core/broadcaster-core.js';
import type { BroadcasterLogger } from '../core/handlers.js';
import { broadcasterMetrics } from '../metrics/broadcaster-metrics.js';
import type { MetricsRegistry } from '../metrics/metrics-options.js';
import { promClientRegistry, registerMetrics, unregisterMetrics } from '../metrics/metrics-registration.js';
import type { ScrapedMetric } from '../metrics/scraped-metric.js';
import { BROADCASTER_CORE, MODULE_LOGGER, RESOLVED_OPTIONS } from './broadcaster.constants.js';
import { Broadcaster } from './broadcaster.service.js';
import type { ResolvedBroadcasterOptions } from './options-validation.js';

/**
 * Registers the broadcaster's metrics in the `metrics` option's registry (prom-client's
 * global one by default) once the module starts, and takes them out when it stops.
 * Without the option nothing is loaded and nothing is measured.
 */
@Injectable()
export class BroadcasterMetrics implements OnModuleInit, OnModuleDestroy {
  private registered: { registry: MetricsRegistry; metrics: ScrapedMetric[] } | null = null;

  constructor(
    @Inject(RESOLVED_OPTIONS) private readonly options: ResolvedBroadcasterOptions,
    @Inject(BROADCASTER_CORE) private readonly core: BroadcasterCore,
    @Inject(MODULE_LOGGER) private readonly logger: BroadcasterLogger,
    private readonly broadcaster: Broadcaster,
  ) {}

  async onModuleInit(): Promise<void> {
    const options = this.options.metrics;
    if (options === null) return;
    const registry = options.registry ?? (await promClientRegistry());
    const meter = this.core.measureHandlers();
    const metrics = broadcasterMetrics(options.prefix, { stats: () => this.broadcaster.stats(), meter });
    registerMetrics(registry, metrics, this.logger);
    this.registered = { registry, metrics };
  }

  onModuleDestroy(): void {
    if (this.registered === null) return;
    unregisterMetrics(this.registered.registry, this.registered.metrics);
    this.registered = null;
  }
}

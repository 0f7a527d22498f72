// A metric whose values are read from the broadcaster's own counters when it is scraped.

/** One sample of a metric: its value, labels, and (for a histogram's series) its full name. */
export interface MetricSample {
  value: number;
  labels: Record<string, string>;
  metricName?: string;
}

/** What a metric reports at a scrape, in the form `prom-client`'s registries print. */
export interface MetricReport {
  name: string;
  help: string;
  type: MetricType;
  values: MetricSample[];
  aggregator: Aggregator;
}

/** How prom-client's `AggregatorRegistry` adds up the values of worker processes. */
export type Aggregator = 'sum' | 'max' | 'min';

export type MetricType = 'counter' | 'gauge' | 'histogram';

/**
 * A metric registered in a `prom-client` registry that costs nothing between scrapes: at
 * each scrape it reads the counters the broadcaster keeps anyway (`stats()`, and the
 * per-handler counts), so the delivery path does no work for it.
 */
export class ScrapedMetric {
  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: MetricType,
    private readonly read: () => MetricSample[],
    /** How worker processes' values add up (prom-client's `AggregatorRegistry`). */
    readonly aggregator: Aggregator = 'sum',
  ) {}

  /** What `prom-client` calls at a scrape. */
  get(): MetricReport {
    return { name: this.name, help: this.help, type: this.type, values: this.read(), aggregator: this.aggregator };
  }

  /** What `registry.resetMetrics()` calls: the broadcaster's counters are not reset from outside. */
  reset(): void {}
}

// What the admin page shows, sampled once a second: figures now, and rates since the last sample.
import { DURATION_BUCKETS, type HandlerMeter, type HandlerTally } from '../core/handler-meter.js';
import type { CoreStats } from '../core/stats.js';
import type { TransportStats } from '../ws/ws-transport.js';

/** One handler's last second: calls per second and their duration quantiles (`null` without calls). */
export interface HandlerSample {
  handlerId: number;
  perSecond: number;
  /** Upper bounds of the duration buckets the median and the 99th percentile fall in, in ms (`null`: past the last bound, or no call). */
  p50Ms: number | null;
  p99Ms: number | null;
  calls: number;
}

/** One sample of the admin page. */
export interface AdminSample {
  /** When it was taken (ms since the epoch). */
  at: number;
  clients: number;
  clusterClients: number;
  framesInPerSecond: number;
  framesOutPerSecond: number;
  bytesOutPerSecond: number;
  errorsPerSecond: number;
  /** Error frames sent since start, by code. */
  errors: Record<string, number>;
  slowClients: { drops: number; disconnects: number; floodDisconnects: number; heartbeatTimeouts: number };
  handlers: HandlerSample[];
  rooms: Array<{ room: string; members: number }>;
  instances: Array<{ nodeId: string | null; self: boolean; clients: number }>;
  cluster: { linkUp: boolean; nodes: number; outages: number; stalls: number } | null;
}

/** What the sampler reads. */
export interface AdminSource {
  stats(): CoreStats & TransportStats;
  meter: HandlerMeter;
  largestRooms(count: number): Array<{ room: string; members: number }>;
  instances(): Array<{ nodeId: string | null; self: boolean; clients: number }>;
}

/** How many rooms the page lists. */
export const ROOMS_SHOWN = 50;

interface Totals {
  at: number;
  framesIn: number;
  framesOut: number;
  bytesOut: number;
  errors: number;
  tallies: Map<number, { calls: number; buckets: number[] }>;
}

/** Takes the admin page's samples: rates are over the time since the previous sample. */
export class AdminSampler {
  private previous: Totals | null = null;

  constructor(private readonly source: AdminSource) {}

  sample(now = Date.now()): AdminSample {
    const stats = this.source.stats();
    const totals: Totals = {
      at: now,
      framesIn: stats.messagesIn,
      framesOut: stats.messagesOut,
      bytesOut: stats.bytesOut,
      errors: Object.values(stats.errors).reduce((sum, count) => sum + count, 0),
      tallies: new Map([...this.source.meter.entries()].map(([id, tally]) => [id, { calls: tally.calls, buckets: [...tally.buckets] }])),
    };
    const before = this.previous ?? { ...totals, framesIn: 0, framesOut: 0, bytesOut: 0, errors: 0, tallies: new Map(), at: now - 1000 };
    this.previous = totals;
    const seconds = Math.max(0.001, (now - before.at) / 1000);
    const rate = (key: 'framesIn' | 'framesOut' | 'bytesOut' | 'errors') => Math.round((totals[key] - before[key]) / seconds);
    const instances = this.source.instances();
    return {
      at: now,
      clients: stats.clients,
      clusterClients: instances.reduce((sum, { clients }) => sum + clients, 0),
      framesInPerSecond: rate('framesIn'),
      framesOutPerSecond: rate('framesOut'),
      bytesOutPerSecond: rate('bytesOut'),
      errorsPerSecond: rate('errors'),
      errors: stats.errors,
      slowClients: {
        drops: stats.drops,
        disconnects: stats.slowClientDisconnects,
        floodDisconnects: stats.floodDisconnects,
        heartbeatTimeouts: stats.heartbeatTimeouts,
      },
      handlers: [...totals.tallies].map(([handlerId, tally]) => handlerSample(handlerId, tally, before.tallies.get(handlerId), seconds)),
      rooms: this.source.largestRooms(ROOMS_SHOWN),
      instances,
      cluster:
        stats.cluster === undefined
          ? null
          : { linkUp: stats.cluster.linkUp, nodes: stats.cluster.nodes, outages: stats.cluster.outages, stalls: stats.cluster.stalls },
    };
  }
}

function handlerSample(handlerId: number, now: Pick<HandlerTally, 'calls' | 'buckets'>, before: Pick<HandlerTally, 'calls' | 'buckets'> | undefined, seconds: number): HandlerSample {
  const recent = now.buckets.map((count, i) => count - (before?.buckets[i] ?? 0));
  const calls = now.calls - (before?.calls ?? 0);
  return { handlerId, perSecond: Math.round(calls / seconds), p50Ms: quantile(recent, calls, 0.5), p99Ms: quantile(recent, calls, 0.99), calls: now.calls };
}

/** The upper bound (ms) of the bucket the `q` quantile of `count` calls falls in. */
function quantile(buckets: number[], count: number, q: number): number | null {
  if (count <= 0) return null;
  const wanted = Math.ceil(q * count);
  let seen = 0;
  for (const [i, inBucket] of buckets.entries()) {
    seen += inBucket;
    if (seen >= wanted) return i < DURATION_BUCKETS.length ? DURATION_BUCKETS[i] * 1000 : null;
  }
  return null;
}

import type { Contender } from '../servers/main.js';
import type { Delivery } from './measure.js';
import type { Usage } from './server-process.js';

/** The figures of one run of one scenario by one contender. */
export interface RunRecord {
  scenario: string;
  contender: Contender;
  clients: number;
  deliveries: number;
  seconds: number;
  deliveriesPerSecond: number;
  /** Server CPU (user + system) per delivery, in microseconds. */
  cpuMicrosPerDelivery: number;
  p50Ms?: number;
  p99Ms?: number;
  heapBytesPerClient?: number;
  rssBytesPerClient?: number;
  /**
   * The runner's own CPU (user + system) over the measured seconds, in cores: the swarm
   * lives in the runner, one thread, so near 1 it, not the server, sets the pace.
   */
  swarmCores?: number;
  /** Set when the native swarm (C) was the load generator rather than the Node one. */
  swarm?: 'native';
  void?: string;
}

/** The record of one run from what the swarm saw and the server's usage before and after. */
export function record(
  scenario: string,
  contender: Contender,
  clients: number,
  delivery: Delivery,
  before: Usage | undefined,
  after: Usage | undefined,
  swarm?: NodeJS.CpuUsage,
): RunRecord {
  const cpu = before === undefined || after === undefined ? NaN : after.cpuMicros - before.cpuMicros;
  const result: RunRecord = {
    scenario,
    contender,
    clients,
    deliveries: delivery.deliveries,
    seconds: delivery.seconds,
    deliveriesPerSecond: delivery.seconds > 0 ? delivery.deliveries / delivery.seconds : 0,
    cpuMicrosPerDelivery: delivery.deliveries > 0 ? cpu / delivery.deliveries : 0,
  };
  if (delivery.latencies.length > 0) {
    const sorted = Float64Array.from(delivery.latencies).sort();
    result.p50Ms = percentile(sorted, 0.5);
    result.p99Ms = percentile(sorted, 0.99);
  }
  if (swarm !== undefined && delivery.seconds > 0) result.swarmCores = (swarm.user + swarm.system) / 1e6 / delivery.seconds;
  if (delivery.void !== undefined) result.void = delivery.void;
  return result;
}

function percentile(sorted: Float64Array, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/** What the server's heap and RSS grew by per client between two readings. */
export function memoryPerClient(before: Usage, after: Usage, clients: number): Pick<RunRecord, 'heapBytesPerClient' | 'rssBytesPerClient'> {
  return {
    heapBytesPerClient: (after.heapBytes - before.heapBytes) / clients,
    rssBytesPerClient: (after.rssBytes - before.rssBytes) / clients,
  };
}

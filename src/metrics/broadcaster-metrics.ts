// The broadcaster's Prometheus metrics: names, help, and where each value is read from.
import type { HandlerMeter } from '../core/handler-meter.js';
import { DURATION_BUCKETS } from '../core/handler-meter.js';
import type { CoreStats } from '../core/stats.js';
import type { TransportStats } from '../ws/ws-transport.js';
import { ScrapedMetric, type Aggregator, type MetricSample, type MetricType } from './scraped-metric.js';

/** What the metrics are read from. */
export interface MetricsSource {
  stats(): CoreStats & TransportStats;
  meter: HandlerMeter;
}

type Stats = CoreStats & TransportStats;

/** The session events counted in `sessions_total`, by their label and their `stats().sessions` key. */
const SESSION_EVENTS = [
  ['started', 'started'],
  ['resumed', 'resumed'],
  ['relayed', 'relayed'],
  ['refused', 'refused'],
  ['handed_over', 'handedOver'],
  ['taken_over', 'takenOver'],
  ['handover_failed', 'handoverFailed'],
  ['expired', 'expired'],
  ['overflowed', 'overflowed'],
] as const;

/**
 * The broadcaster's metrics, each named `prefix` + its name. Labels are bounded: a
 * HandlerID (of the app's handlers), an error code, an HTTP status, a session event —
 * never a client, room or user. Cluster metrics are there when the broadcaster has a
 * backplane, history metrics when it has the `history` option (as `stats()` tells now).
 */
export function broadcasterMetrics(prefix: string, source: MetricsSource): ScrapedMetric[] {
  // One stats() per scrape, however many metrics read it: a registry reads them all in one turn.
  let snapshot: Stats | null = null;
  const stats = (): Stats => {
    if (snapshot === null) {
      snapshot = source.stats();
      queueMicrotask(() => (snapshot = null));
    }
    return snapshot;
  };
  const metric = (name: string, type: MetricType, help: string, read: (s: Stats) => MetricSample[] | number, aggregator?: Aggregator) =>
    new ScrapedMetric(
      prefix + name,
      help,
      type,
      () => {
        const value = read(stats());
        // Labels even when empty: prom-client's AggregatorRegistry reads every sample's.
        return typeof value === 'number' ? [{ value, labels: {} }] : value;
      },
      aggregator,
    );
  const byLabel = (label: string, counts: Record<string, number>): MetricSample[] =>
    Object.entries(counts).map(([key, value]) => ({ value, labels: { [label]: key } }));

  const first = source.stats();
  const metrics = [
    metric('clients', 'gauge', 'Clients connected to this instance.', (s) => s.clients),
    metric('clients_joined_total', 'counter', 'Clients that connected.', (s) => s.clientsJoined),
    metric('clients_left_total', 'counter', 'Clients that left (a session client once its session ended).', (s) => s.clientsLeft),
    metric('rooms', 'gauge', 'Rooms with members on this instance.', (s) => s.rooms),
    metric('frames_received_total', 'counter', 'Frames received from clients, by the HandlerID that took them ("recover": Recover frames; "none": refused or malformed).', (s) =>
      framesReceived(s, source.meter),
    ),
    metric('frames_sent_total', 'counter', 'Frames written to clients (one per recipient).', (s) => s.messagesOut),
    metric('bytes_sent_total', 'counter', 'Bytes written to clients.', (s) => s.bytesOut),
    metric('buffered_bytes', 'gauge', 'Bytes written to clients and not yet sent, summed.', (s) => s.bufferedBytes),
    metric('errors_total', 'counter', 'Error frames sent, by code (rate_limited counts rate-limit refusals).', (s) => byLabel('code', s.errors)),
    metric('slow_client_drops_total', 'counter', "Frames skipped for slow clients (slowClientPolicy 'drop').", (s) => s.drops),
    metric('slow_client_disconnects_total', 'counter', "Clients closed for falling behind (slowClientPolicy 'close').", (s) => s.slowClientDisconnects),
    metric('flood_disconnects_total', 'counter', 'Clients closed for flooding past the rate limit or maxRequestsInFlight.', (s) => s.floodDisconnects),
    metric('room_limit_refusals_total', 'counter', 'Room joins refused at maxRoomsPerClient.', (s) => s.roomLimitRefusals),
    metric('refused_upgrades_total', 'counter', 'WebSocket upgrades refused, by HTTP status.', (s) => byLabel('status', s.refusedUpgrades)),
    metric('heartbeat_timeouts_total', 'counter', 'Clients closed for not answering heartbeats.', (s) => s.heartbeatTimeouts),
    metric('sessions_away', 'gauge', 'Session clients away now (within their grace period).', (s) => s.sessions.away),
    metric('sessions_total', 'counter', 'Session events (protocol 1.2), by event.', (s) =>
      SESSION_EVENTS.map(([event, key]) => ({ value: s.sessions[key], labels: { event } })),
    ),
    handlerDurations(prefix, source.meter),
  ];
  if (first.cluster !== undefined) {
    const cluster = (s: Stats) => s.cluster!;
    metrics.push(
      // Worker processes all see the same cluster: their figures are not added up.
      metric('cluster_nodes', 'gauge', 'Instances of the cluster known to be alive, this one included.', (s) => cluster(s).nodes, 'max'),
      metric('cluster_remote_clients', 'gauge', 'Clients connected to the other instances.', (s) => cluster(s).remoteClients, 'max'),
      metric('cluster_link_up', 'gauge', 'Whether the backplane link is up (1) or down (0).', (s) => (cluster(s).linkUp ? 1 : 0), 'min'),
      metric('cluster_outages_total', 'counter', 'Times the backplane link went down.', (s) => cluster(s).outages),
      metric('cluster_stalls_total', 'counter', "Times this instance's own messages stopped coming back while the link was up.", (s) => cluster(s).stalls),
      metric('cluster_published_total', 'counter', 'Messages published to the backplane.', (s) => cluster(s).published),
      metric('cluster_publish_failures_total', 'counter', 'Messages that could not be published (link down, too much in flight).', (s) => cluster(s).publishFailures),
      metric('cluster_rejected_total', 'counter', 'Backplane messages dropped: malformed, too long, unsigned, replayed, or past maxClusterNodes.', (s) => cluster(s).rejected),
      metric('cluster_nodes_timed_out_total', 'counter', 'Instances dropped for missing their heartbeats.', (s) => cluster(s).nodesTimedOut),
    );
  }
  if (first.history !== undefined) {
    const history = (s: Stats) => s.history!;
    metrics.push(
      metric('history_rooms', 'gauge', 'Rooms whose history this instance keeps.', (s) => history(s).rooms),
      metric('history_publications_total', 'counter', 'Publications made here (casts to a room with history).', (s) => history(s).publications),
      metric('history_publish_failures_total', 'counter', 'Publications refused because the history could not be reached.', (s) => history(s).publishFailures),
      metric('history_recoveries_total', 'counter', 'Rooms asked for in Recover frames, by whether they were recovered.', (s) => [
        { value: history(s).recovered, labels: { recovered: 'true' } },
        { value: history(s).notRecovered, labels: { recovered: 'false' } },
      ]),
      metric('history_rooms_dropped_total', 'counter', 'Histories dropped to stay within maxHistoryRooms / maxHistoryBytes.', (s) => history(s).roomsDropped),
    );
  }
  return metrics;
}

/** Frames received by handler: each handler's calls, Recover frames, and the rest (refused before a handler). */
function framesReceived(stats: Stats, meter: HandlerMeter): MetricSample[] {
  const samples: MetricSample[] = [];
  let counted = meter.recoveries;
  for (const [handlerId, { calls }] of meter.entries()) {
    samples.push({ value: calls, labels: { handler_id: String(handlerId) } });
    counted += calls;
  }
  samples.push({ value: meter.recoveries, labels: { handler_id: 'recover' } });
  samples.push({ value: Math.max(0, stats.messagesIn - counted), labels: { handler_id: 'none' } });
  return samples;
}

/** How long handler calls took until their outcome was known, by HandlerID. */
function handlerDurations(prefix: string, meter: HandlerMeter): ScrapedMetric {
  const name = `${prefix}handler_duration_seconds`;
  return new ScrapedMetric(name, 'Handler calls by how long they took until their outcome was known, by HandlerID.', 'histogram', () => {
    const samples: MetricSample[] = [];
    for (const [handlerId, { calls, buckets, seconds }] of meter.entries()) {
      const handler_id = String(handlerId);
      let cumulative = 0;
      for (const [i, bound] of DURATION_BUCKETS.entries()) {
        cumulative += buckets[i];
        samples.push({ metricName: `${name}_bucket`, value: cumulative, labels: { le: String(bound), handler_id } });
      }
      samples.push({ metricName: `${name}_bucket`, value: calls, labels: { le: '+Inf', handler_id } });
      samples.push({ metricName: `${name}_sum`, value: seconds, labels: { handler_id } });
      samples.push({ metricName: `${name}_count`, value: calls, labels: { handler_id } });
    }
    return samples;
  });
}

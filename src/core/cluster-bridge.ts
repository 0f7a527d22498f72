import type { Caster } from './caster.js';
import type { ClientRegistry } from './client-registry.js';
import type { Backplane } from './cluster/backplane.js';
import { Cluster, type ClusterHost } from './cluster/cluster.js';
import { OutgoingFrame } from './conn.js';
import type { ResolvedSettings } from './core-options.js';
import type { BroadcasterLogger } from './handlers.js';
import { EventType } from './message.js';

/** How long `start()` waits for the backplane before serving local clients anyway. */
const CLUSTER_CONNECT_TIMEOUT = 5000;

/**
 * Joins this node to a cluster: other nodes' casts are delivered to the matching clients
 * here, their joins and leaves are announced here, and this node's casts that may reach
 * other nodes are published.
 */
export function joinCluster(
  backplane: Backplane,
  settings: ResolvedSettings,
  logger: BroadcasterLogger,
  registry: ClientRegistry,
  caster: Caster,
  requests: Pick<ClusterHost, 'applyMembership' | 'applyDisconnect'>,
): Cluster {
  const cluster = new Cluster(
    {
      localClientIds: () => [...registry.clients.keys()],
      localMemberships: () =>
        [...registry.clients.values()].flatMap((client) => [...(client.rooms ?? [])].map((room) => [client.id, room] as const)),
      ...requests,
      deliverRemoteCast: (audience, frame) => caster.deliverLocally(audience, new OutgoingFrame(frame)),
      remoteClientJoined: (clientId) => registry.announce(EventType.OnAddClient, clientId),
      remoteClientLeft: (clientId) => registry.announce(EventType.OnDelClient, clientId),
    },
    {
      backplane,
      heartbeatInterval: settings.clusterHeartbeatInterval,
      nodeTimeout: settings.nodeTimeout,
      connectTimeout: CLUSTER_CONNECT_TIMEOUT,
      logger,
      secret: settings.clusterSecret,
      maxNodes: settings.maxClusterNodes,
      maxMessageBytes: settings.maxClusterMessageBytes,
      maxClientsPerNode: settings.maxClientsPerInstance,
      maxMembershipsPerNode: settings.maxRoomMembershipsPerInstance,
    },
  );
  caster.publisher = cluster;
  return cluster;
}

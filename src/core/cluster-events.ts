// The node's side of the cluster: what the other nodes' messages do here.
import type { Audience } from './audience.js';
import type { PublicationStamp } from './cluster/backplane.js';
import type { Client } from './client.js';
import type { ClusterHost } from './cluster/cluster.js';
import type { NodeId, RelayEnvelope } from './cluster/envelope.js';
import type { Hub } from './hub.js';
import { EventType } from './message.js';
import { hasPresence, presenceStateOf } from './presence/local-presence.js';
import type { MembershipOp } from './rooms.js';

/** What the node does for the other nodes: it sequences each of these as its own. */
export interface NodeActions {
  /** A cast from another node, to deliver here from its audience on. */
  remoteCast(audience: Audience, handlerId: number, encodedBody: string): void;
  /** A publication numbered by the cluster's room history, to deliver here. */
  publication(audience: Audience, handlerId: number, encodedBody: string, stamp: PublicationStamp): void;
  changeMembership(op: MembershipOp, client: Client, room: string): void;
  kick(client: Client, code: number, reason: string): void;
  /** A relayed session's message for this node. */
  relay(envelope: RelayEnvelope): void;
  /** Another node is gone. */
  nodeGone(nodeId: NodeId): void;
}

/**
 * The events the cluster raises, answered by the node: casts take the local cast path,
 * joins and leaves of other nodes' clients are announced here, and requests about a
 * client of this node are carried out for it (and ignored for a client not here).
 */
export function clusterEventsFor(hub: Hub, node: NodeActions): ClusterHost {
  return {
    localClientIds: () => [...hub.clients.keys()],
    localMemberships: () => [...hub.clients.values()].flatMap((client) => [...(client.rooms ?? [])].map((room) => [client.id, room] as const)),
    localPresence: () => [...hub.clients.values()].flatMap((client) => (hasPresence(client) ? [[client.id, presenceStateOf(client)] as const] : [])),
    remoteCast: (audience, handlerId, encodedBody) => node.remoteCast(audience, handlerId, encodedBody),
    publication: (audience, handlerId, encodedBody, stamp) => node.publication(audience, handlerId, encodedBody, stamp),
    remoteClientJoined: (clientId) => hub.announce(EventType.OnAddClient, clientId),
    remoteClientLeft: (clientId) => hub.announce(EventType.OnDelClient, clientId),
    remoteNodeGone: (nodeId) => node.nodeGone(nodeId),
    relay: (envelope) => node.relay(envelope),
    applyMembership: (op, clientId, room) => {
      const client = hub.clients.get(clientId);
      if (client !== undefined) node.changeMembership(op, client, room);
    },
    applyDisconnect: (clientId, code, reason) => {
      const client = hub.clients.get(clientId);
      if (client !== undefined) node.kick(client, code, reason);
    },
  };
}

// What a cluster is given (its host's events, its options) and what it reports (its stats).
import type { Audience } from '../audience.js';
import type { PublicationStamp } from './backplane.js';
import type { BroadcasterLogger } from '../handlers.js';
import type { ClientId } from '../message.js';
import type { MembershipOp } from '../rooms.js';
import type { Backplane } from './backplane.js';
import type { NodeId, PresenceListing, RelayEnvelope } from './envelope.js';
import type { Membership } from './room-index.js';

/** This node's membership, as its lists are shipped. */
export interface LocalMembership {
  localClientIds(): ClientId[];
  /** Every room membership of this node's clients. */
  localMemberships(): Membership[];
  /** The presence states of this node's clients that have one. */
  localPresence(): PresenceListing[];
}

/** `Omit` over each member of a union. */
export type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** The time in milliseconds, as `Date.now()` tells it; a test may give its own. */
export type Clock = () => number;

/** What the cluster needs from the broadcaster it belongs to. */
export interface ClusterHost extends LocalMembership {
  /** Another node asks: make `clientId`, if it is a client here, join or leave `room`. */
  applyMembership(op: MembershipOp, clientId: ClientId, room: string): void;
  /** Another node asks: disconnect `clientId`, if it is a client here. */
  applyDisconnect(clientId: ClientId, code: number, reason: string): void;
  /**
   * A cast from another node: its frame, made of `handlerId` and the body as encoded
   * (`null` or quoted base64), goes to the local clients `audience` matches.
   */
  remoteCast(audience: Audience, handlerId: number, encodedBody: string): void;
  /** A publication of any node (this one included), numbered by the room's history: goes to the local members of its room. */
  publication(audience: Audience, handlerId: number, encodedBody: string, stamp: PublicationStamp): void;
  /** A client of another node joined. */
  remoteClientJoined(clientId: ClientId): void;
  /** A client of another node left, or its node is gone. */
  remoteClientLeft(clientId: ClientId): void;
  /** Another node is gone (timed out, said goodbye, or its process exited). */
  remoteNodeGone(nodeId: NodeId): void;
  /** A relayed session's message for this node (see `SessionRelay`). */
  relay(envelope: RelayEnvelope): void;
}

export interface ClusterOptions {
  backplane: Backplane;
  /** Milliseconds between this node's heartbeats. */
  heartbeatInterval: number;
  /** Milliseconds of silence after which another node counts as dead. */
  nodeTimeout: number;
  /** How long `start()` waits for the backplane before serving local clients anyway. */
  connectTimeout: number;
  logger: BroadcasterLogger;
  /** Signs every message and drops those not signed with it; see `clusterSecret`. */
  secret?: string;
  /** The most other nodes kept track of. */
  maxNodes: number;
  /** The longest message published or taken from the backplane, in characters. */
  maxMessageBytes: number;
  /** Clients one other node may claim. */
  maxClientsPerNode: number;
  /** Room memberships one other node may claim. */
  maxMembershipsPerNode: number;
  /** The clock of heartbeats, timeouts, answer windows and signatures. @default Date.now */
  now?: Clock;
}

/** Counters of the cluster link, part of `stats()`. */
export interface ClusterStats {
  /** This node's ID. */
  nodeId: NodeId;
  /** Nodes known to be alive, this one included. */
  nodes: number;
  /** Clients connected to other nodes. */
  remoteClients: number;
  /** Whether the backplane link is up now. */
  linkUp: boolean;
  /** Times the link went down. */
  outages: number;
  /** Times this node's own messages stopped coming back while the link was up. */
  stalls: number;
  /** Messages published. */
  published: number;
  /**
   * Messages not published because the link was down or too much was still in flight
   * (lost for the other nodes).
   */
  publishFailures: number;
  /**
   * Messages received and dropped: malformed, too long, not signed with the secret, or
   * from a node past `maxClusterNodes`.
   */
  rejected: number;
  /** Nodes dropped for missing their heartbeats. */
  nodesTimedOut: number;
}

// Handing a node's sessions to another node of the cluster, and taking them from one, without a gap.
import { withFacts } from '../log-facts.js';
import { v4 as uuidv4 } from 'uuid';
import type { Client } from '../client.js';
import type { Cluster } from '../cluster/cluster.js';
import type { NodeId, RelayEnvelope } from '../cluster/envelope.js';
import type { HandedSession } from '../cluster/handed-session.js';
import { type OutgoingFrame } from '../conn.js';
import type { BroadcasterLogger } from '../handlers.js';
import type { Hub } from '../hub.js';
import type { CoreStats } from '../stats.js';

/** How long a node waits for another to agree to take a session. */
const ANSWER_TIMEOUT_MS = 2000;
/** How long a node keeps what reaches a client it agreed to take, waiting for its session. */
const ARRIVAL_TIMEOUT_MS = 10_000;
/** The most clients a node agrees to take at once (each is kept for until it arrives). */
const MAX_TAKING = 10_000;

type HandoverEnvelope = Extract<RelayEnvelope, { kind: 'session-shadow' | 'session-shadowing' | 'session-handover' | 'session-refused' }>;

/** What a handover needs of its node. */
export interface HandoverNode {
  /** Whether the node is shutting down (it takes no session then). */
  readonly closing: boolean;
  /** Whether the session of `client` can be handed over (its identity is plain data), without making its snapshot. */
  travels(client: Client): boolean;
  /** The session of `client` as it stands now, to hand over; `null` when it cannot be. */
  snapshot(client: Client): Omit<HandedSession, 'positions'> | null;
  /** Takes `client` out of this node without a leave: it moved to another node. */
  depart(client: Client): void;
  /** Holds the session handed over, away, with the frames `since` that reached it here meanwhile. */
  arrive(session: HandedSession, since: OutgoingFrame[]): void;
}

/**
 * Hands a session client over to another node (the one its client reconnected to, or
 * any, as this one shuts down), so that it goes on there with nothing missed and nobody
 * told.
 *
 * The cluster's messages reach every node in one order (one Redis channel; the primary
 * of a worker cluster), which is what makes it exact:
 * 1. This node asks the heir to take the client (`session-shadow`).
 * 2. The heir starts keeping every frame it delivers that would reach the client, each
 *    marked with the message of another node it came from, and says so at once
 *    (`session-shadowing`): every message it applied before that, this node applied
 *    before reading the answer.
 * 3. On the answer, this node takes the client out (a `moved` leave, announced to
 *    nobody) and sends its session with its kept frames and, per node, the last cast and
 *    change it had applied (`session-handover`).
 * 4. The heir holds the session, away, with its kept frames followed by those it kept
 *    meanwhile that this node had not applied (the others it had sent already), and
 *    announces it as its own (a `moved` join).
 */
export class SessionHandover {
  /** Handovers this node asked for, by link: what settles each. */
  private readonly asked = new Map<string, { heir: NodeId; client: Client; settle: (handed: boolean) => void }>();
  /** Clients this node agreed to take, by link, and until when. */
  private readonly taking = new Map<string, { from: NodeId; clientId: string; timer: ReturnType<typeof setTimeout> }>();

  /** Told of each session that arrived, with the link it was handed over on. */
  onArrived: ((link: string, clientId: string) => void) | null = null;

  constructor(
    private readonly cluster: Cluster,
    private readonly hub: Hub,
    private readonly node: HandoverNode,
    private readonly counters: CoreStats,
    private readonly logger: BroadcasterLogger,
  ) {}

  /**
   * Hands `client` to the node `heir`, where its resume arrived (as `link` there);
   * resolves with whether it went. Counted in `handedOver` when it did.
   */
  async handOverTo(client: Client, heir: NodeId, link: string): Promise<boolean> {
    if (!this.cluster.signs) return false;
    const handed = await this.handOne(client, heir, link);
    if (handed) this.counters.sessions.handedOver += 1;
    return handed;
  }

  /**
   * Hands each of `clients` to another node; resolves with those handed over. A client
   * no node takes (none answers in time, or its session cannot travel) stays here.
   */
  async handOver(clients: readonly Client[]): Promise<Set<Client>> {
    const handed = new Set<Client>();
    const heirs = [...this.cluster.remote.entries()].map(([nodeId]) => nodeId);
    if (clients.length === 0) return handed;
    if (heirs.length === 0 || !this.cluster.signs) {
      this.counters.sessions.handoverFailed += clients.length;
      this.logger.warn(
        withFacts(
          `${clients.length} session client(s) end with this instance: ${heirs.length === 0 ? 'no other instance is up to take them' : 'sessions are handed over only where clusterSecret is set'}`,
          { event: 'sessions_not_handed_over' },
        ),
      );
      return handed;
    }
    await Promise.all(
      clients.map(async (client, i) => {
        if (await this.handOne(client, heirs[i % heirs.length])) handed.add(client);
      }),
    );
    const failed = clients.length - handed.size;
    this.counters.sessions.handedOver += handed.size;
    this.counters.sessions.handoverFailed += failed;
    if (failed > 0) this.logger.warn(withFacts(`${failed} of ${clients.length} session client(s) could not be handed over to another instance: they end`, { event: 'sessions_not_handed_over' }));
    return handed;
  }

  /** Whether `client`'s session can be handed over now (a cluster that signs, a session that can travel). */
  movable(client: Client): boolean {
    return this.cluster.signs && this.node.travels(client);
  }

  /** A handover message for this node. */
  receive(envelope: HandoverEnvelope): void {
    switch (envelope.kind) {
      case 'session-shadow':
        return this.shadow(envelope.node, envelope.link, envelope.clientId);
      case 'session-shadowing':
      case 'session-refused': {
        const asked = this.asked.get(envelope.link);
        if (asked === undefined || asked.heir !== envelope.node) return;
        this.asked.delete(envelope.link);
        asked.settle(envelope.kind === 'session-shadowing' && this.send(envelope.link, asked.heir, asked.client));
        return;
      }
      case 'session-handover':
        return this.arrive(envelope.node, envelope.link, envelope.session);
    }
  }

  /** `nodeId` is gone: what it was to take, or to hand here, is given up. */
  nodeGone(nodeId: NodeId): void {
    for (const [link, asked] of this.asked) {
      if (asked.heir !== nodeId) continue;
      this.asked.delete(link);
      asked.settle(false);
    }
    for (const [link, taking] of this.taking) if (taking.from === nodeId) this.giveUp(link);
  }

  private handOne(client: Client, heir: NodeId, link: string = uuidv4()): Promise<boolean> {
    return new Promise<boolean>((settle) => {
      const timer = setTimeout(() => {
        if (this.asked.delete(link)) settle(false);
      }, ANSWER_TIMEOUT_MS);
      timer.unref?.();
      this.asked.set(link, {
        heir,
        client,
        settle: (handed) => {
          clearTimeout(timer);
          settle(handed);
        },
      });
      this.cluster.publishRelay({ kind: 'session-shadow', to: heir, link, clientId: client.id });
    });
  }

  /** The heir agreed: the client leaves this node, and its session goes to the heir. */
  private send(link: string, heir: NodeId, client: Client): boolean {
    const snapshot = this.node.snapshot(client);
    if (snapshot === null) return false;
    const session: HandedSession = { ...snapshot, positions: this.cluster.positions() };
    if (JSON.stringify(session).length > this.cluster.maxCastSize) {
      this.logger.warn(withFacts(`client ${client.id}: its session keeps more than a cluster message may carry (maxClusterMessageBytes); it is not handed over`, { event: 'session_too_large', clientId: client.id }));
      return false;
    }
    // The moved leave goes out before the session: every node learns it left here before it arrives there.
    this.node.depart(client);
    this.cluster.publishRelay({ kind: 'session-handover', to: heir, link, session });
    return true;
  }

  /** Another node asks this one to take a client: what reaches it is kept from now on. */
  private shadow(from: NodeId, link: string, clientId: string): void {
    const busy = this.taking.size >= MAX_TAKING;
    if (busy) this.cluster.reject(`a request to take a session past ${MAX_TAKING} being taken at once`);
    if (busy || !this.cluster.signs || this.node.closing || this.hub.clients.has(clientId) || this.hub.shadows.has(clientId)) {
      this.cluster.publishRelay({ kind: 'session-refused', to: from, link });
      return;
    }
    // Its rooms, as its node's changes tell them, until it arrives with its own list.
    const rooms = (room: string) => this.cluster.remote.remoteRoomsOf(clientId).includes(room);
    this.hub.shadows.start(clientId, rooms);
    const timer = setTimeout(() => {
      this.logger.warn(withFacts(`cluster node ${from} did not hand over client ${clientId} as it said it would: nothing kept for it any more`, { event: 'session_handover_lost', clientId, node: from }));
      this.giveUp(link);
    }, ARRIVAL_TIMEOUT_MS);
    timer.unref?.();
    this.taking.set(link, { from, clientId, timer });
    this.cluster.publishRelay({ kind: 'session-shadowing', to: from, link });
  }

  private arrive(from: NodeId, link: string, session: HandedSession): void {
    const taking = this.taking.get(link);
    if (taking === undefined || taking.from !== from || taking.clientId !== session.clientId) return;
    this.taking.delete(link);
    clearTimeout(taking.timer);
    const since = this.hub.shadows.take(session.clientId, session.positions);
    if (since === null) {
      // Too much reached it meanwhile: it takes its session anyway, ended at once (its leave is announced).
      this.logger.warn(withFacts(`client ${session.clientId}: more reached it while it was handed over than the backlog limits allow; its session ends`, { event: 'session_overflowed', clientId: session.clientId }));
      this.node.arrive({ ...session, graceLeft: 0 }, []);
      return;
    }
    this.counters.sessions.takenOver += 1;
    this.node.arrive(session, since);
    this.onArrived?.(link, session.clientId);
  }

  private giveUp(link: string): void {
    const taking = this.taking.get(link);
    if (taking === undefined) return;
    this.taking.delete(link);
    clearTimeout(taking.timer);
    this.hub.shadows.drop(taking.clientId);
  }
}

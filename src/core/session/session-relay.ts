// Resuming a session on another node than the one holding it: the connection is relayed over the cluster.
import { withFacts } from '../log-facts.js';
import { v4 as uuidv4 } from 'uuid';
import type { Client } from '../client.js';
import type { Cluster } from '../cluster/cluster.js';
import type { NodeId, RelayEnvelope } from '../cluster/envelope.js';
import type { BacklogLimits, ClientSession, Conn } from '../conn.js';
import type { BroadcasterLogger } from '../handlers.js';
import type { CoreStats } from '../stats.js';
import { DeferredSession } from './deferred-session.js';
import { RelayIn } from './relay-in.js';
import { RelayedConn, type RelayPublish } from './relayed-conn.js';
import type { SessionTokens } from './session-token.js';

/** How long a node waits for the holder of a session to answer a relayed resume. */
const ANSWER_TIMEOUT_MS = 5000;
/** How often a node new to the cluster looks again for the holder of a session being resumed. */
const PLACE_CHECK_MS = 25;

/** What the relay needs of its node. */
export interface RelayNode {
  /** Takes the session `token` names back on `conn`; its client, or `null`. */
  resume(conn: Conn, token: string, received: number): Client | null;
  /** The handle of `client` over `conn`, as a transport gets it. */
  handleOn(client: Client, conn: Conn): ClientSession;
  /**
   * Hands the session `token` names to `to`, where its resume arrived as `link`;
   * resolves with whether it went. `null` when it is not to be tried (relay instead).
   */
  moveTo(token: string, received: number, to: NodeId, link: string): Promise<boolean> | null;
}

/** One session of this node whose connection is on another node. */
interface Relayed {
  conn: RelayedConn;
  session: ClientSession;
  from: NodeId;
  lastIn: number;
}

/**
 * Resumes a session on whichever node the client reconnects to. The session stays on the
 * node that holds it (which keeps numbering its frames); the connection stays where it
 * arrived, and the cluster carries frames between the two, numbered each way. Any break
 * of the relay ends the connection, and the client resumes with the frames it counted:
 * never a silent gap. Only where the cluster signs its messages (`clusterSecret`), since
 * relayed frames go to a client as they are.
 */
export class SessionRelay {
  /** Connections here whose sessions are elsewhere. */
  private readonly here = new Map<string, RelayIn>();
  /** Sessions here whose connections are elsewhere. */
  private readonly there = new Map<string, Relayed>();
  /** Resumes waiting for their session's holder to be known (this node has just joined the cluster). */
  private readonly unplaced = new Set<{ clientId: string; deferred: DeferredSession; place(holder: NodeId | undefined): void }>();
  private placeTimer: ReturnType<typeof setInterval> | null = null;
  private readonly publish: RelayPublish = (envelope) => this.cluster.publishRelay(envelope);

  constructor(
    private readonly cluster: Cluster,
    private readonly tokens: SessionTokens,
    private readonly node: RelayNode,
    private readonly limits: BacklogLimits,
    private readonly counters: CoreStats,
    private readonly logger: BroadcasterLogger,
  ) {}

  /**
   * Asks the node holding the session `token` names to resume it over `conn`; `fallBack`
   * makes a new client here if it will not. `null` when no other node holds that session.
   */
  resumeElsewhere(conn: Conn, token: string, received: number, fallBack: () => ClientSession): ClientSession | null {
    if (!this.cluster.signs) return null;
    const claim = this.tokens.read(token);
    if (claim === null) return null;
    const holder = this.cluster.remote.holderOf(claim.clientId);
    if (holder !== undefined) return this.passOn(holder, claim.clientId, conn, token, received, fallBack);
    if (!this.cluster.learning) return null;
    // This node has only just joined the cluster: the session's holder may not be known yet.
    const deferred = new DeferredSession(claim.clientId, () => {
      this.logger.warn(withFacts(`client ${claim.clientId}: sent more than it may before its resume was answered; closed`, { event: 'session_resume_flooded', clientId: claim.clientId }));
      conn.close(1008, 'too much sent before the session was resumed');
    });
    this.unplaced.add({
      clientId: claim.clientId,
      deferred,
      place: (found) => {
        if (found !== undefined) return deferred.settle(this.passOn(found, claim.clientId, conn, token, received, fallBack));
        this.counters.sessions.refused += 1;
        deferred.settle(fallBack());
      },
    });
    this.placeTimer ??= setInterval(() => this.placeWaiting(), PLACE_CHECK_MS);
    this.placeTimer.unref?.();
    return deferred.handle;
  }

  /** Resumes waiting for their session's holder to be known: placed once it is, or once it cannot be. */
  private placeWaiting(): void {
    for (const waiting of this.unplaced) {
      const holder = waiting.deferred.gone ? undefined : this.cluster.remote.holderOf(waiting.clientId);
      if (!waiting.deferred.gone && holder === undefined && this.cluster.learning) continue;
      this.unplaced.delete(waiting);
      if (!waiting.deferred.gone) waiting.place(holder);
    }
    if (this.unplaced.size === 0 && this.placeTimer !== null) {
      clearInterval(this.placeTimer);
      this.placeTimer = null;
    }
  }

  /** Asks `holder` to resume the session over `conn`, which waits for the answer. */
  private passOn(holder: NodeId, clientId: string, conn: Conn, token: string, received: number, fallBack: () => ClientSession): ClientSession {
    const link = uuidv4();
    const relay = new RelayIn({
      holder,
      link,
      clientId,
      token,
      received,
      conn,
      publish: this.publish,
      limits: this.limits,
      fallBack: () => {
        this.counters.sessions.refused += 1;
        return fallBack();
      },
      done: () => this.here.delete(link),
      warn: (message) => this.logger.warn(message),
    });
    this.here.set(link, relay);
    this.counters.sessions.relayed += 1;
    this.publish({ kind: 'session-resume', to: holder, link, token, received });
    const timer = setTimeout(() => relay.timedOut(), ANSWER_TIMEOUT_MS);
    timer.unref?.();
    return relay.handle;
  }

  /** A relay message for this node. */
  receive(envelope: RelayEnvelope): void {
    if (envelope.kind === 'session-resume') return this.accept(envelope);
    const relay = this.here.get(envelope.link);
    if (relay !== undefined && relay.holder === envelope.node) {
      if (envelope.kind === 'session-out') relay.out(envelope.seq, envelope.frames);
      else if (envelope.kind === 'session-refused') relay.refused();
      else if (envelope.kind === 'session-close') relay.closedByHolder(envelope.code, envelope.reason);
      return;
    }
    const relayed = this.there.get(envelope.link);
    if (relayed === undefined || relayed.from !== envelope.node) return;
    if (envelope.kind === 'session-in') {
      if (envelope.seq !== relayed.lastIn + 1) {
        this.logger.warn(withFacts(`a relayed connection lost a frame on its way (${envelope.seq} after ${relayed.lastIn}): it is closed, its session kept`, { event: 'session_relay_gap' }));
        this.lost(envelope.link, relayed, false);
        relayed.conn.close(1012, 'session relay interrupted');
        return;
      }
      relayed.lastIn = envelope.seq;
      relayed.session.receive(envelope.data);
    } else if (envelope.kind === 'session-lost') {
      this.lost(envelope.link, relayed, envelope.ended);
    }
  }

  /** The session of a connection here waiting on `link` was handed over to this node: it resumes here. */
  arrived(link: string): void {
    this.here.get(link)?.arrived((conn, token, received) => {
      const client = this.node.resume(conn, token, received);
      return client === null ? null : this.node.handleOn(client, conn);
    });
  }

  /** Relayed connections now: those here to sessions elsewhere, and those elsewhere to sessions here. */
  get size(): number {
    return this.here.size + this.there.size;
  }

  /** `nodeId` is gone: its relayed connections to sessions here are lost, and connections here to its sessions end. */
  nodeGone(nodeId: NodeId): void {
    for (const [link, relayed] of this.there) if (relayed.from === nodeId) this.lost(link, relayed, false);
    for (const relay of [...this.here.values()]) if (relay.holder === nodeId) relay.holderGone();
  }

  /**
   * The holder's side: the session moves to the node that asks, if it can; otherwise, if
   * it can be resumed, it takes a connection relayed from there.
   */
  private accept(envelope: Extract<RelayEnvelope, { kind: 'session-resume' }>): void {
    const moving = this.node.moveTo(envelope.token, envelope.received, envelope.node, envelope.link);
    if (moving === null) return this.relayTo(envelope);
    void moving.then((moved) => {
      if (!moved) this.relayTo(envelope);
    });
  }

  private relayTo(envelope: Extract<RelayEnvelope, { kind: 'session-resume' }>): void {
    const { link, node: from } = envelope;
    const conn = new RelayedConn(from, link, this.publish, this.cluster.maxCastSize, () => {
      const relayed = this.there.get(link);
      if (relayed !== undefined) this.lost(link, relayed, false);
    });
    const client = this.node.resume(conn, envelope.token, envelope.received);
    if (client === null) {
      this.publish({ kind: 'session-refused', to: from, link });
      return;
    }
    this.there.set(link, { conn, session: this.node.handleOn(client, conn), from, lastIn: 0 });
  }

  private lost(link: string, relayed: Relayed, ended: boolean): void {
    this.there.delete(link);
    relayed.conn.drop();
    relayed.session.detach(ended);
  }
}

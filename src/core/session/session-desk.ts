// Everything sessions need of a node, in one place: the held sessions, going away and coming back, the relay, the handover.
import type { Client, RoomMembership } from '../client.js';
import { CloseCode } from '../errors.js';
import type { Hub } from '../hub.js';
import { handoverHostOf } from './handover-host.js';
import type { Cluster } from '../cluster/cluster.js';
import type { NodeId, RelayEnvelope } from '../cluster/envelope.js';
import { encodeSession } from '../codec.js';
import { OutgoingFrame, type BacklogLimits, type ClientSession, type Conn } from '../conn.js';
import type { BroadcasterLogger } from '../handlers.js';
import { presenceStateOf } from '../presence/local-presence.js';
import type { CoreStats } from '../stats.js';
import { SessionDoor, type SessionNode } from './session-door.js';
import { SessionHandover } from './session-handover.js';
import { SessionRelay } from './session-relay.js';
import { SESSION_TAKEN_OVER, type SessionConn } from './session-conn.js';
import type { SessionRequest } from './session-request.js';
import type { ResolvedSessionSettings } from './session-settings.js';
import { Sessions } from './sessions.js';

/** What sessions need of their node. */
export interface DeskNode extends Omit<SessionNode, 'awayChanged'> {
  readonly hub: Hub;
  readonly membership: RoomMembership;
  /** The transport's handle of `client` over `conn`. */
  handleOn(client: Client, conn: Conn): ClientSession;
  /** Whether the node is shutting down. */
  closing(): boolean;
}

/**
 * The node's sessions (protocol 1.2): a connect request's resume is tried here, then on the
 * node holding the session (relayed), else the connection is a new client; a lost
 * connection makes a session client away.
 */
export class SessionDesk {
  readonly sessions: Sessions;
  readonly door: SessionDoor;
  readonly relay: SessionRelay | null;
  /** Hands this node's sessions to another as it shuts down, and takes other nodes' (in a cluster). */
  readonly handover: SessionHandover | null = null;

  constructor(
    settings: ResolvedSessionSettings,
    private readonly node: DeskNode,
    cluster: Cluster | null,
    limits: BacklogLimits,
    private readonly counters: CoreStats,
    logger: BroadcasterLogger,
  ) {
    this.sessions = new Sessions(settings);
    // Presence shows who is away, on every node.
    const awayChanged = (client: Client, away: boolean) => {
      client.presence = { ...client.presence, away };
      cluster?.publishPresence(client.id, presenceStateOf(client));
    };
    this.door = new SessionDoor(this.sessions, { ...node, awayChanged }, counters, logger, settings.sessionGrace);
    const relayNode = {
      resume: (conn: Conn, token: string, received: number) => this.door.resume(conn, token, received),
      handleOn: node.handleOn,
      moveTo: (token: string, received: number, to: NodeId, link: string) => this.moveTo(token, received, to, link),
    };
    this.relay = cluster === null ? null : new SessionRelay(cluster, this.sessions.tokens, relayNode, limits, counters, logger);
    if (cluster !== null && this.sessions.enabled) {
      const { hub, membership, runEventHandler, closing } = node;
      const host = handoverHostOf({ hub, desk: this, cluster, membership, settings, logger, runEventHandler, closing });
      this.handover = new SessionHandover(cluster, hub, host, counters, logger);
      this.handover.onArrived = (link) => this.relay?.arrived(link);
    }
  }

  /**
   * Hands the session `token` names over to the node `to`, where the client reconnected
   * (its resume waits there as `link`): the session goes on there, not relayed. `null`
   * when it cannot be resumed from `received` here, or there is no handover.
   */
  private moveTo(token: string, received: number, to: NodeId, link: string): Promise<boolean> | null {
    const held = this.sessions.find(token);
    const client = held?.client;
    if (this.handover === null || held === null || client == null || !this.node.has(client) || !held.conn.keepsAfter(received)) return null;
    if (!this.handover.movable(client)) return null;
    held.moving = true;
    const socket = held.conn.current;
    return this.handover.handOverTo(client, to, link).then((moved) => {
      held.moving = false;
      // A socket the session was still on here is closed: another took it over.
      if (moved && socket !== null) socket.close(SESSION_TAKEN_OVER, 'session resumed elsewhere');
      return moved;
    });
  }

  /**
   * The session clients among `clients` go on on another node of the cluster (the node
   * is shutting down): each one handed over is told to reconnect (1012), and resumes
   * there, or on any node, with nothing missed.
   */
  async handOverSessions(clients: readonly Client[]): Promise<void> {
    const sessionClients = clients.filter((client) => this.sessions.of(client) !== undefined);
    if (this.handover === null || sessionClients.length === 0) return;
    for (const client of await this.handover.handOver(sessionClients)) client.close(CloseCode.ServiceRestart, 'server restarting: resume the session');
  }

  /**
   * The handle of a connection asking for `session`: the resumed session's, here or over a
   * relay, or, when none resumes, `attachNew`'s (`withSession`: the client asked for one).
   */
  attach(conn: Conn, session: SessionRequest | undefined, attachNew: (withSession: boolean) => ClientSession): ClientSession {
    if (session === undefined || !this.sessions.enabled) return attachNew(false);
    const { resume } = session;
    if (resume === undefined) return attachNew(true);
    const resumed = this.door.resume(conn, resume.token, resume.received);
    if (resumed !== null) return this.node.handleOn(resumed, conn);
    // A session of another node is resumed there, over a relayed connection.
    const relayed = this.relay?.resumeElsewhere(conn, resume.token, resume.received, () => attachNew(true)) ?? null;
    if (relayed !== null) return relayed;
    this.counters.sessions.refused += 1;
    return attachNew(true);
  }

  /**
   * A new session over `socket`: `conn` is what its client is made with; `start` holds the
   * session for that client and returns its session frame.
   */
  open(socket: Conn): { conn: SessionConn; start(client: Client): OutgoingFrame } {
    let owner: Client | null = null;
    const held = this.sessions.open(socket, (why) => owner !== null && this.door.ended(owner, why));
    return {
      conn: held.conn,
      start: (client) => {
        owner = client;
        this.counters.sessions.started += 1;
        return new OutgoingFrame(encodeSession(client.id, this.sessions.hold(held, client), false));
      },
    };
  }

  /** A relay or handover message for this node. */
  receive(envelope: RelayEnvelope): void {
    const { kind } = envelope;
    if (kind === 'session-shadow' || kind === 'session-shadowing' || kind === 'session-handover') return this.handover?.receive(envelope);
    this.relay?.receive(envelope);
    // Both ask other nodes things that may be refused.
    if (kind === 'session-refused') this.handover?.receive(envelope);
  }

  nodeGone(nodeId: NodeId): void {
    this.relay?.nodeGone(nodeId);
    this.handover?.nodeGone(nodeId);
  }

  /** The sessions' gauges, for stats. */
  gauges(): { away: number; relaying: number } {
    return { away: this.sessions.awayCount, relaying: this.relay?.size ?? 0 };
  }
}

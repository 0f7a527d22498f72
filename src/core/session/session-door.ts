// Where a session client goes away and comes back: the grace period, and a resume's checks.
import { withFacts } from '../log-facts.js';
import type { Client } from '../client.js';
import { encodeSession } from '../codec.js';
import { OutgoingFrame, type Conn } from '../conn.js';
import type { BroadcasterLogger } from '../handlers.js';
import { EventType } from '../message.js';
import type { CoreStats } from '../stats.js';
import type { HeldSession, Sessions } from './sessions.js';

/** What the door needs of the node it serves. */
export interface SessionNode {
  has(client: Client): boolean;
  /** Takes a client out for good: its leave is announced. */
  remove(client: Client): void;
  runEventHandler(client: Client, eventType: EventType): void;
  /** The client went away, or came back: presence shows it. */
  awayChanged(client: Client, away: boolean): void;
}

/**
 * Decides what a lost connection means for a session client (away for the grace period,
 * or gone), and whether a resume takes a session back.
 */
export class SessionDoor {
  constructor(
    private readonly sessions: Sessions,
    private readonly node: SessionNode,
    private readonly counters: CoreStats,
    private readonly logger: BroadcasterLogger,
    private readonly grace: number,
  ) {}

  /**
   * `client` lost `conn`. Returns false when the client is to be removed (no session, or
   * one the server itself closed); true when the session went away, or had already moved
   * to another connection.
   */
  lost(client: Client, conn: Conn): boolean {
    const held = this.sessions.of(client);
    if (held === undefined || held.conn.isEnding) return false;
    if (held.conn.current !== conn || !this.node.has(client)) return true;
    this.startGrace(client, held);
    this.node.awayChanged(client, true);
    this.node.runEventHandler(client, EventType.OnAway);
    return true;
  }

  /** Holds a session handed over from another node, away for what is left of its grace period. */
  takeOver(client: Client, held: HeldSession, graceLeft: number): void {
    this.sessions.adopt(held, client);
    this.startGrace(client, held, graceLeft);
  }

  private startGrace(client: Client, held: HeldSession, graceMs?: number): void {
    this.sessions.away(
      held,
      () => {
        this.counters.sessions.expired += 1;
        this.logger.log(withFacts(`client ${client.id}: its session was not resumed within ${this.grace} ms; it has left`, { event: 'session_expired', clientId: client.id }));
        this.node.remove(client);
      },
      graceMs,
    );
  }

  /**
   * Takes a session back on `conn` if `token` names one held here and every frame after
   * `received` is still kept: its session frame, then those frames, go out on `conn`.
   * A genuine token whose frames are gone ends its session at once (the client starts
   * afresh). Returns the session's client, or `null`.
   */
  resume(conn: Conn, token: string, received: number): Client | null {
    const held = this.sessions.find(token);
    const client = held?.client;
    if (held === null || client == null || !this.node.has(client)) return null;
    const first = new OutgoingFrame(encodeSession(client.id, this.sessions.renew(held), true));
    if (!held.conn.resumeOn(conn, received, first)) {
      this.logger.log(withFacts(`client ${client.id}: resume refused (received ${received} of ${held.conn.written} frames, not all kept); the session ends`, { event: 'session_resume_refused', clientId: client.id }));
      this.node.remove(client);
      return null;
    }
    const wasAway = held.graceTimer !== null;
    this.sessions.back(held);
    this.counters.sessions.resumed += 1;
    if (wasAway) {
      this.node.awayChanged(client, false);
      this.node.runEventHandler(client, EventType.OnResume);
    }
    return client;
  }

  /** The end of a session with no connection to close: sent too much while away, or closed by the server. */
  ended(client: Client, why: 'overflow' | 'closed'): void {
    if (why === 'overflow') {
      this.counters.sessions.overflowed += 1;
      this.logger.warn(withFacts(`client ${client.id}: more was cast to it while away than the backlog limits allow; its session ends`, { event: 'session_overflowed', clientId: client.id }));
    }
    this.node.remove(client);
  }
}

// The sessions this node holds: by key, with their tokens, grace timers and what ends them.
import type { Client } from '../client.js';
import type { Conn } from '../conn.js';
import { SessionConn } from './session-conn.js';
import type { ResolvedSessionSettings } from './session-settings.js';
import { SessionTokens } from './session-token.js';

/** One session held here: its client, its connection, and which token is current. */
export interface HeldSession {
  readonly key: string;
  readonly conn: SessionConn;
  client: Client | null;
  generation: number;
  graceTimer: ReturnType<typeof setTimeout> | null;
  /** When its grace period started (while away). */
  awaySince: number;
  /** Being handed over to another node: no resume takes it here meanwhile. */
  moving?: boolean;
}

/**
 * The sessions of this node's clients. A session is found again by its current token
 * only: each resume spends the token it came with and issues the next, so a token
 * replayed, altered, of another client or of an ended session finds nothing.
 */
export class Sessions {
  private readonly byKey = new Map<string, HeldSession>();
  private readonly byClient = new Map<Client, HeldSession>();
  readonly tokens: SessionTokens;

  constructor(private readonly settings: ResolvedSessionSettings) {
    this.tokens = new SessionTokens(settings.sessionSecret);
  }

  /** Whether sessions are on (a grace period is set). */
  get enabled(): boolean {
    return this.settings.sessionGrace > 0;
  }

  /** Session clients away now. */
  get awayCount(): number {
    let away = 0;
    for (const held of this.byKey.values()) if (held.graceTimer !== null) away += 1;
    return away;
  }

  /** A session's connection over `socket`; `end` ends the session when it has no socket to close. */
  open(socket: Conn, end: (why: 'overflow' | 'closed') => void): HeldSession {
    const conn = new SessionConn(socket, { messages: this.settings.sessionKeptMessages, bytes: this.settings.sessionKeptBytes }, end);
    return { key: this.tokens.newKey(), conn, client: null, generation: 0, graceTimer: null, awaySince: 0 };
  }

  /** Holds `held` as the session of `client`; returns its first token. */
  hold(held: HeldSession, client: Client): string {
    held.client = client;
    this.byKey.set(held.key, held);
    this.byClient.set(client, held);
    return this.tokens.issue({ clientId: client.id, key: held.key, generation: held.generation });
  }

  of(client: Client): HeldSession | undefined {
    return this.byClient.get(client);
  }

  /** The session `token` currently names; `null` when it names none (or not any more). */
  find(token: string): HeldSession | null {
    const claim = this.tokens.read(token);
    if (claim === null) return null;
    const held = this.byKey.get(claim.key);
    if (held === undefined || held.moving === true || held.client?.id !== claim.clientId || held.generation !== claim.generation) return null;
    return held;
  }

  /** Spends the session's current token and issues the next. */
  renew(held: HeldSession): string {
    held.generation += 1;
    return this.tokens.issue({ clientId: held.client!.id, key: held.key, generation: held.generation });
  }

  /**
   * Starts the grace period of a session whose connection was lost (or what is left of
   * it, `graceMs`, for one handed over away); `expire` runs at its end.
   */
  away(held: HeldSession, expire: () => void, graceMs = this.settings.sessionGrace): void {
    held.conn.goAway();
    held.graceTimer = setTimeout(expire, graceMs);
    held.graceTimer.unref?.();
    held.awaySince = Date.now() - (this.settings.sessionGrace - graceMs);
  }

  /** Milliseconds left of the grace period of `held` (all of it, when it is not away). */
  graceLeft(held: HeldSession): number {
    if (held.graceTimer === null) return this.settings.sessionGrace;
    return Math.max(0, this.settings.sessionGrace - (Date.now() - held.awaySince));
  }

  /** Holds a session handed over from another node (see `SessionHandover`). */
  adopt(held: HeldSession, client: Client): void {
    held.client = client;
    this.byKey.set(held.key, held);
    this.byClient.set(client, held);
  }

  /** Ends the grace period of a session that resumed. */
  back(held: HeldSession): void {
    if (held.graceTimer !== null) clearTimeout(held.graceTimer);
    held.graceTimer = null;
  }

  /** Forgets the session of a client that is gone. */
  forget(client: Client): void {
    const held = this.byClient.get(client);
    if (held === undefined) return;
    this.back(held);
    this.byClient.delete(client);
    this.byKey.delete(held.key);
  }
}

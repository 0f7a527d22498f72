import type { Client } from './client.js';
import { stackOf } from './thrown-text.js';
import { encodeEvent } from './codec.js';
import { OutgoingFrame } from './conn.js';
import type { Delivery } from './delivery.js';
import type { BroadcasterLogger } from './handlers.js';
import { EventType, type ClientId } from './message.js';
import { Rooms } from './rooms.js';

/** What the registry asks of the rest of the core when a client's leave is announced. */
export type LeaveHook = (client: Client) => void;

/**
 * The clients connected to this node, in order of joining, and the announcements of
 * who joins and leaves: a joining client's own OnAddClient first, then everyone else's;
 * a leave after the leaver's pending replies.
 */
export class ClientRegistry {
  readonly clients = new Map<ClientId, Client>();
  /** The rooms of these clients; a client leaves every room's member list when it is removed. */
  readonly rooms = new Rooms();
  /** Clients whose leave is still to be announced, in order; see {@link announceLeave}. */
  private readonly leaving: Client[] = [];
  private announcingLeaves = false;
  private quiet = false;
  private onEmpty: (() => void) | null = null;

  constructor(
    private readonly delivery: Delivery,
    private readonly announceClients: boolean,
    private readonly logger: BroadcasterLogger,
    private readonly afterLeave: LeaveHook,
  ) {}

  /** Whether `client` is still connected (and not a former client with the same ID). */
  has(client: Client): boolean {
    return this.clients.get(client.id) === client;
  }

  /** Adds a client: it receives its own OnAddClient first, then the others are told. */
  add(client: Client): void {
    this.clients.set(client.id, client);
    this.delivery.send(client, new OutgoingFrame(encodeEvent(EventType.OnAddClient, client.id)));
    this.announce(EventType.OnAddClient, client.id, client);
  }

  /** Takes a client out, then announces its leave after its pending replies. */
  remove(client: Client): void {
    if (!this.has(client)) return;
    this.clients.delete(client.id);
    this.rooms.removeEverywhere(client);
    client.abandonCalls();
    if (this.clients.size === 0) this.onEmpty?.();
    client.whenSettled(() => this.announceLeave(client));
  }

  /** Removes (and announces) a misbehaving client at once, then closes its connection. */
  evict(client: Client, code: number, reason: string, why: string): void {
    this.logger.warn(`client ${client.id} ${why}: disconnecting it`);
    this.remove(client);
    client.close(code, reason);
  }

  /**
   * Tells every client here of a join or leave (of a client here or elsewhere), if joins
   * and leaves are announced; `except` is not told.
   */
  announce(eventType: EventType, clientId: ClientId, except?: Client): void {
    if (!this.announceClients || this.quiet) return;
    const frame = new OutgoingFrame(encodeEvent(eventType, clientId));
    for (const client of this.clients.values()) {
      if (client !== except) this.delivery.send(client, frame);
    }
  }

  /** Stops announcing (the node is shutting down); resolves once every client is gone. */
  silenceUntilEmpty(): Promise<void> {
    this.quiet = true;
    if (this.clients.size === 0) return Promise.resolve();
    return new Promise((resolve) => (this.onEmpty = resolve));
  }

  /**
   * Announces a leave. Announcing can evict other clients that are too far behind, whose
   * leaves are announced in turn: they are queued and announced one after another here,
   * never from inside the delivery that caused them, so that a burst of thousands of slow
   * clients cannot nest calls as deep as it is long.
   */
  private announceLeave(client: Client): void {
    this.leaving.push(client);
    if (this.announcingLeaves) return;
    this.announcingLeaves = true;
    try {
      for (let next = 0; next < this.leaving.length; next++) {
        const leaver = this.leaving[next];
        try {
          this.announce(EventType.OnDelClient, leaver.id);
          this.afterLeave(leaver);
        } catch (error) {
          this.logger.error(`announcing that client ${leaver.id} left failed`, stackOf(error));
        }
      }
    } finally {
      this.leaving.length = 0;
      this.announcingLeaves = false;
    }
  }
}

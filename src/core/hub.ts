// The local side of a node: who is connected here, their rooms, and delivery to them within limits.
import type { Audience } from './audience.js';
import type { Client } from './client.js';
import { encodeEvent } from './codec.js';
import { OutgoingFrame, type BacklogLimits } from './conn.js';
import type { SlowClientPolicy } from './core-options.js';
import { Delivery } from './delivery.js';
import { LaneRoster } from './lane-roster.js';
import { CastType, type ClientId, type EventType } from './message.js';
import { selectRecipients } from './recipients.js';
import { Rooms } from './rooms.js';
import { Shadows } from './session/shadows.js';
import type { CoreStats } from './stats.js';

/** How the hub delivers. */
export interface HubSettings {
  limits: BacklogLimits;
  slowClientPolicy: SlowClientPolicy;
  /** Whether joins and leaves are announced to every client. */
  announceClients: boolean;
}

/**
 * The clients connected to this node, in order of joining, and their rooms. Every frame
 * to them goes through here, within each client's backlog limits: one frame to the
 * clients an audience matches ({@link deliver}), to one client ({@link send}), or an
 * announcement of a join or leave to everyone ({@link announce}).
 */
export class Hub {
  readonly clients = new Map<ClientId, Client>();
  /** The rooms of these clients; a client leaves every room's member list when it is removed. */
  readonly rooms = new Rooms();
  /** Clients being handed over to this node from another: what reaches them is kept for them. */
  readonly shadows: Shadows;
  private readonly delivery: Delivery;
  private readonly membersOf = (room: string) => this.rooms.membersOf(room);
  private readonly announceClients: boolean;
  private quiet = false;
  /** How a cast to everyone reaches each client here. */
  private readonly roster: LaneRoster;

  /** @param evictSlow what becomes of a client too far behind, under the `'close'` policy */
  constructor(
    settings: HubSettings,
    private readonly counters: CoreStats,
    evictSlow: (client: Client) => void,
  ) {
    this.delivery = new Delivery(settings.limits, settings.slowClientPolicy, counters, evictSlow);
    this.announceClients = settings.announceClients;
    const limits = settings.limits;
    this.roster = new LaneRoster((client, moved) => ({
      limits,
      missed: (frames) => this.delivery.missed(client, frames),
      failed: (error) => client.sendingFailed(error),
      moved,
    }));
    this.shadows = new Shadows(settings.limits);
  }

  /** Whether `client` is connected here (and not a former client with the same ID). */
  has(client: Client): boolean {
    return this.clients.get(client.id) === client;
  }

  add(client: Client): void {
    this.clients.set(client.id, client);
    this.roster.add(client);
  }

  /** Takes `client` out of this node and of every room; false when it was not here. */
  remove(client: Client): boolean {
    if (!this.has(client)) return false;
    this.clients.delete(client.id);
    this.roster.remove(client);
    this.rooms.removeEverywhere(client);
    return true;
  }

  /**
   * Writes `frame` to every client here that `audience` matches. A cast to everyone is
   * handed once to the transport's lane for the clients in it (each takes it within its
   * limits as the transport writes), and sent one by one to the others. A client that
   * `held` takes (one recovering a room's history) is not written to.
   */
  deliver(audience: Audience, frame: OutgoingFrame, held?: (client: Client) => boolean): void {
    const throughLane = audience.castType === CastType.All ? this.roster.cast(frame) : 0;
    if (throughLane > 0) {
      this.counters.messagesOut += throughLane;
      for (const target of this.roster.oneByOne) this.delivery.send(target, frame);
    } else if (held === undefined) {
      for (const target of selectRecipients(audience, this.clients, this.membersOf)) this.delivery.send(target, frame);
    } else {
      for (const target of selectRecipients(audience, this.clients, this.membersOf)) if (!held(target)) this.delivery.send(target, frame);
    }
    if (this.shadows.size !== 0) this.shadows.offer(audience, frame);
  }

  /** Writes `frame` to `client` alone; false when it was not (too far behind, or closed). */
  send(client: Client, frame: OutgoingFrame): boolean {
    return this.delivery.send(client, frame);
  }

  /** Whether `size` more bytes may go to `client`; if not, the slow-client policy has been applied. */
  hasRoomFor(client: Client, size: number): boolean {
    return this.delivery.hasRoomFor(client, size);
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
    if (this.shadows.size !== 0) this.shadows.offerAnnouncement(clientId, frame);
  }

  /** Announces nothing more (the node is shutting down). */
  silence(): void {
    this.quiet = true;
  }
}

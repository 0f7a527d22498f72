// Live publications held for clients while their recovery is being answered.
import type { Client } from '../client.js';
import type { PublicationStamp } from '../cluster/backplane.js';
import type { OutgoingFrame } from '../conn.js';

/** A publication held for a client. */
export interface HeldPublication {
  frame: OutgoingFrame;
  stamp: PublicationStamp;
}

/** What was held for one room of a client. */
interface Held {
  publications: HeldPublication[];
  /** More came than may be held: they were dropped, and the room cannot be called recovered. */
  overflowed: boolean;
}

/**
 * While a client's `Recover` is answered (its rooms' history read, which may take a round
 * trip to the cluster's history), the live publications of those rooms are held for it
 * and sent after the answer, so that it sees each publication once, in offset order. At
 * most `limit` per client and room; past it they are dropped, and the room is answered
 * as not recovered.
 */
export class RecoveryHolds {
  private readonly byClient = new Map<Client, Map<string, Held>>();

  /** @param overflowed told once per client and room that went past `limit` (to log it) */
  constructor(
    private readonly limit: number,
    private readonly overflowed: (client: Client, room: string) => void = () => undefined,
  ) {}

  get size(): number {
    return this.byClient.size;
  }

  /** Starts holding the publications of `rooms` for `client`. */
  start(client: Client, rooms: Iterable<string>): void {
    const held = new Map<string, Held>();
    for (const room of rooms) held.set(room, { publications: [], overflowed: false });
    if (held.size > 0) this.byClient.set(client, held);
  }

  /** Holds a publication to `room` for `client` if it is recovering that room; whether it did. */
  take(client: Client, room: string, frame: OutgoingFrame, stamp: PublicationStamp): boolean {
    const held = this.byClient.get(client)?.get(room);
    if (held === undefined) return false;
    if (held.overflowed) return true;
    if (held.publications.length >= this.limit) {
      held.overflowed = true;
      held.publications = [];
      this.overflowed(client, room);
      return true;
    }
    held.publications.push({ frame, stamp });
    return true;
  }

  /** Whether more publications of `room` came for `client` than could be held. */
  overflowedFor(client: Client, room: string): boolean {
    return this.byClient.get(client)?.get(room)?.overflowed === true;
  }

  /** Stops holding for `client`; what was held, by room. */
  finish(client: Client): ReadonlyMap<string, Held> {
    const held = this.byClient.get(client) ?? new Map<string, Held>();
    this.byClient.delete(client);
    return held;
  }
}

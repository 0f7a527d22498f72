// The client SDK's view of room history: where it stands in each room, duplicates dropped, publications held while it recovers.
import type { Response } from './messages.js';

/** Where a client stands in a room's history: the last publication it got. */
export interface RoomPosition {
  offset: number;
  epoch: string;
}

/** What became of one publication handed to {@link RoomPositions.take}. */
export type Taken = 'deliver' | 'held' | 'duplicate';

/**
 * The position of this client in each room it got publications from (protocol 1.2). A
 * publication at or before the position (same epoch) is a duplicate and dropped. While a
 * room is being recovered its live publications are held, then released with what the
 * recovery sent, in offset order.
 */
export class RoomPositions {
  private readonly positions = new Map<string, RoomPosition>();
  private readonly holding = new Map<string, Response[]>();

  /** The rooms it has a position in. */
  rooms(): string[] {
    return [...this.positions.keys()];
  }

  get(room: string): RoomPosition | undefined {
    return this.positions.get(room);
  }

  /** A publication arrived: deliver it (the position moves), hold it, or drop it. */
  take(response: Response): Taken {
    const room = response.rooms![0];
    const held = this.holding.get(room);
    if (held !== undefined) {
      held.push(response);
      return 'held';
    }
    return this.advance(room, response) ? 'deliver' : 'duplicate';
  }

  /** Starts holding the live publications of `rooms` (a recovery of them is under way). */
  hold(rooms: Iterable<string>): void {
    for (const room of rooms) if (!this.holding.has(room)) this.holding.set(room, []);
  }

  /**
   * Ends the holding of `room` after the server's answer: `position` is where the room
   * stood then (absent when it has no history). Returns the held publications to deliver,
   * in offset order, without duplicates. When the room was not recovered the client's
   * position jumps to the server's: what came before it is for the app to reload.
   */
  release(room: string, recovered: boolean, position: RoomPosition | undefined): Response[] {
    const held = (this.holding.get(room) ?? []).sort((a, b) => (a.offset ?? 0) - (b.offset ?? 0));
    this.holding.delete(room);
    if (!recovered && position !== undefined) this.positions.set(room, position);
    return held.filter((response) => this.advance(room, response));
  }

  /** Stops holding `room`, dropping what was held (it is to be recovered later). */
  unhold(room: string): void {
    this.holding.delete(room);
  }

  /** Forgets every position (the client is closed). */
  clear(): void {
    this.positions.clear();
    this.holding.clear();
  }

  private advance(room: string, response: Response): boolean {
    const offset = response.offset!;
    const epoch = response.epoch!;
    const known = this.positions.get(room);
    if (known !== undefined && known.epoch === epoch && offset <= known.offset) return false;
    this.positions.set(room, { offset, epoch });
    return true;
  }
}

// Which clients of a node take casts to everyone through the transport's lane, and which one by one.
import type { Client } from './client.js';
import type { CastLane, LaneSeat, OutgoingFrame } from './conn.js';

/**
 * The clients of a hub split by how a cast to everyone reaches them: through the
 * transport's {@link CastLane} (one entry per cast, whatever the number of clients), or one
 * by one (connections without a lane, or in another lane). A session client moves between
 * the two as its socket comes and goes ({@link LaneSeat.moved}).
 */
export class LaneRoster {
  private lane: CastLane | null = null;
  private readonly inLane = new Set<Client>();
  /** The clients that take casts to everyone one by one. */
  readonly oneByOne = new Set<Client>();

  /** @param seatFor what the lane is told of `client` (its limits, what to do with what it misses) */
  constructor(private readonly seatFor: (client: Client, moved: (lane: CastLane | null) => void) => LaneSeat) {}

  add(client: Client): void {
    const lane = client.joinLane(this.seatFor(client, (moved) => this.moved(client, moved)));
    if (lane !== null && this.accepts(lane)) {
      this.inLane.add(client);
      return;
    }
    if (lane !== null) client.leaveLane();
    this.oneByOne.add(client);
  }

  remove(client: Client): void {
    if (this.inLane.delete(client)) client.leaveLane();
    else this.oneByOne.delete(client);
  }

  /**
   * Casts `frame` through the lane to the clients in it; returns how many those are (0:
   * none, and nothing was cast).
   */
  cast(frame: OutgoingFrame): number {
    if (this.inLane.size === 0) return 0;
    this.lane!.cast(frame);
    return this.inLane.size;
  }

  private moved(client: Client, lane: CastLane | null): void {
    if (!this.inLane.has(client) && !this.oneByOne.has(client)) return;
    if (lane === null) {
      this.inLane.delete(client);
      this.oneByOne.add(client);
    } else if (this.accepts(lane)) {
      this.oneByOne.delete(client);
      this.inLane.add(client);
    } else {
      client.leaveLane();
    }
  }

  /** One lane per node: the first one seen (a node serves one transport). */
  private accepts(lane: CastLane): boolean {
    this.lane ??= lane;
    return this.lane === lane;
  }
}

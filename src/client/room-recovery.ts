// The client SDK's recovery of room history (protocol 1.2): Recover frames, their answers, and what they release.
import { BroadcastError } from './broadcast-error.js';
import type { Response } from './messages.js';
import { RoomPositions } from './room-positions.js';

/** The most rooms one Recover frame may name (the protocol's limit). */
const MAX_ROOMS_PER_FRAME = 100;

/** What the recovery needs of the client. */
export interface RecoveryHost {
  /** Writes a frame now; false when not connected. */
  write(frame: string): boolean;
  /** Hands a publication to the app's listeners. */
  deliver(response: Response): void;
  /** Tells the app whether a room was recovered. */
  recovered(room: string, recovered: boolean): void;
}

interface Asked {
  rooms: string[];
  settle: (recovered: Record<string, boolean> | BroadcastError) => void;
}

/**
 * Keeps the client's position in each room from the publications it gets, drops those it
 * already has, and recovers rooms: it asks for what came after its positions, holds the
 * live publications of those rooms meanwhile, and hands them all to the app in offset
 * order once the server has answered.
 */
export class RoomRecovery {
  readonly positions = new RoomPositions();
  private readonly asked = new Map<string, Asked>();
  private nextId = 0;

  constructor(
    private readonly host: RecoveryHost,
    private readonly timeoutMs: () => number,
  ) {}

  /** A publication arrived: whether the app should get it now. */
  take(response: Response): boolean {
    return this.positions.take(response) === 'deliver';
  }

  /** Starts holding the publications of every room it has a position in (a reconnection that did not resume). */
  holdAll(): string[] {
    const rooms = this.positions.rooms();
    this.positions.hold(rooms);
    return rooms;
  }

  /**
   * Asks for what it missed in `rooms` (default: every room it has a position in). A room
   * without a position gets its latest `last` publications, or (without `last`) learns
   * where the room stands and is not recovered. Resolves, once the server answered, with
   * whether each room was recovered.
   */
  async recover(rooms: readonly string[] = this.positions.rooms(), last?: number): Promise<Record<string, boolean>> {
    const outcome: Record<string, boolean> = {};
    for (let at = 0; at < rooms.length; at += MAX_ROOMS_PER_FRAME) {
      Object.assign(outcome, await this.ask(rooms.slice(at, at + MAX_ROOMS_PER_FRAME), last));
    }
    return outcome;
  }

  /** An ack with `Recovered`: whether it answered one of this client's Recover frames. */
  answered(requestId: unknown, recovered: Record<string, boolean>, positions: Record<string, { Offset: number; Epoch: string }>): boolean {
    const asked = typeof requestId === 'string' ? this.asked.get(requestId) : undefined;
    if (asked === undefined) return false;
    const outcome: Record<string, boolean> = {};
    for (const room of asked.rooms) {
      const position = positions[room];
      outcome[room] = recovered[room] === true;
      this.release(room, outcome[room], position === undefined ? undefined : { offset: position.Offset, epoch: position.Epoch });
    }
    asked.settle(outcome);
    return true;
  }

  /** An error frame: whether it answered one of this client's Recover frames (which then fails). */
  failed(requestId: unknown, error: BroadcastError): boolean {
    const asked = typeof requestId === 'string' ? this.asked.get(requestId) : undefined;
    if (asked === undefined) return false;
    for (const room of asked.rooms) this.release(room, false, undefined);
    asked.settle(error);
    return true;
  }

  /**
   * The connection was lost or the client closed: recoveries under way fail, and what
   * they held is dropped (still in the rooms' history, it is recovered after the next
   * connection).
   */
  abandon(error: BroadcastError): void {
    for (const asked of [...this.asked.values()]) {
      for (const room of asked.rooms) this.positions.unhold(room);
      asked.settle(error);
    }
  }

  private ask(rooms: string[], last: number | undefined): Promise<Record<string, boolean>> {
    if (rooms.length === 0) return Promise.resolve({});
    const requestId = `recover-${++this.nextId}`;
    const wanted: Record<string, { Offset: number; Epoch: string } | { Last: number }> = {};
    for (const room of rooms) {
      const position = this.positions.get(room);
      if (position !== undefined) wanted[room] = { Offset: position.offset, Epoch: position.epoch };
      else if (last !== undefined) wanted[room] = { Last: last };
      // Offset 0 in no epoch: not recovered, but the answer says where the room stands.
      else wanted[room] = { Offset: 0, Epoch: '-' };
    }
    this.positions.hold(rooms);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => this.failed(requestId, new BroadcastError('timeout', `no answer to a recovery within ${this.timeoutMs()} ms`, 0)), this.timeoutMs());
      this.asked.set(requestId, {
        rooms,
        settle: (outcome) => {
          clearTimeout(timer);
          this.asked.delete(requestId);
          if (outcome instanceof BroadcastError) reject(outcome);
          else resolve(outcome);
        },
      });
      if (!this.host.write(JSON.stringify({ Recover: wanted, RequestID: requestId }))) {
        this.failed(requestId, new BroadcastError('offline', 'not connected: a recovery needs a connection', 0));
      }
    });
  }

  private release(room: string, recovered: boolean, position: { offset: number; epoch: string } | undefined): void {
    for (const response of this.positions.release(room, recovered, position)) this.host.deliver(response);
    this.host.recovered(room, recovered);
  }
}

// A node's numbered membership changes, kept to answer those who missed some.
import type { ClientId } from '../message.js';

/**
 * One change to a node's membership, as its log keeps it and a `changes` message carries
 * it: a client joined or left the node (leaving its rooms with it), or joined or left a room.
 */
export type Change =
  | readonly [op: 'join' | 'leave', clientId: ClientId]
  /** A client handed over to the node (`arrive`) or by it (`depart`): it moved, and nobody is told it joined or left. */
  | readonly [op: 'arrive' | 'depart', clientId: ClientId]
  | readonly [op: 'join-room' | 'leave-room', clientId: ClientId, room: string]
  /** The client's presence state changed (see `encodePresenceState`). */
  | readonly [op: 'presence', clientId: ClientId, state: string];

/**
 * The numbered history of this node's membership changes, the newest `capacity` of them:
 * change N takes the node from version N − 1 to N. A node that missed some asks for those
 * after the version it has, and gets them from here while the log still holds them. The
 * version starts at 0 with the process; the node's ID, new with every process, is its epoch.
 */
export class ChangeLog {
  /** The number of the newest change. */
  version = 0;
  private readonly entries: Change[] = [];

  constructor(private readonly capacity: number) {}

  /** Records a change and returns its number. */
  append(change: Change): number {
    this.version += 1;
    this.entries[this.version % this.capacity] = change;
    return this.version;
  }

  /** The changes after version `since`, oldest first; `null` when the log no longer reaches back to it. */
  since(since: number): Change[] | null {
    if (since < 0 || since > this.version || this.version - since > this.capacity) return null;
    const changes: Change[] = [];
    for (let version = since + 1; version <= this.version; version++) changes.push(this.entries[version % this.capacity]);
    return changes;
  }
}

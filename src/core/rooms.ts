// Room names, and the rooms of this node's clients both ways round.
import type { Client } from './client.js';
import { describeValue } from './describe-value.js';

/** A change of room membership. */
export type MembershipOp = 'join' | 'leave';

/** The longest room name, in characters (UTF-16 code units, as JavaScript counts them). */
export const MAX_ROOM_NAME_LENGTH = 200;

/** Whether `value` is a valid room name: a string of 1 to 200 characters. */
export function isRoomName(value: unknown): value is string {
  return typeof value === 'string' && value.length >= 1 && value.length <= MAX_ROOM_NAME_LENGTH;
}

/** Why `value` is not a room name, or `null` when it is one. */
export function roomNameProblem(value: unknown): string | null {
  if (isRoomName(value)) return null;
  if (typeof value !== 'string') return `a room name must be a string, got ${describeValue(value)}`;
  return `a room name must have 1 to ${MAX_ROOM_NAME_LENGTH} characters, got ${value.length}`;
}

/** Throws a `TypeError` saying what is wrong with a room name given by the caller. */
export function assertRoomName(value: unknown): asserts value is string {
  const problem = roomNameProblem(value);
  if (problem !== null) throw new TypeError(problem);
}

/**
 * The rooms of this node's clients: each room's members, and on each client its rooms.
 * Both sides change together; a room with no members is dropped.
 */
export class Rooms {
  private readonly members = new Map<string, Set<Client>>();

  /** How many rooms have members here. */
  get size(): number {
    return this.members.size;
  }

  /** Adds `client` to `room`; false when it was a member already. */
  join(client: Client, room: string): boolean {
    const rooms = (client.rooms ??= new Set());
    if (rooms.has(room)) return false;
    rooms.add(room);
    let members = this.members.get(room);
    if (members === undefined) {
      members = new Set();
      this.members.set(room, members);
    }
    members.add(client);
    return true;
  }

  /** Takes `client` out of `room`; false when it was not a member. */
  leave(client: Client, room: string): boolean {
    if (client.rooms?.delete(room) !== true) return false;
    this.forget(client, room);
    return true;
  }

  /**
   * Takes a departing client out of every room's member list. Its own list is kept, so
   * that the rooms it was in can still be told to its leave handlers.
   */
  removeEverywhere(client: Client): void {
    if (client.rooms === null) return;
    for (const room of client.rooms) this.forget(client, room);
  }

  membersOf(room: string): ReadonlySet<Client> | undefined {
    return this.members.get(room);
  }

  /** Rooms with at least one member here. */
  /** Each room with how many members it has here. */
  *sizes(): IterableIterator<[string, number]> {
    for (const [room, members] of this.members) yield [room, members.size];
  }

  names(): string[] {
    return [...this.members.keys()];
  }

  private forget(client: Client, room: string): void {
    const members = this.members.get(room);
    if (members === undefined) return;
    members.delete(client);
    if (members.size === 0) this.members.delete(room);
  }
}

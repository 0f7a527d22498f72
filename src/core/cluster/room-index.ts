// The room memberships of another node's clients, both ways round.
import type { ClientId } from '../message.js';
import { toggleDigest } from './membership-digest.js';

/** One room membership: a client and a room. */
export type Membership = readonly [clientId: ClientId, room: string];

/** The key a membership is hashed under; a newline occurs in neither part's usual form. */
const membershipKey = (clientId: ClientId, room: string) => `${clientId}\n${room}`;

/** Folds one membership into (or out of) a digest of memberships. */
export function toggleMembershipDigest(digest: number, clientId: ClientId, room: string): number {
  return toggleDigest(digest, membershipKey(clientId, room));
}

/**
 * The room memberships of one other node's clients, both ways round, with their count
 * and digest: the beats of that node carry its own, and a difference asks for its list.
 */
export class RoomIndex {
  private readonly roomsByClient = new Map<ClientId, Set<string>>();
  private readonly membersByRoom = new Map<string, Set<ClientId>>();
  digest = 0;
  size = 0;

  add(clientId: ClientId, room: string): void {
    let rooms = this.roomsByClient.get(clientId);
    if (rooms === undefined) {
      rooms = new Set();
      this.roomsByClient.set(clientId, rooms);
    }
    if (rooms.has(room)) return;
    rooms.add(room);
    let members = this.membersByRoom.get(room);
    if (members === undefined) {
      members = new Set();
      this.membersByRoom.set(room, members);
    }
    members.add(clientId);
    this.counted(clientId, room, 1);
  }

  remove(clientId: ClientId, room: string): void {
    const rooms = this.roomsByClient.get(clientId);
    if (rooms?.delete(room) !== true) return;
    if (rooms.size === 0) this.roomsByClient.delete(clientId);
    const members = this.membersByRoom.get(room);
    members?.delete(clientId);
    if (members?.size === 0) this.membersByRoom.delete(room);
    this.counted(clientId, room, -1);
  }

  removeClient(clientId: ClientId): void {
    for (const room of [...(this.roomsByClient.get(clientId) ?? [])]) this.remove(clientId, room);
  }

  /** Replaces every membership with `memberships` (a node's full list). */
  replaceWith(memberships: readonly Membership[]): void {
    for (const [clientId, room] of this.all()) this.remove(clientId, room);
    for (const [clientId, room] of memberships) this.add(clientId, room);
  }

  membersOf(room: string): Iterable<ClientId> {
    return this.membersByRoom.get(room) ?? [];
  }

  roomsOf(clientId: ClientId): Iterable<string> {
    return this.roomsByClient.get(clientId) ?? [];
  }

  roomNames(): Iterable<string> {
    return this.membersByRoom.keys();
  }

  /** Each room with how many members it has. */
  *roomSizes(): IterableIterator<[string, number]> {
    for (const [room, members] of this.membersByRoom) yield [room, members.size];
  }

  all(): Membership[] {
    return [...this.roomsByClient].flatMap(([clientId, rooms]) => [...rooms].map((room) => [clientId, room] as const));
  }

  private counted(clientId: ClientId, room: string, change: 1 | -1): void {
    this.size += change;
    this.digest = toggleMembershipDigest(this.digest, clientId, room);
  }
}

// What a node can tell of the clients and rooms of the whole cluster: its own, then the other nodes'.
import type { Cluster } from './cluster/cluster.js';
import type { Hub } from './hub.js';
import type { ClientId } from './message.js';
import { decodePresenceState } from './presence/presence-state.js';
import type { Presence, PresenceEntry } from './presence/presence.js';
import { assertRoomName } from './rooms.js';

/** Answers about clients and rooms, from this node's hub and, in a cluster, the other nodes' views. */
export class Directory {
  constructor(
    private readonly hub: Hub,
    private readonly cluster: Cluster | null,
  ) {}

  /**
   * IDs of the connected clients: this node's in order of joining, then those of the
   * other nodes of the cluster. Given a room, only its members, the same way.
   */
  clientIds(room?: string): ClientId[] {
    if (room === undefined) {
      const local = [...this.hub.clients.keys()];
      return this.cluster === null ? local : [...local, ...this.cluster.remote.remoteClientIds()];
    }
    assertRoomName(room);
    const local = [...(this.hub.rooms.membersOf(room) ?? [])].map((client) => client.id);
    return this.cluster === null ? local : [...local, ...this.cluster.remote.remoteMembersOf(room)];
  }

  /** The rooms a client (of any node) is in; empty for an unknown client. */
  roomsOf(clientId: ClientId): string[] {
    const client = this.hub.clients.get(clientId);
    if (client !== undefined) return client.rooms === null ? [] : [...client.rooms];
    return this.cluster?.remote.remoteRoomsOf(clientId) ?? [];
  }

  /**
   * The clients of the cluster (or a room's members), each with its presence info and
   * whether it is away, this node's first; and how many clients each user has.
   */
  presence(room?: string): Presence {
    if (room !== undefined) assertRoomName(room);
    const clients: PresenceEntry[] = [];
    const users: Record<string, number> = {};
    const add = (clientId: ClientId, info: unknown, user: string | null | undefined, away: boolean) => {
      clients.push({ clientId, info, away });
      if (typeof user === 'string') users[user] = (users[user] ?? 0) + 1;
    };
    const local = room === undefined ? this.hub.clients.values() : (this.hub.rooms.membersOf(room) ?? []);
    for (const client of local) {
      const { info, user, away } = client.presence;
      add(client.id, info === null ? null : JSON.parse(info), user, away);
    }
    for (const [clientId, state] of this.cluster?.remote.remotePresence(room) ?? []) {
      const decoded = state === null ? null : decodePresenceState(state);
      add(clientId, decoded?.info ?? null, decoded?.user, decoded?.away ?? false);
    }
    return { clients, users };
  }

  /** The `count` rooms with the most members over the cluster, largest first, with their member counts. */
  largestRooms(count: number): Array<{ room: string; members: number }> {
    const sizes = new Map<string, number>(this.hub.rooms.sizes());
    for (const [, node] of this.cluster?.remote.entries() ?? []) {
      for (const [room, members] of node.rooms.roomSizes()) sizes.set(room, (sizes.get(room) ?? 0) + members);
    }
    return largest(sizes, count).map(([room, members]) => ({ room, members }));
  }

  /** The instances of the cluster (this one first) with how many clients each holds. */
  instances(): Array<{ nodeId: string | null; self: boolean; clients: number }> {
    const self = { nodeId: this.cluster?.nodeId ?? null, self: true, clients: this.hub.clients.size };
    const others = [...(this.cluster?.remote.entries() ?? [])].map(([nodeId, node]) => ({ nodeId, self: false, clients: node.clients.size }));
    return [self, ...others];
  }

  /** Rooms with at least one member, on any node. */
  rooms(): string[] {
    const local = this.hub.rooms.names();
    if (this.cluster === null) return local;
    return [...new Set([...local, ...this.cluster.remote.remoteRoomNames()])];
  }
}

/** The `count` largest entries of `sizes`, largest first (ties by name), without sorting them all. */
function largest(sizes: Map<string, number>, count: number): Array<[string, number]> {
  const before = (a: [string, number], b: [string, number]) => a[1] > b[1] || (a[1] === b[1] && a[0] < b[0]);
  const kept: Array<[string, number]> = [];
  for (const entry of sizes) {
    if (kept.length === count && !before(entry, kept[kept.length - 1])) continue;
    // Kept in order, at most `count` long: an insertion costs at most `count` moves.
    let at = kept.length;
    while (at > 0 && before(entry, kept[at - 1])) at -= 1;
    kept.splice(at, 0, entry);
    if (kept.length > count) kept.pop();
  }
  return kept;
}

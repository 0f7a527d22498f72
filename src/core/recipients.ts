// Who receives a cast among the clients at hand: the original's broadcast switch.
import type { Audience } from './audience.js';
import { CastType } from './message.js';

/** The members of a room among the clients at hand, if it has any. */
export type RoomMembers<C> = (room: string) => ReadonlySet<C> | undefined;

const NO_ROOMS: RoomMembers<never> = () => undefined;

/**
 * Picks who receives a cast among `clients` — the original's `broadcast()` switch as a
 * pure function. Exclusive skips unknown IDs and lists each target once; Self needs a
 * sender; a room cast reaches each member of the listed rooms once.
 */
export function selectRecipients<C extends { readonly id: string }>(
  audience: Audience,
  clients: ReadonlyMap<string, C>,
  membersOf: RoomMembers<C> = NO_ROOMS,
): Iterable<C> {
  const { senderId } = audience;
  switch (audience.castType) {
    case CastType.All:
      return clients.values();
    case CastType.Self: {
      const sender = clients.get(senderId);
      return sender === undefined ? [] : [sender];
    }
    case CastType.Exclusive: {
      const targets: C[] = [];
      for (const id of new Set(audience.targets)) {
        const target = clients.get(id);
        if (target !== undefined) targets.push(target);
      }
      return targets;
    }
    case CastType.Others: {
      const others: C[] = [];
      for (const [id, client] of clients) {
        if (id !== senderId) others.push(client);
      }
      return others;
    }
    case CastType.Room:
    case CastType.RoomOthers:
      return roomMembers(audience.targets ?? [], membersOf, audience.castType === CastType.RoomOthers ? senderId : null);
    default:
      return [];
  }
}

function roomMembers<C extends { readonly id: string }>(
  rooms: readonly string[],
  membersOf: RoomMembers<C>,
  except: string | null,
): Iterable<C> {
  // One room (the usual case) needs no de-duplication: its members are a set already.
  if (rooms.length === 1) {
    const members = membersOf(rooms[0]);
    if (members === undefined) return [];
    return except === null ? [...members] : [...members].filter((member) => member.id !== except);
  }
  const recipients = new Set<C>();
  for (const room of rooms) {
    for (const member of membersOf(room) ?? []) {
      if (member.id !== except) recipients.add(member);
    }
  }
  return recipients;
}

/**
 * Whether a cast of `audience` reaches the client `id`, a member of the rooms `inRoom`
 * says: {@link selectRecipients} for one client that is not at hand.
 */
export function reaches(audience: Audience, id: string, inRoom: (room: string) => boolean): boolean {
  const { senderId, targets } = audience;
  switch (audience.castType) {
    case CastType.All:
      return true;
    case CastType.Exclusive:
      return targets?.includes(id) ?? false;
    case CastType.Others:
      return senderId !== id;
    case CastType.Room:
      return targets?.some(inRoom) ?? false;
    case CastType.RoomOthers:
      return senderId !== id && (targets?.some(inRoom) ?? false);
    default:
      return false;
  }
}

import { CastType, type ClientId } from './message.js';

/**
 * Picks who receives a cast — the original's `broadcast()` switch as a pure function.
 * Exclusive skips unknown IDs and lists each target once; Self needs a sender.
 */
export function selectRecipients<C>(
  castType: CastType,
  senderId: ClientId | null,
  castFor: readonly ClientId[],
  clients: ReadonlyMap<ClientId, C>,
): Iterable<C> {
  switch (castType) {
    case CastType.All:
      return clients.values();
    case CastType.Self: {
      const sender = senderId === null ? undefined : clients.get(senderId);
      return sender === undefined ? [] : [sender];
    }
    case CastType.Exclusive: {
      const targets: C[] = [];
      for (const id of new Set(castFor)) {
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
    default:
      return [];
  }
}

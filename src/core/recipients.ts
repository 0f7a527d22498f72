import type { Audience } from './audience.js';
import { CastType } from './message.js';

/**
 * Picks who receives a cast among `clients` — the original's `broadcast()` switch as a
 * pure function. Exclusive skips unknown IDs and lists each target once; Self needs a
 * sender.
 */
export function selectRecipients<C>(audience: Audience, clients: ReadonlyMap<string, C>): Iterable<C> {
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
    default:
      return [];
  }
}

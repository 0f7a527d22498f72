import { DEFAULT_PAYLOAD, type CastScenario } from '../scenarios.js';
import { ECHO_ALL, ECHO_EXCLUSIVE, ECHO_ROOM, ECHO_SELF, ECHO_SELF_ENHANCED, JOIN_ROOM } from '../servers/handler-ids.js';
import type { Dialect } from '../swarm/dialects.js';

const EXCLUSIVE_TARGETS = 10;

/** What client 0 sends in a cast scenario, and who must receive it; either swarm carries it out. */
export interface CastPlan {
  request: string;
  /** Clients `first` to `last` − 1 must receive every cast, every other client none. */
  first: number;
  last: number;
  /**
   * Requests that clients 0, 1… each send first, waiting for the answer (the room joins):
   * the first `count × size` clients are dealt into rooms `room-0`… in order, so that the
   * first `size` are the members of `room-0`, the sender among them — or, on several
   * instances, the `size` around the first instance's last client (half on each side).
   */
  joins: string[];
}

/**
 * The plan of a cast scenario over `clients` clients. `clientIdOf` gives a client's ID,
 * which only Exclusive casts need (they name their receivers). `firstShare`: the clients
 * of the first instance, when there are several (clients are opened instance by instance).
 */
export function castPlan(
  scenario: CastScenario,
  dialect: Dialect,
  clients: number,
  clientIdOf?: (index: number) => string,
  firstShare?: number,
): CastPlan {
  switch (scenario.target) {
    case 'all':
      return { request: dialect.request(ECHO_ALL, Buffer.alloc(scenario.payload, 'x')), first: 0, last: clients, joins: [] };
    case 'self':
    case 'self-enhanced': {
      const handlerId = scenario.target === 'self' ? ECHO_SELF : ECHO_SELF_ENHANCED;
      return { request: dialect.request(handlerId, Buffer.alloc(DEFAULT_PAYLOAD, 'x')), first: 0, last: 1, joins: [] };
    }
    case 'exclusive': {
      if (clientIdOf === undefined) throw new Error('Exclusive casts need the clients’ IDs');
      const last = Math.min(1 + EXCLUSIVE_TARGETS, clients);
      const targets = Array.from({ length: last - 1 }, (_, i) => clientIdOf(1 + i));
      return { request: dialect.request(ECHO_EXCLUSIVE, Buffer.from(JSON.stringify(targets))), first: 1, last, joins: [] };
    }
    case 'room':
    case 'room-others': {
      const { count, size } = scenario.rooms ?? { count: 1, size: clients };
      // A run with fewer clients than the rooms hold (the smoke run) fills what it can.
      const dealt = Math.min(count * size, clients);
      // On several instances the room cast to has members on two of them, as a room would:
      // otherwise the cast would never need to cross the backplane.
      const start = firstShare === undefined ? 0 : Math.max(0, Math.min(firstShare - Math.floor(size / 2), dealt - size));
      const joins = Array.from({ length: dealt }, (_, i) =>
        JSON.stringify({ HandlerID: JOIN_ROOM, Body: Buffer.from(`room-${Math.floor((i - start + dealt) % dealt / size)}`).toString('base64'), RequestID: i }),
      );
      // The sender (client 0) is in the room when the room starts with it; RoomOthers leaves it out.
      const others = scenario.target === 'room-others';
      const request = dialect.request(ECHO_ROOM, Buffer.from(`${others ? 6 : 5}|room-0|${'x'.repeat(DEFAULT_PAYLOAD)}`));
      return { request, first: others && start === 0 ? 1 : start, last: start + Math.min(size, clients), joins };
    }
  }
}

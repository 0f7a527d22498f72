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
   * first `size` are the members of `room-0`, the sender among them.
   */
  joins: string[];
}

/**
 * The plan of a cast scenario over `clients` clients. `clientIdOf` gives a client's ID,
 * which only Exclusive casts need (they name their receivers).
 */
export function castPlan(scenario: CastScenario, dialect: Dialect, clients: number, clientIdOf?: (index: number) => string): CastPlan {
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
      const joins = Array.from({ length: Math.min(count * size, clients) }, (_, i) =>
        JSON.stringify({ HandlerID: JOIN_ROOM, Body: Buffer.from(`room-${Math.floor(i / size)}`).toString('base64'), RequestID: i }),
      );
      const others = scenario.target === 'room-others';
      const request = dialect.request(ECHO_ROOM, Buffer.from(`${others ? 6 : 5}|room-0|${'x'.repeat(DEFAULT_PAYLOAD)}`));
      return { request, first: others ? 1 : 0, last: Math.min(size, clients), joins };
    }
  }
}

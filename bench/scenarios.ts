import type { Contender } from './servers/main.js';

/** Whom a cast reaches, chosen by the handler the sender names. */
export type Target = 'all' | 'self' | 'self-enhanced' | 'exclusive' | 'room' | 'room-others';

/** Another scenario of the same run whose library figures this one is compared with. */
export interface Versus {
  scenario: string;
  /** The ratio's name in the report, e.g. `cluster/single-node`. */
  label: string;
}

/** One sender casting to N clients, paced by a window of casts in flight or by a rate. */
export interface CastScenario {
  kind: 'casts';
  name: string;
  clients: number;
  target: Target;
  /** Body bytes of each request (the frame adds about 100 bytes, a third more as base64). */
  payload: number;
  casts: number;
  window?: number;
  rate?: number;
  contenders: Contender[];
  /**
   * For the room targets: clients are dealt into `rooms` rooms of `roomSize` members (the
   * rest join none); the sender, a member of the first, casts to that room.
   */
  rooms?: { count: number; size: number };
  /** Instances of the library sharing the clients, linked by a Redis backplane; the sender is on the first. */
  nodes?: number;
  /** For the LW contender: worker processes sharing the port. */
  workers?: number;
  versus?: Versus;
}

/** Every client sends at `rate` per second and receives everyone's casts. */
export interface ManySendersScenario {
  kind: 'many-senders';
  name: string;
  clients: number;
  perClient: number;
  rate: number;
  payload: number;
  contenders: Contender[];
}

/**
 * The inbound path: every client keeps one Self request in flight (closed loop), `perClient`
 * requests each; a reply is one delivery.
 */
export interface RequestReplyScenario {
  kind: 'request-reply';
  name: string;
  clients: number;
  perClient: number;
  payload: number;
  contenders: Contender[];
}

/**
 * The swarm in `swarms` processes (each from its own loopback address), for more clients
 * than one process may hold, or to take the swarm's own work off one thread; the library
 * on `workers` worker processes for LW. One client sends `casts` All requests at once;
 * every client must receive each.
 */
export interface MassFanOutScenario {
  kind: 'mass-fan-out';
  name: string;
  clients: number;
  workers?: number;
  swarms: number;
  casts: number;
  contenders: Contender[];
}

/** N clients connect at once; the library announces every join to everyone there. */
export interface ConnectStormScenario {
  kind: 'connect-storm';
  name: string;
  clients: number;
  contenders: Contender[];
}

/** N clients connect and stay idle; server memory is read before and after. */
export interface IdleMemoryScenario {
  kind: 'idle-memory';
  name: string;
  clients: number;
  contenders: Contender[];
}

export type Scenario =
  | CastScenario
  | ManySendersScenario
  | RequestReplyScenario
  | MassFanOutScenario
  | ConnectStormScenario
  | IdleMemoryScenario;

/** A body that makes a ~150-byte response frame, the size the targets are stated for. */
export const DEFAULT_PAYLOAD = 40;

const EVERYONE: Contender[] = ['L', 'B0', 'B1', 'S'];

function fanOut(clients: number, window: number, casts: number): CastScenario {
  return {
    kind: 'casts',
    name: `All, N=${clients}, W=${window}`,
    clients,
    target: 'all',
    payload: DEFAULT_PAYLOAD,
    casts,
    window,
    contenders: EVERYONE,
  };
}

function payloadRun(payload: number, label: string, casts: number): CastScenario {
  return { ...fanOut(1000, 8, casts), name: `All, N=1000, W=8, ${label} body`, payload };
}

/** The full suite; casts are sized for runs of about a second each. */
export const SCENARIOS: Scenario[] = [
  fanOut(2000, 8, 1500),
  {
    ...fanOut(2000, 8, 1500),
    name: 'All, N=2000, W=8, two instances over Redis',
    contenders: ['L'],
    nodes: 2,
    versus: { scenario: 'All, N=2000, W=8', label: 'cluster/single-node' },
  },
  fanOut(2000, 1, 400),
  fanOut(100, 1, 3000),
  fanOut(100, 8, 8000),
  fanOut(1000, 1, 600),
  fanOut(1000, 8, 2000),
  fanOut(5000, 1, 150),
  fanOut(5000, 8, 500),
  { ...fanOut(1000, 1, 1000), name: 'All, N=1000, open loop 200 casts/s', window: undefined, rate: 200 },
  payloadRun(100, '100 B', 2000),
  payloadRun(4096, '4 KiB', 600),
  payloadRun(65536, '64 KiB', 60),
  { kind: 'casts', name: 'Self, N=100, W=8', clients: 100, target: 'self', payload: DEFAULT_PAYLOAD, casts: 20000, window: 8, contenders: ['L'] },
  {
    kind: 'casts',
    name: 'Self, N=100, W=8, guard + pipe + interceptor',
    clients: 100,
    target: 'self-enhanced',
    payload: DEFAULT_PAYLOAD,
    casts: 20000,
    window: 8,
    contenders: ['L'],
    versus: { scenario: 'Self, N=100, W=8', label: 'enhanced/bare' },
  },
  { kind: 'casts', name: 'Self, N=5000, W=8', clients: 5000, target: 'self', payload: DEFAULT_PAYLOAD, casts: 20000, window: 8, contenders: ['L'] },
  { kind: 'casts', name: 'Exclusive k=10, N=100, W=8', clients: 100, target: 'exclusive', payload: 0, casts: 10000, window: 8, contenders: ['L'] },
  { kind: 'casts', name: 'Exclusive k=10, N=5000, W=8', clients: 5000, target: 'exclusive', payload: 0, casts: 10000, window: 8, contenders: ['L'] },
  {
    kind: 'casts',
    name: 'Room, N=2000 in 20 rooms of 100, W=8',
    clients: 2000,
    target: 'room',
    rooms: { count: 20, size: 100 },
    payload: DEFAULT_PAYLOAD,
    casts: 20000,
    window: 8,
    contenders: ['L'],
    versus: { scenario: 'All, N=2000, W=8', label: 'room/All' },
  },
  {
    kind: 'casts',
    name: 'RoomOthers k=100, N=5000, W=8',
    clients: 5000,
    target: 'room-others',
    rooms: { count: 1, size: 100 },
    payload: DEFAULT_PAYLOAD,
    casts: 20000,
    window: 8,
    contenders: ['L'],
    versus: { scenario: 'All, N=5000, W=8', label: 'room/All' },
  },
  {
    ...fanOut(2000, 8, 1500),
    name: 'All, N=2000, W=8, 2 worker processes',
    contenders: ['LW'],
    workers: 2,
    versus: { scenario: 'All, N=2000, W=8', label: 'workers/single' },
  },
  {
    kind: 'mass-fan-out',
    name: 'All to 50,000 clients, 3 worker processes',
    clients: 50_000,
    workers: 3,
    swarms: 3,
    casts: 10,
    contenders: ['LW'],
  },
  {
    kind: 'mass-fan-out',
    name: 'All, N=2000, 100 casts at once, swarm in 2 processes',
    clients: 2000,
    swarms: 2,
    casts: 100,
    contenders: EVERYONE,
  },
  { kind: 'many-senders', name: 'Many senders, N=200, 5/s each', clients: 200, perClient: 10, rate: 5, payload: DEFAULT_PAYLOAD, contenders: EVERYONE },
  {
    kind: 'request-reply',
    name: 'Request/reply (Self), N=2000, 1 in flight each',
    clients: 2000,
    perClient: 200,
    payload: DEFAULT_PAYLOAD,
    contenders: EVERYONE,
  },
  { kind: 'connect-storm', name: 'Connect storm, N=2000', clients: 2000, contenders: ['L'] },
  { kind: 'idle-memory', name: 'Idle connections, N=2000', clients: 2000, contenders: ['L', 'B0', 'S'] },
  // As many as one process may hold here: the hard limit on open files is 20,000.
  { kind: 'idle-memory', name: 'Idle connections, N=19000', clients: 19_000, contenders: ['L', 'B0', 'S'] },
];

/**
 * One scenario of each shape, shrunk to a few clients and casts: a seconds-long check that
 * the suite runs and its counts add up, with no figure worth reading.
 */
export function smokeScenarios(): Scenario[] {
  const shapes = new Set<string>();
  const firstOfEachShape = SCENARIOS.filter((scenario) => {
    const shape =
      scenario.kind === 'casts'
        ? `${scenario.target} ${scenario.rate === undefined} ${scenario.nodes} ${scenario.workers}`
        : scenario.kind === 'mass-fan-out'
          ? `${scenario.kind} ${scenario.workers}`
          : scenario.kind;
    if (shapes.has(shape)) return false;
    shapes.add(shape);
    return true;
  });
  return firstOfEachShape.map((full) => {
    const clients = Math.min(full.clients, 20);
    const scenario = { ...full, name: `${full.name} (smoke)` };
    switch (scenario.kind) {
      case 'casts':
        return { ...scenario, clients, casts: Math.min(scenario.casts, 20), rate: scenario.rate === undefined ? undefined : 100 };
      case 'many-senders':
        return { ...scenario, clients: 8, perClient: 3, rate: 20 };
      case 'request-reply':
        return { ...scenario, clients, perClient: 3 };
      case 'mass-fan-out':
        return { ...scenario, clients: 60, casts: 3 };
      default:
        return { ...scenario, clients };
    }
  });
}

// The benchmark's scenarios: the full suite, and its seconds-long smoke version.
import type { Contender } from './servers/main.js';
import { DEFAULT_PAYLOAD, type CastScenario, type Scenario } from './scenario-types.js';

export * from './scenario-types.js';

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

const ROOM_RUN = 'Room, N=2000 in 20 rooms of 100, W=8';

/** Casts to one of 20 rooms of 100 (of 2,000 clients), named `ROOM_RUN` and `suffix`. */
function roomRun(suffix: string, casts: number, extra: Partial<CastScenario>): CastScenario {
  return {
    kind: 'casts',
    name: `${ROOM_RUN}${suffix}`,
    clients: 2000,
    target: 'room',
    rooms: { count: 20, size: 100 },
    payload: DEFAULT_PAYLOAD,
    casts,
    window: 8,
    contenders: ['L'],
    ...extra,
  };
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
  {
    ...fanOut(2000, 8, 1500),
    name: 'All, N=2000, W=8, metrics and tracing on',
    contenders: ['L'],
    metrics: true,
    tracing: true,
    versus: { scenario: 'All, N=2000, W=8', label: 'metrics/off' },
  },
  // The same clients as plain clients (L) and as session clients (LS), interleaved.
  { ...fanOut(2000, 8, 1500), name: 'All, N=2000, W=8, session clients', contenders: ['L', 'LS'] },
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
  roomRun('', 20000, { versus: { scenario: 'All, N=2000, W=8', label: 'room/All' } }),
  roomRun(', history', 20000, { history: true, versus: { scenario: ROOM_RUN, label: 'history/plain' } }),
  // Runs of several seconds: a fresh pair of servers over Redis takes that long to warm up.
  roomRun(', two instances over Redis', 15000, { nodes: 2 }),
  roomRun(', two instances over Redis, history', 15000, {
    nodes: 2,
    history: true,
    versus: { scenario: `${ROOM_RUN}, two instances over Redis`, label: 'history/plain' },
  }),
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
  {
    kind: 'request-reply',
    name: 'Request/reply (Self), N=2000, 1 in flight each, metrics on',
    clients: 2000,
    perClient: 200,
    payload: DEFAULT_PAYLOAD,
    contenders: ['L'],
    metrics: true,
    versus: { scenario: 'Request/reply (Self), N=2000, 1 in flight each', label: 'metrics/off' },
  },
  // Acked requests (1.1), as the client SDK writes them, against the same requests in a form
  // the server reads the general way (JSON.parse): what the fast path saves an SDK request.
  {
    kind: 'request-reply',
    name: 'Request/reply (Self), N=2000, SDK frames (RequestID last, acked)',
    clients: 2000,
    perClient: 200,
    payload: DEFAULT_PAYLOAD,
    contenders: ['L'],
    requestId: 'last',
    versus: { scenario: 'Request/reply (Self), N=2000, RequestID before Body (acked)', label: 'SDK form/general form' },
  },
  {
    kind: 'request-reply',
    name: 'Request/reply (Self), N=2000, RequestID before Body (acked)',
    clients: 2000,
    perClient: 200,
    payload: DEFAULT_PAYLOAD,
    contenders: ['L'],
    requestId: 'before-body',
  },
  { kind: 'connect-storm', name: 'Connect storm, N=2000', clients: 2000, contenders: ['L'] },
  { kind: 'session-resume', name: 'Session resume, N=200, then a replay of 10,000 frames', clients: 200, replay: 10_000, contenders: ['L'] },
  { kind: 'room-recovery', name: 'Recover 1,000 publications', clients: 2, publications: 1000, payload: 60, warmup: 10, recoveries: 50, contenders: ['L'] },
  {
    kind: 'room-recovery',
    name: 'Recover 1,000 publications, two instances over Redis',
    clients: 2,
    publications: 1000,
    payload: 60,
    warmup: 10,
    recoveries: 50,
    nodes: 2,
    contenders: ['L'],
  },
  { kind: 'idle-memory', name: 'Idle connections, N=2000', clients: 2000, contenders: ['L', 'LS', 'B0', 'S'] },
  // As many as one process may hold here: the hard limit on open files is 20,000.
  { kind: 'idle-memory', name: 'Idle connections, N=19000', clients: 19_000, contenders: ['L', 'LS', 'B0', 'S'] },
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
        ? `${scenario.target} ${scenario.rate === undefined} ${scenario.nodes} ${scenario.workers} ${scenario.contenders.join()}`
        : scenario.kind === 'mass-fan-out'
          ? `${scenario.kind} ${scenario.workers}`
          : scenario.kind === 'request-reply'
            ? `${scenario.kind} ${scenario.requestId}`
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
      case 'session-resume':
        return { ...scenario, clients: 5, replay: 20 };
      case 'room-recovery':
        return { ...scenario, publications: 20, warmup: 1, recoveries: 3 };
      default:
        return { ...scenario, clients };
    }
  });
}

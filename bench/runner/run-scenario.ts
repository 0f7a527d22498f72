import { performance } from 'node:perf_hooks';
import { DEFAULT_PAYLOAD, type CastScenario, type MassFanOutScenario, type RequestReplyScenario, type Scenario } from '../scenarios.js';
import type { Contender } from '../servers/main.js';
import { ECHO_ALL, ECHO_EXCLUSIVE, ECHO_ROOM, ECHO_SELF, ECHO_SELF_ENHANCED, JOIN_ROOM } from '../servers/handler-ids.js';
import { clientIdOf, dialects, openSwarm } from '../swarm/dialects.js';
import { SwarmProcess } from '../swarm/swarm-process-handle.js';
import { NativeSwarm, type NativeRun } from '../swarm/native-swarm.js';
import { type SwarmConn } from '../swarm/swarm-conn.js';
import { measureCasts, measureManySenders, measureRequestReply, measureUntil, type Delivery } from './measure.js';
import { benchRedis } from './private-redis.js';
import { ServerProcess, type Usage } from './server-process.js';

/** The figures of one run of one scenario by one contender. */
export interface RunRecord {
  scenario: string;
  contender: Contender;
  clients: number;
  deliveries: number;
  seconds: number;
  deliveriesPerSecond: number;
  /** Server CPU (user + system) per delivery, in microseconds. */
  cpuMicrosPerDelivery: number;
  p50Ms?: number;
  p99Ms?: number;
  heapBytesPerClient?: number;
  rssBytesPerClient?: number;
  /**
   * The runner's own CPU (user + system) over the measured seconds, in cores: the swarm
   * lives in the runner, one thread, so near 1 it, not the server, sets the pace.
   */
  swarmCores?: number;
  /** Set when the native swarm (C) was the load generator rather than the Node one. */
  swarm?: 'native';
  void?: string;
}

const EXCLUSIVE_TARGETS = 10;
/** Requests per client before a request/reply run is measured, so that the JIT has settled. */
const REQUEST_WARM_UP = 10;

let nativeSwarmBinary: string | undefined;

/** Makes the native swarm at `binary` the load generator of every scenario it can run. */
export function useNativeSwarm(binary: string | undefined): void {
  nativeSwarmBinary = binary;
}

/** Closed-loop casts to everyone or to the sender, and request/reply: what the native swarm drives. */
function nativeCanRun(scenario: Scenario): scenario is CastScenario | RequestReplyScenario {
  if (scenario.kind === 'request-reply') return true;
  return (
    scenario.kind === 'casts' &&
    scenario.nodes === undefined &&
    scenario.rate === undefined &&
    (scenario.target === 'all' || scenario.target === 'self' || scenario.target === 'self-enhanced')
  );
}

/** Starts the contender's server, runs the scenario against it once, and stops it. */
export async function runScenario(scenario: Scenario, contender: Contender): Promise<RunRecord> {
  if (nativeSwarmBinary !== undefined && nativeCanRun(scenario)) return runNative(scenario, contender, nativeSwarmBinary);
  if (scenario.kind === 'casts' && scenario.nodes !== undefined) return runOnCluster(scenario, scenario.nodes);
  if (scenario.kind === 'mass-fan-out') {
    return nativeSwarmBinary === undefined ? runMassFanOut(scenario, contender) : runMassFanOutNative(scenario, contender, nativeSwarmBinary);
  }
  const workers = scenario.kind === 'casts' ? scenario.workers : undefined;
  const server = await ServerProcess.start(contender, { announceClients: scenario.kind === 'connect-storm', workers });
  const conns: SwarmConn[] = [];
  try {
    const dialect = dialects[contender];
    if (scenario.kind === 'idle-memory') {
      const before = await server.usage();
      await openSwarm(server.port, dialect, scenario.clients, 0, conns);
      const after = await server.usage();
      return {
        ...record(scenario.name, contender, scenario.clients, { deliveries: 0, seconds: 0, latencies: [] }, before, after),
        heapBytesPerClient: (after.heapBytes - before.heapBytes) / scenario.clients,
        rssBytesPerClient: (after.rssBytes - before.rssBytes) / scenario.clients,
      };
    }
    if (scenario.kind === 'connect-storm') {
      const before = await server.usage();
      const swarmStart = process.cpuUsage();
      const started = performance.now();
      const n = scenario.clients;
      const opening = openSwarm(server.port, dialect, n, 0, conns);
      // Client i hears its own join and the joins of everyone after it.
      const delivery = await measureUntil(() => sum(conns), (n * (n + 1)) / 2, started);
      await opening;
      return record(scenario.name, contender, n, delivery, before, await server.usage(), process.cpuUsage(swarmStart));
    }
    await openSwarm(server.port, dialect, scenario.clients, contender === 'L' ? 1 : 0, conns);
    if (scenario.kind === 'request-reply') {
      const request = dialect.request(ECHO_SELF, Buffer.alloc(scenario.payload, 'x'));
      await measureRequestReply({ clients: conns, request, perClient: REQUEST_WARM_UP });
      const before = await server.usage();
      const swarmStart = process.cpuUsage();
      const delivery = await measureRequestReply({ clients: conns, request, perClient: scenario.perClient });
      const swarm = process.cpuUsage(swarmStart);
      return record(scenario.name, contender, scenario.clients, delivery, before, await server.usage(), swarm);
    }
    if (scenario.kind === 'many-senders') {
      const request = dialect.request(ECHO_ALL, Buffer.alloc(scenario.payload, 'x'));
      const warmUp = { clients: conns, request, perClient: 1, rate: scenario.rate };
      await measureManySenders(warmUp);
      const before = await server.usage();
      const swarmStart = process.cpuUsage();
      const delivery = await measureManySenders({ ...warmUp, perClient: scenario.perClient });
      const swarm = process.cpuUsage(swarmStart);
      return record(scenario.name, contender, scenario.clients, delivery, before, await server.usage(), swarm);
    }
    return await runCasts(scenario, contender, () => server.usage(), conns);
  } finally {
    for (const conn of conns) conn.destroy();
    await server.stop();
  }
}

/**
 * A swarm in several processes against the library on several workers: memory per client
 * once all are connected, then one client's casts, timed until the last client has all.
 */
async function runMassFanOut(scenario: MassFanOutScenario, contender: Contender): Promise<RunRecord> {
  const server = await ServerProcess.start(contender, { announceClients: false, workers: scenario.workers });
  const swarms = Array.from({ length: scenario.swarms }, () => new SwarmProcess());
  try {
    const before = await server.usage();
    const share = Math.ceil(scenario.clients / scenario.swarms);
    await Promise.all(
      swarms.map((swarm, i) =>
        swarm.ask({ type: 'open', port: server.port, contender, count: Math.min(share, scenario.clients - i * share), localAddress: `127.0.0.${i + 1}` }, 'opened'),
      ),
    );
    const connected = await server.usage();
    await Promise.all(swarms.map((swarm) => swarm.ask({ type: 'arm', casts: scenario.casts }, 'armed')));
    const finished = Promise.all(swarms.map((swarm) => swarm.next('done')));
    const sentAt = performance.timeOrigin + performance.now();
    swarms[0].tell({ type: 'send', request: dialects[contender].request(ECHO_ALL, Buffer.alloc(DEFAULT_PAYLOAD, 'x')), casts: scenario.casts });
    const done = (await finished) as Array<{ at: number; cpuMicros: number }>;
    const seconds = (Math.max(...done.map((d) => d.at)) - sentAt) / 1000;
    await new Promise((resolve) => setTimeout(resolve, 300));
    const checks = (await Promise.all(swarms.map((swarm) => swarm.ask({ type: 'check' }, 'checked')))) as Array<{ wrong: number }>;
    const wrong = checks.reduce((sum, check) => sum + check.wrong, 0);
    const deliveries = scenario.clients * scenario.casts;
    const delivery: Delivery = { deliveries, seconds, latencies: [], ...(wrong > 0 ? { void: `${wrong} clients did not receive exactly ${scenario.casts} frames` } : {}) };
    const swarmCpu = done.reduce((sum, d) => sum + d.cpuMicros, 0);
    return {
      ...record(scenario.name, contender, scenario.clients, delivery, connected, await server.usage(), { user: swarmCpu, system: 0 }),
      heapBytesPerClient: (connected.heapBytes - before.heapBytes) / scenario.clients,
      rssBytesPerClient: (connected.rssBytes - before.rssBytes) / scenario.clients,
    };
  } finally {
    for (const swarm of swarms) swarm.stop();
    await server.stop();
  }
}

/**
 * The scenario with the native swarm as load generator: it paces and counts by itself and
 * reports its own CPU, so the runner only reads the server's usage around the run.
 */
async function runNative(scenario: CastScenario | RequestReplyScenario, contender: Contender, binary: string): Promise<RunRecord> {
  const workers = scenario.kind === 'casts' ? scenario.workers : undefined;
  const server = await ServerProcess.start(contender, { announceClients: false, workers });
  let swarm: NativeSwarm | undefined;
  try {
    const dialect = dialects[contender];
    swarm = await NativeSwarm.open(binary, server.port, dialect, scenario.clients);
    const clients = swarm;
    let measure: () => Promise<NativeRun>;
    if (scenario.kind === 'request-reply') {
      const request = dialect.request(ECHO_SELF, Buffer.alloc(scenario.payload, 'x'));
      await clients.requests(REQUEST_WARM_UP, request);
      measure = () => clients.requests(scenario.perClient, request);
    } else {
      const toAll = scenario.target === 'all';
      const handlerId = toAll ? ECHO_ALL : scenario.target === 'self' ? ECHO_SELF : ECHO_SELF_ENHANCED;
      const request = dialect.request(handlerId, Buffer.alloc(toAll ? scenario.payload : DEFAULT_PAYLOAD, 'x'));
      const receivers = toAll ? scenario.clients : 1;
      const window = scenario.window ?? 1;
      // A short warm-up lets the JIT settle before the measured casts.
      const warmUp = await clients.casts(Math.max(5, Math.floor(scenario.casts / 10)), window, receivers, request);
      if (warmUp.void !== undefined) return nativeRecord(scenario.name, contender, scenario.clients, warmUp, undefined, undefined);
      measure = () => clients.casts(scenario.casts, window, receivers, request);
    }
    const before = await server.usage();
    const run = await measure();
    return nativeRecord(scenario.name, contender, scenario.clients, run, before, await server.usage());
  } finally {
    swarm?.stop();
    await server.stop();
  }
}

function nativeRecord(scenario: string, contender: Contender, clients: number, run: NativeRun, before: Usage | undefined, after: Usage | undefined): RunRecord {
  const delivery: Delivery = { deliveries: run.deliveries, seconds: run.seconds, latencies: [], ...(run.void === undefined ? {} : { void: run.void }) };
  const result = record(scenario, contender, clients, delivery, before, after, { user: run.cpuMicros, system: 0 });
  return { ...result, ...(run.deliveries > 0 ? { p50Ms: run.p50Ms, p99Ms: run.p99Ms } : {}), swarm: 'native' };
}

/** {@link runMassFanOut} with a native swarm in each process. */
async function runMassFanOutNative(scenario: MassFanOutScenario, contender: Contender, binary: string): Promise<RunRecord> {
  const server = await ServerProcess.start(contender, { announceClients: false, workers: scenario.workers });
  const swarms: NativeSwarm[] = [];
  try {
    const before = await server.usage();
    const share = Math.ceil(scenario.clients / scenario.swarms);
    const dialect = dialects[contender];
    const opened = await Promise.allSettled(
      Array.from({ length: scenario.swarms }, (_, i) =>
        NativeSwarm.open(binary, server.port, dialect, Math.min(share, scenario.clients - i * share), `127.0.0.${i + 1}`),
      ),
    );
    for (const result of opened) if (result.status === 'fulfilled') swarms.push(result.value);
    const failed = opened.find((result) => result.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
    const connected = await server.usage();
    for (const swarm of swarms) await swarm.arm();
    const request = dialect.request(ECHO_ALL, Buffer.alloc(DEFAULT_PAYLOAD, 'x'));
    const runs = await Promise.all(swarms.map((swarm, i) => swarm.fanOut(scenario.casts, i === 0, request)));
    const seconds = (Math.max(...runs.map((run) => run.doneAt)) - runs[0].sentAt) / 1000;
    const problem = runs.find((run) => run.void !== undefined)?.void;
    const delivery: Delivery = { deliveries: scenario.clients * scenario.casts, seconds, latencies: [], ...(problem === undefined ? {} : { void: problem }) };
    const swarmCpu = runs.reduce((sum, run) => sum + run.cpuMicros, 0);
    return {
      ...record(scenario.name, contender, scenario.clients, delivery, connected, await server.usage(), { user: swarmCpu, system: 0 }),
      heapBytesPerClient: (connected.heapBytes - before.heapBytes) / scenario.clients,
      rssBytesPerClient: (connected.rssBytes - before.rssBytes) / scenario.clients,
      swarm: 'native',
    };
  } finally {
    for (const swarm of swarms) swarm.stop();
    await server.stop();
  }
}

/** Instances of the library linked over Redis, the clients dealt out among them in turn. */
async function runOnCluster(scenario: CastScenario, count: number): Promise<RunRecord> {
  const redis = await benchRedis();
  const servers: ServerProcess[] = [];
  const conns: SwarmConn[] = [];
  try {
    for (let i = 0; i < count; i++) {
      servers.push(await ServerProcess.start('L', { announceClients: false, redisUrl: redis.url }));
    }
    const perServer = await Promise.all(
      servers.map((server, i) => {
        const share = Math.floor(scenario.clients / count) + (i < scenario.clients % count ? 1 : 0);
        return openSwarm(server.port, dialects.L, share, 1);
      }),
    );
    conns.push(...perServer.flat());
    // The servers' CPU together: what the cluster spends per delivery (Redis not counted).
    const usage = async (): Promise<Usage> => {
      const each = await Promise.all(servers.map((server) => server.usage()));
      return each.reduce((sum, u) => ({
        cpuMicros: sum.cpuMicros + u.cpuMicros,
        heapBytes: sum.heapBytes + u.heapBytes,
        rssBytes: sum.rssBytes + u.rssBytes,
      }));
    };
    return await runCasts(scenario, 'L', usage, conns);
  } finally {
    for (const conn of conns) conn.destroy();
    await Promise.all(servers.map((server) => server.stop()));
    await redis.stop();
  }
}

async function runCasts(
  scenario: CastScenario,
  contender: Contender,
  usage: () => Promise<Usage>,
  conns: SwarmConn[],
): Promise<RunRecord> {
  const dialect = dialects[contender];
  const [sender] = conns;
  let receivers = conns;
  let bystanders: SwarmConn[] = [];
  let request = dialect.request(ECHO_ALL, Buffer.alloc(scenario.payload, 'x'));
  if (scenario.target === 'self' || scenario.target === 'self-enhanced') {
    receivers = [sender];
    bystanders = conns.slice(1);
    const handlerId = scenario.target === 'self' ? ECHO_SELF : ECHO_SELF_ENHANCED;
    request = dialect.request(handlerId, Buffer.alloc(DEFAULT_PAYLOAD, 'x'));
  } else if (scenario.target === 'exclusive') {
    receivers = conns.slice(1, 1 + EXCLUSIVE_TARGETS);
    bystanders = [sender, ...conns.slice(1 + EXCLUSIVE_TARGETS)];
    request = dialect.request(ECHO_EXCLUSIVE, Buffer.from(JSON.stringify(receivers.map(clientIdOf))));
  } else if (scenario.target === 'room' || scenario.target === 'room-others') {
    const { count, size } = scenario.rooms ?? { count: 1, size: conns.length };
    await joinRooms(conns, count, size);
    const members = conns.slice(0, size);
    const others = scenario.target === 'room-others';
    receivers = others ? members.slice(1) : members;
    bystanders = [...(others ? [sender] : []), ...conns.slice(size)];
    const castType = others ? 6 : 5;
    request = dialect.request(ECHO_ROOM, Buffer.from(`${castType}|room-0|${'x'.repeat(DEFAULT_PAYLOAD)}`));
  }
  const pace = scenario.rate === undefined ? { window: scenario.window ?? 1 } : { rate: scenario.rate };
  const run = { sender, receivers, bystanders, request, pace };
  // A short warm-up lets the JIT settle before the measured casts.
  const warmUp = await measureCasts({ ...run, casts: Math.max(5, Math.floor(scenario.casts / 10)) });
  if (warmUp.void !== undefined) {
    return record(scenario.name, contender, scenario.clients, warmUp, undefined, undefined);
  }
  const before = await usage();
  const swarmStart = process.cpuUsage();
  const delivery = await measureCasts({ ...run, casts: scenario.casts });
  const swarm = process.cpuUsage(swarmStart);
  return record(scenario.name, contender, scenario.clients, delivery, before, await usage(), swarm);
}

/**
 * Deals the first `count × size` clients into rooms `room-0`… in order, so that the first
 * `size` are the members of `room-0`, and waits for every join's ack.
 */
async function joinRooms(conns: SwarmConn[], count: number, size: number): Promise<void> {
  const joiners = conns.slice(0, count * size);
  await Promise.all(
    joiners.map((conn, i) => {
      const expected = conn.frames + 1;
      conn.send(JSON.stringify({ HandlerID: JOIN_ROOM, Body: Buffer.from(`room-${Math.floor(i / size)}`).toString('base64'), RequestID: i }));
      return conn.waitFor(expected);
    }),
  );
}

function record(
  scenario: string,
  contender: Contender,
  clients: number,
  delivery: Delivery,
  before: Usage | undefined,
  after: Usage | undefined,
  swarm?: NodeJS.CpuUsage,
): RunRecord {
  const cpu = before === undefined || after === undefined ? NaN : after.cpuMicros - before.cpuMicros;
  const result: RunRecord = {
    scenario,
    contender,
    clients,
    deliveries: delivery.deliveries,
    seconds: delivery.seconds,
    deliveriesPerSecond: delivery.seconds > 0 ? delivery.deliveries / delivery.seconds : 0,
    cpuMicrosPerDelivery: delivery.deliveries > 0 ? cpu / delivery.deliveries : 0,
  };
  if (delivery.latencies.length > 0) {
    const sorted = Float64Array.from(delivery.latencies).sort();
    result.p50Ms = percentile(sorted, 0.5);
    result.p99Ms = percentile(sorted, 0.99);
  }
  if (swarm !== undefined && delivery.seconds > 0) result.swarmCores = (swarm.user + swarm.system) / 1e6 / delivery.seconds;
  if (delivery.void !== undefined) result.void = delivery.void;
  return result;
}

function percentile(sorted: Float64Array, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

function sum(conns: SwarmConn[]): number {
  let total = 0;
  for (const conn of conns) total += conn.frames;
  return total;
}

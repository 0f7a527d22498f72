import { performance } from 'node:perf_hooks';
import { DEFAULT_PAYLOAD, type CastScenario, type MassFanOutScenario, type Scenario } from '../scenarios.js';
import type { Contender } from '../servers/main.js';
import { ECHO_ALL } from '../servers/handler-ids.js';
import { clientIdOf, dialects, openSwarm } from '../swarm/dialects.js';
import { SwarmProcess } from '../swarm/swarm-process-handle.js';
import { type SwarmConn } from '../swarm/swarm-conn.js';
import { castPlan } from './cast-plan.js';
import { shareOf, startFleet } from './fleet.js';
import { measureCasts, measureManySenders, measureRequestReply, measureUntil, type Delivery } from './measure.js';
import { runResume } from './run-resume.js';
import { runRecovery } from './run-recovery.js';
import { nativeCanRun, REQUEST_WARM_UP, requestOf, runNative } from './run-native.js';
import { memoryPerClient, record, type RunRecord } from './run-record.js';
import { ServerProcess, type Usage } from './server-process.js';

export type { RunRecord } from './run-record.js';


let nativeSwarmBinary: string | undefined;

/** Makes the native swarm at `binary` the load generator of every scenario it can run. */
export function useNativeSwarm(binary: string | undefined): void {
  nativeSwarmBinary = binary;
}

/** Starts the contender's server, runs the scenario against it once, and stops it. */
export async function runScenario(scenario: Scenario, contender: Contender): Promise<RunRecord> {
  if (nativeSwarmBinary !== undefined && nativeCanRun(scenario)) return runNative(scenario, contender, nativeSwarmBinary);
  if (scenario.kind === 'casts' && scenario.nodes !== undefined) return runOnCluster(scenario, scenario.nodes);
  if (scenario.kind === 'mass-fan-out') return runMassFanOut(scenario, contender);
  if (scenario.kind === 'session-resume') return runResume(scenario, contender);
  if (scenario.kind === 'room-recovery') return runRecovery(scenario, contender);
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
        ...memoryPerClient(before, after, scenario.clients),
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
      const { request, acked } = requestOf(scenario, dialect);
      const framesPerReply = acked ? 2 : 1;
      await measureRequestReply({ clients: conns, request, perClient: REQUEST_WARM_UP, framesPerReply });
      const before = await server.usage();
      const swarmStart = process.cpuUsage();
      const delivery = await measureRequestReply({ clients: conns, request, perClient: scenario.perClient, framesPerReply });
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
      ...memoryPerClient(before, connected, scenario.clients),
    };
  } finally {
    for (const swarm of swarms) swarm.stop();
    await server.stop();
  }
}

/** Instances of the library linked over Redis, the clients dealt out among them in turn. */
async function runOnCluster(scenario: CastScenario, count: number): Promise<RunRecord> {
  const fleet = await startFleet('L', { announceClients: false }, count);
  const conns: SwarmConn[] = [];
  try {
    const perServer = await Promise.all(fleet.ports.map((port, i) => openSwarm(port, dialects.L, shareOf(scenario.clients, count, i), 1)));
    conns.push(...perServer.flat());
    return await runCasts(scenario, 'L', () => fleet.usage(), conns, shareOf(scenario.clients, count, 0));
  } finally {
    for (const conn of conns) conn.destroy();
    await fleet.stop();
  }
}

async function runCasts(
  scenario: CastScenario,
  contender: Contender,
  usage: () => Promise<Usage>,
  conns: SwarmConn[],
  firstShare?: number,
): Promise<RunRecord> {
  const { request, first, last, joins } = castPlan(scenario, dialects[contender], conns.length, (i) => clientIdOf(conns[i]), firstShare);
  await joinRooms(conns, joins);
  const sender = conns[0];
  const receivers = conns.slice(first, last);
  const bystanders = [...conns.slice(0, first), ...conns.slice(last)];
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

/** Client i sends `joins[i]` and waits for its answer, all at once. */
async function joinRooms(conns: SwarmConn[], joins: string[]): Promise<void> {
  await Promise.all(
    joins.map((join, i) => {
      const expected = conns[i].frames + 1;
      conns[i].send(join);
      return conns[i].waitFor(expected);
    }),
  );
}

function sum(conns: SwarmConn[]): number {
  let total = 0;
  for (const conn of conns) total += conn.frames;
  return total;
}

import { DEFAULT_PAYLOAD, type CastScenario, type MassFanOutScenario, type RequestReplyScenario, type Scenario } from '../scenarios.js';
import type { Contender } from '../servers/main.js';
import { ECHO_ALL, ECHO_SELF } from '../servers/handler-ids.js';
import { dialects, requestWithId, type Dialect } from '../swarm/dialects.js';
import { NativeSwarm, type NativeRun } from '../swarm/native-swarm.js';
import { castPlan } from './cast-plan.js';
import { shareOf, startFleet } from './fleet.js';
import type { Delivery } from './measure.js';
import { memoryPerClient, record, type RunRecord } from './run-record.js';
import { ServerProcess, type Usage } from './server-process.js';

/** Requests per client before a request/reply run is measured, so that the JIT has settled. */
export const REQUEST_WARM_UP = 10;

/**
 * What the native swarm drives: closed-loop casts to everyone, to the sender, or to a room
 * (on one server or several over Redis), request/reply, and mass fan-out. Exclusive casts
 * (which name their receivers' IDs) and open-loop runs stay with the Node swarm.
 */
export function nativeCanRun(scenario: Scenario): scenario is CastScenario | RequestReplyScenario | MassFanOutScenario {
  if (scenario.kind === 'request-reply' || scenario.kind === 'mass-fan-out') return true;
  return scenario.kind === 'casts' && scenario.rate === undefined && scenario.target !== 'exclusive';
}

/** Runs the scenario once with native swarms generating the load. */
export function runNative(scenario: CastScenario | RequestReplyScenario | MassFanOutScenario, contender: Contender, binary: string): Promise<RunRecord> {
  return scenario.kind === 'mass-fan-out' ? runMassFanOut(scenario, contender, binary) : runClosedLoop(scenario, contender, binary);
}

/**
 * The native swarm paces and counts by itself and reports its own CPU, so the runner only
 * reads the servers' usage around the run.
 */
async function runClosedLoop(scenario: CastScenario | RequestReplyScenario, contender: Contender, binary: string): Promise<RunRecord> {
  const casts = scenario.kind === 'casts' ? scenario : undefined;
  const fleet = await startFleet(contender, { announceClients: false, workers: casts?.workers, history: casts?.history, metrics: scenario.metrics, tracing: casts?.tracing }, casts?.nodes);
  const swarm = await NativeSwarm.start(binary);
  try {
    const dialect = dialects[contender];
    for (const [i, port] of fleet.ports.entries()) await swarm.open(port, dialect, shareOf(scenario.clients, fleet.ports.length, i));
    let measure: () => Promise<NativeRun>;
    if (scenario.kind === 'request-reply') {
      const { request, acked } = requestOf(scenario, dialect);
      await swarm.requests(REQUEST_WARM_UP, request, acked);
      measure = () => swarm.requests(scenario.perClient, request, acked);
    } else {
      const firstShare = fleet.ports.length > 1 ? shareOf(scenario.clients, fleet.ports.length, 0) : undefined;
      const { request, first, last, joins } = castPlan(scenario, dialect, scenario.clients, undefined, firstShare);
      if (joins.length > 0) await swarm.sendEach(0, joins);
      const window = scenario.window ?? 1;
      // A short warm-up lets the JIT settle before the measured casts.
      const warmUp = await swarm.casts(Math.max(5, Math.floor(scenario.casts / 10)), window, first, last, request);
      if (warmUp.void !== undefined) return nativeRecord(scenario.name, contender, scenario.clients, warmUp);
      measure = () => swarm.casts(scenario.casts, window, first, last, request);
    }
    const before = await fleet.usage();
    const run = await measure();
    return nativeRecord(scenario.name, contender, scenario.clients, run, before, await fleet.usage());
  } finally {
    swarm.stop();
    await fleet.stop();
  }
}

function nativeRecord(scenario: string, contender: Contender, clients: number, run: NativeRun, before?: Usage, after?: Usage): RunRecord {
  const delivery: Delivery = { deliveries: run.deliveries, seconds: run.seconds, latencies: [], ...(run.void === undefined ? {} : { void: run.void }) };
  const result = record(scenario, contender, clients, delivery, before, after, { user: run.cpuMicros, system: 0 });
  return { ...result, ...(run.deliveries > 0 ? { p50Ms: run.p50Ms, p99Ms: run.p99Ms } : {}), swarm: 'native' };
}

/**
 * A native swarm in each of several processes (each from its own loopback address), the
 * library on several workers for LW: memory per client once all are connected, then one
 * client's casts, timed from the first send until the last client of any swarm has all.
 */
async function runMassFanOut(scenario: MassFanOutScenario, contender: Contender, binary: string): Promise<RunRecord> {
  const server = await ServerProcess.start(contender, { announceClients: false, workers: scenario.workers });
  const swarms: NativeSwarm[] = [];
  try {
    const before = await server.usage();
    const share = Math.ceil(scenario.clients / scenario.swarms);
    const dialect = dialects[contender];
    for (let i = 0; i < scenario.swarms; i++) swarms.push(await NativeSwarm.start(binary));
    await Promise.all(swarms.map((swarm, i) => swarm.open(server.port, dialect, Math.min(share, scenario.clients - i * share), `127.0.0.${i + 1}`)));
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
      ...memoryPerClient(before, connected, scenario.clients),
      swarm: 'native',
    };
  } finally {
    for (const swarm of swarms) swarm.stop();
    await server.stop();
  }
}

/** What each client of a request/reply scenario sends, and whether it is acked (1.1). */
export function requestOf(scenario: RequestReplyScenario, dialect: Dialect): { request: string; acked: boolean } {
  const body = Buffer.alloc(scenario.payload, 'x');
  if (scenario.requestId === undefined) return { request: dialect.request(ECHO_SELF, body), acked: false };
  return { request: requestWithId(ECHO_SELF, body, scenario.requestId), acked: true };
}

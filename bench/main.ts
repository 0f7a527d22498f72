import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { machine, markdown, summarize } from './report.js';
import { runScenario, useNativeSwarm, type RunRecord } from './runner/run-scenario.js';
import { buildNativeSwarm } from './swarm/native-swarm.js';
import { SCENARIOS, smokeScenarios, type Scenario } from './scenarios.js';
import type { Contender } from './servers/main.js';

// Runs every scenario, interleaving the contenders and rotating their order each repetition
// so that a noisy moment on a shared machine does not always fall on the same contender.
const { values } = parseArgs({
  options: {
    smoke: { type: 'boolean', default: false },
    reps: { type: 'string' },
    only: { type: 'string' },
    // --contenders L,B1: run only these contenders of each scenario.
    contenders: { type: 'string' },
    // native (default): the C swarm where a scenario allows it and a C compiler is there.
    swarm: { type: 'string', default: 'native' },
  },
});

const smoke = values.smoke;
const reps = Number(values.reps ?? (smoke ? 1 : 3));
// --only takes parts of scenario names, separated by "|": a scenario runs if it has any
// (a part that starts with "=" names a whole scenario).
const only = values.only?.toLowerCase().split('|');
const named = (name: string, part: string) => (part.startsWith('=') ? name === part.slice(1) : name.includes(part));
const scenarios = (smoke ? smokeScenarios() : SCENARIOS).filter(
  (s) => only === undefined || only.some((part) => named(s.name.toLowerCase(), part)),
);
const redisAvailable = process.env.REDIS_URL !== undefined || commandExists('redis-server');
const resultsDir = fileURLToPath(new URL('../../bench/results/', import.meta.url));

async function main(): Promise<void> {
  if (values.swarm !== 'native' && values.swarm !== 'node') throw new Error(`--swarm is native or node, not ${values.swarm}`);
  const native = values.swarm === 'native' ? buildNativeSwarm() : undefined;
  useNativeSwarm(native);
  const records: RunRecord[] = [];
  for (const scenario of scenarios) {
    if (scenario.kind === 'casts' && scenario.nodes !== undefined && !redisAvailable) {
      console.warn(`SKIPPED ${scenario.name}: it needs redis-server (apt-get install redis-server) or REDIS_URL`);
      continue;
    }
    const contenders = scenario.contenders.filter((c) => values.contenders === undefined || values.contenders.split(',').includes(c));
    for (let rep = 0; rep < reps; rep++) {
      const order = rotate(contenders, rep);
      for (const contender of order) {
        const result = await runScenario(scenario, contender).catch((error: unknown) => failedRun(scenario, contender, error));
        records.push(result);
        console.log(describe(result));
      }
    }
  }
  const details = { ...machine(), repetitions: reps, swarm: native === undefined ? 'Node' : 'native (C) where the scenario allows, else Node', date: new Date().toISOString().slice(0, 10) };
  const versus = Object.fromEntries(
    scenarios.flatMap((s) => ((s.kind === 'casts' || s.kind === 'request-reply') && s.versus !== undefined ? [[s.name, s.versus]] : [])),
  );
  const summaries = summarize(records, versus);
  const table = markdown(summaries, details);
  const name = smoke ? 'smoke' : 'latest';
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(`${resultsDir}${name}.json`, JSON.stringify({ machine: details, summaries, runs: records }, null, 2));
  writeFileSync(`${resultsDir}${name}.md`, table);
  console.log(`\n${table}`);
  const voided = records.filter((r) => r.void !== undefined);
  if (voided.length > 0) {
    console.error(`${voided.length} runs were void:`);
    for (const r of voided) console.error(`  ${r.scenario} ${r.contender}: ${r.void}`);
    process.exitCode = 1;
  }
}

/** A run that could not be made (a server or swarm that failed) is void, and the suite goes on. */
function failedRun(scenario: Scenario, contender: Contender, error: unknown): RunRecord {
  console.error(error);
  const reason = error instanceof Error ? error.message : String(error);
  return { scenario: scenario.name, contender, clients: scenario.clients, deliveries: 0, seconds: 0, deliveriesPerSecond: 0, cpuMicrosPerDelivery: 0, void: `failed: ${reason}` };
}

function commandExists(command: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function rotate<T>(items: T[], by: number): T[] {
  const shift = by % items.length;
  return [...items.slice(shift), ...items.slice(0, shift)];
}

function describe(r: RunRecord): string {
  const figures = [
    r.deliveries > 0 ? `${Math.round(r.deliveriesPerSecond).toLocaleString('en')} deliveries/s` : '',
    r.deliveries > 0 ? `${r.cpuMicrosPerDelivery.toFixed(2)} µs CPU/delivery` : '',
    r.p99Ms === undefined ? '' : `p50 ${r.p50Ms?.toFixed(2)} ms, p99 ${r.p99Ms.toFixed(2)} ms`,
    r.heapBytesPerClient === undefined ? '' : `${(r.heapBytesPerClient / 1024).toFixed(1)} KiB heap/client`,
    r.swarmCores === undefined ? '' : `${r.swarm === 'native' ? 'native ' : ''}swarm ${(r.swarmCores * 100).toFixed(0)}% of a core`,
    r.void ?? '',
  ].filter(Boolean);
  return `${r.scenario.padEnd(40)} ${r.contender.padEnd(3)} ${figures.join(', ')}`;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

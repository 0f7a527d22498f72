import os from 'node:os';
import type { RunRecord } from './runner/run-scenario.js';
import type { Versus } from './scenarios.js';
import type { Contender } from './servers/main.js';

/** Median and range of one figure over the valid runs. */
export interface Spread {
  median: number;
  min: number;
  max: number;
}

export interface ContenderSummary {
  contender: Contender;
  runs: number;
  voidRuns: number;
  deliveriesPerSecond?: Spread;
  cpuMicrosPerDelivery?: Spread;
  p50Ms?: Spread;
  p99Ms?: Spread;
  heapBytesPerClient?: Spread;
  rssBytesPerClient?: Spread;
  seconds?: Spread;
  /** The runner's (the swarm's) CPU in cores; see `RunRecord.swarmCores`. */
  swarmCores?: Spread;
  /** Whether the native swarm generated the load. */
  nativeSwarm: boolean;
}

/** A swarm this busy may be what limits a run, rather than the server. */
export const SWARM_SATURATED_CORES = 0.9;

export interface ScenarioSummary {
  scenario: string;
  contenders: ContenderSummary[];
  /** Ratios of the library's medians to each baseline's. */
  ratios: Record<string, number>;
}

export function machine(): Record<string, string | number> {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()}`,
    node: process.version,
  };
}

/**
 * Summarizes the runs by scenario. `versus` maps a scenario to another of the same run
 * (a cluster to one instance, enhanced handlers to bare ones) whose library figures it is
 * compared with: deliveries/s and CPU per delivery.
 */
export function summarize(records: RunRecord[], versus: Record<string, Versus> = {}): ScenarioSummary[] {
  const scenarios = [...new Set(records.map((r) => r.scenario))];
  const summaries = scenarios.map((scenario) => {
    const ofScenario = records.filter((r) => r.scenario === scenario);
    const contenders = [...new Set(ofScenario.map((r) => r.contender))].map((contender) =>
      summarizeContender(contender, ofScenario.filter((r) => r.contender === contender)),
    );
    return { scenario, contenders, ratios: ratios(contenders) };
  });
  for (const summary of summaries) {
    const compared = versus[summary.scenario];
    if (compared === undefined) continue;
    const library = (scenario: string) =>
      summaries.find((s) => s.scenario === scenario)?.contenders.find((c) => c.contender === 'L' || c.contender === 'LW');
    const mine = library(summary.scenario);
    const base = library(compared.scenario);
    const rate = [mine?.deliveriesPerSecond?.median, base?.deliveriesPerSecond?.median];
    if (rate[0] !== undefined && rate[1] !== undefined) summary.ratios[`${compared.label} deliveries/s`] = rate[0] / rate[1];
    const cpu = [mine?.cpuMicrosPerDelivery?.median, base?.cpuMicrosPerDelivery?.median];
    if (cpu[0] !== undefined && cpu[1] !== undefined) summary.ratios[`${compared.label} CPU per delivery`] = cpu[0] / cpu[1];
  }
  return summaries;
}

function summarizeContender(contender: Contender, runs: RunRecord[]): ContenderSummary {
  const valid = runs.filter((r) => r.void === undefined);
  const spreadOf = (pick: (r: RunRecord) => number | undefined) => spread(valid.map(pick));
  return {
    contender,
    runs: runs.length,
    voidRuns: runs.length - valid.length,
    deliveriesPerSecond: spreadOf((r) => (r.deliveries > 0 ? r.deliveriesPerSecond : undefined)),
    cpuMicrosPerDelivery: spreadOf((r) => (r.deliveries > 0 ? r.cpuMicrosPerDelivery : undefined)),
    p50Ms: spreadOf((r) => r.p50Ms),
    p99Ms: spreadOf((r) => r.p99Ms),
    heapBytesPerClient: spreadOf((r) => r.heapBytesPerClient),
    rssBytesPerClient: spreadOf((r) => r.rssBytesPerClient),
    seconds: spreadOf((r) => (r.seconds > 0 ? r.seconds : undefined)),
    swarmCores: spreadOf((r) => r.swarmCores),
    nativeSwarm: runs.length > 0 && runs.every((r) => r.swarm === 'native'),
  };
}

function spread(values: (number | undefined)[]): Spread | undefined {
  const known = values.filter((v): v is number => v !== undefined && Number.isFinite(v)).sort((a, b) => a - b);
  if (known.length === 0) return undefined;
  const middle = known.length >> 1;
  const median = known.length % 2 === 1 ? known[middle] : (known[middle - 1] + known[middle]) / 2;
  return { median, min: known[0], max: known[known.length - 1] };
}

function ratios(contenders: ContenderSummary[]): Record<string, number> {
  const find = (c: Contender) => contenders.find((s) => s.contender === c);
  const library = find('L');
  const out: Record<string, number> = {};
  if (library === undefined) return out;
  for (const baseline of ['B1', 'B0', 'S'] as const) {
    const other = find(baseline);
    const mine = library.deliveriesPerSecond?.median;
    const theirs = other?.deliveriesPerSecond?.median;
    if (mine !== undefined && theirs !== undefined) out[`L/${baseline} deliveries/s`] = mine / theirs;
  }
  const cpu = library.cpuMicrosPerDelivery?.median;
  const b1Cpu = find('B1')?.cpuMicrosPerDelivery?.median;
  if (cpu !== undefined && b1Cpu !== undefined) out['L/B1 CPU per delivery'] = cpu / b1Cpu;
  const sessions = find('LS');
  const sessionRate = sessions?.deliveriesPerSecond?.median;
  const sessionCpu = sessions?.cpuMicrosPerDelivery?.median;
  const rate = library.deliveriesPerSecond?.median;
  if (sessionRate !== undefined && rate !== undefined) out['LS/L deliveries/s'] = sessionRate / rate;
  if (sessionCpu !== undefined && cpu !== undefined) out['LS/L CPU per delivery'] = sessionCpu / cpu;
  const sessionHeap = sessions?.heapBytesPerClient?.median;
  const heap = library.heapBytesPerClient?.median;
  if (sessionHeap !== undefined && heap !== undefined) out['LS/L heap per client'] = sessionHeap / heap;
  const p99 = library.p99Ms?.median;
  const b0p99 = find('B0')?.p99Ms?.median;
  if (p99 !== undefined && b0p99 !== undefined) out['L/B0 p99 latency'] = p99 / b0p99;
  return out;
}

/** The summary as Markdown: one table of figures, one of ratios. */
export function markdown(summaries: ScenarioSummary[], details: Record<string, string | number>): string {
  const lines = [
    '| Scenario | Contender | Deliveries/s, median (min–max) | CPU µs/delivery | p50 ms | p99 ms | Other |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const { scenario, contenders } of summaries) {
    for (const s of contenders) {
      const other = [
        s.seconds && s.deliveriesPerSecond === undefined ? `${fixed(s.seconds.median, 2)} s` : '',
        s.heapBytesPerClient ? `heap ${kib(s.heapBytesPerClient.median)}/client` : '',
        s.rssBytesPerClient ? `RSS ${kib(s.rssBytesPerClient.median)}/client` : '',
        s.swarmCores ? `${s.nativeSwarm ? 'native ' : ''}swarm CPU up to ${fixed(s.swarmCores.max * 100, 0)}% of a core${s.swarmCores.max >= SWARM_SATURATED_CORES ? ' **(swarm-bound)**' : ''}` : '',
        s.voidRuns > 0 ? `**${s.voidRuns} of ${s.runs} runs void**` : '',
      ].filter(Boolean);
      lines.push(
        `| ${scenario} | ${s.contender} | ${rate(s.deliveriesPerSecond)} | ${num(s.cpuMicrosPerDelivery, 2)} | ` +
          `${num(s.p50Ms, 2)} | ${num(s.p99Ms, 2)} | ${other.join('; ')} |`,
      );
    }
  }
  const ratioRows = summaries.filter((s) => Object.keys(s.ratios).length > 0);
  const ratioNames = [...new Set(ratioRows.flatMap((s) => Object.keys(s.ratios)))];
  const ratioTable = [
    `| Scenario | ${ratioNames.join(' | ')} |`,
    `|---|${ratioNames.map(() => '---').join('|')}|`,
    ...ratioRows.map((s) => `| ${s.scenario} | ${ratioNames.map((n) => (n in s.ratios ? fixed(s.ratios[n], 2) : '')).join(' | ')} |`),
  ];
  const machineLine = Object.entries(details).map(([key, value]) => `${key}: ${value}`).join(' · ');
  return [machineLine, '', ...lines, '', ...(ratioRows.length > 0 ? ratioTable : []), ''].join('\n');
}

function rate(s: Spread | undefined): string {
  if (s === undefined) return '';
  const k = (v: number) => `${fixed(v / 1000, 0)}k`;
  return `${k(s.median)} (${k(s.min)}–${k(s.max)})`;
}

function num(s: Spread | undefined, digits: number): string {
  return s === undefined ? '' : fixed(s.median, digits);
}

function kib(bytes: number): string {
  return `${fixed(bytes / 1024, 1)} KiB`;
}

function fixed(value: number, digits: number): string {
  return value.toFixed(digits);
}

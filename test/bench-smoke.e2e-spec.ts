import { execFile, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { findRedis } from './support/redis-server.js';

const root = join(__dirname, '..');

function hasCompiler(): boolean {
  try {
    execFileSync('sh', ['-c', 'command -v cc'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

interface SmokeRun {
  scenario: string;
  contender: string;
  deliveries: number;
  swarmCores?: number;
  swarm?: 'native';
  void?: string;
}

// The benchmark suite, shrunk to seconds: each scenario shape against each of its
// contenders, every run counted. No timing is asserted; the figures are noise at this size.
describe('the benchmark suite (smoke run)', () => {
  let runs: SmokeRun[];

  beforeAll(async () => {
    // `npm test` compiles the suite to dist-bench before jest starts.
    await promisify(execFile)(process.execPath, [join(root, 'dist-bench/bench/main.js'), '--smoke'], { cwd: root });
    runs = (JSON.parse(readFileSync(join(root, 'bench/results/smoke.json'), 'utf8')) as { runs: SmokeRun[] }).runs;
  }, 240_000);

  it('runs every contender where a scenario names it, with no void run', () => {
    const shapes = new Map<string, string[]>();
    for (const run of runs) shapes.set(run.scenario, [...(shapes.get(run.scenario) ?? []), run.contender]);
    expect(shapes.get('All, N=2000, W=8 (smoke)')).toEqual(['L', 'B0', 'B1', 'S']);
    expect(shapes.get('Many senders, N=200, 5/s each (smoke)')).toEqual(['L', 'B0', 'B1', 'S']);
    expect(shapes.get('Request/reply (Self), N=2000, 1 in flight each (smoke)')).toEqual(['L', 'B0', 'B1', 'S']);
    expect(shapes.get('All, N=2000, 100 casts at once, swarm in 2 processes (smoke)')).toEqual(['L', 'B0', 'B1', 'S']);
    expect(shapes.get('Idle connections, N=2000 (smoke)')).toEqual(['L', 'LS', 'B0', 'S']);
    expect(runs.filter((run) => run.void !== undefined)).toEqual([]);
  });

  it('counts exactly the deliveries each scenario implies', () => {
    const deliveriesOf = (scenario: string) => runs.find((run) => run.scenario === scenario)?.deliveries;
    expect(deliveriesOf('All, N=2000, W=8 (smoke)')).toBe(20 * 20);
    expect(deliveriesOf('Self, N=100, W=8 (smoke)')).toBe(20);
    expect(deliveriesOf('Exclusive k=10, N=100, W=8 (smoke)')).toBe(10 * 20);
    expect(deliveriesOf('Self, N=100, W=8, guard + pipe + interceptor (smoke)')).toBe(20);
    expect(deliveriesOf('Request/reply (Self), N=2000, 1 in flight each (smoke)')).toBe(20 * 3);
    // Acked requests: each answered by its reply and its ack, counted once.
    expect(deliveriesOf('Request/reply (Self), N=2000, SDK frames (RequestID last, acked) (smoke)')).toBe(20 * 3);
    expect(deliveriesOf('Request/reply (Self), N=2000, RequestID before Body (acked) (smoke)')).toBe(20 * 3);
    expect(deliveriesOf('All, N=2000, W=8, 2 worker processes (smoke)')).toBe(20 * 20);
    // 60 clients over 3 swarm processes and 3 workers, 3 casts each.
    expect(deliveriesOf('All to 50,000 clients, 3 worker processes (smoke)')).toBe(60 * 3);
    expect(deliveriesOf('All, N=2000, 100 casts at once, swarm in 2 processes (smoke)')).toBe(60 * 3);
    // 20 clients, all in the one room the smoke run has room for; RoomOthers skips the sender.
    expect(deliveriesOf('Room, N=2000 in 20 rooms of 100, W=8 (smoke)')).toBe(20 * 20);
    expect(deliveriesOf('RoomOthers k=100, N=5000, W=8 (smoke)')).toBe(19 * 20);
    expect(deliveriesOf('Many senders, N=200, 5/s each (smoke)')).toBe(8 * 8 * 3);
    expect(deliveriesOf('Connect storm, N=2000 (smoke)')).toBe((20 * 21) / 2);
    expect(runs.filter((run) => run.scenario === 'All, N=2000, W=8, session clients (smoke)').map((run) => [run.contender, run.deliveries])).toEqual([
      ['L', 20 * 20],
      ['LS', 20 * 20],
    ]);
    // The frames replayed to a resumed session.
    expect(deliveriesOf('Session resume, N=200, then a replay of 10,000 frames (smoke)')).toBe(20);
    if (findRedis().kind !== 'none') {
      expect(deliveriesOf('All, N=2000, W=8, two instances over Redis (smoke)')).toBe(20 * 20);
    }
  });

  it('reports the swarm’s own CPU beside every run that delivers, so a swarm-bound run shows', () => {
    const delivering = runs.filter((run) => run.deliveries > 0);
    expect(delivering.length).toBeGreaterThan(10);
    for (const run of delivering) expect(run.swarmCores).toBeGreaterThan(0);
    expect(readFileSync(join(root, 'bench/results/smoke.md'), 'utf8')).toMatch(/swarm CPU up to \d+% of a core/);
  });

  it('generates the load of closed-loop casts, request/reply and mass fan-out with the native swarm, the rest with Node', () => {
    const swarmOf = (scenario: string) => [...new Set(runs.filter((run) => run.scenario === scenario).map((run) => run.swarm ?? 'node'))];
    // `.ci/run` installs a C compiler; elsewhere the suite falls back to the Node swarm.
    const native = process.env.CI === 'true' || hasCompiler() ? ['native'] : ['node'];
    expect(swarmOf('All, N=2000, W=8 (smoke)')).toEqual(native);
    expect(swarmOf('Self, N=100, W=8, guard + pipe + interceptor (smoke)')).toEqual(native);
    expect(swarmOf('Request/reply (Self), N=2000, 1 in flight each (smoke)')).toEqual(native);
    expect(swarmOf('All, N=2000, W=8, 2 worker processes (smoke)')).toEqual(native);
    expect(swarmOf('All to 50,000 clients, 3 worker processes (smoke)')).toEqual(native);
    expect(swarmOf('All, N=2000, 100 casts at once, swarm in 2 processes (smoke)')).toEqual(native);
    expect(swarmOf('Room, N=2000 in 20 rooms of 100, W=8 (smoke)')).toEqual(native);
    expect(swarmOf('RoomOthers k=100, N=5000, W=8 (smoke)')).toEqual(native);
    if (findRedis().kind !== 'none') expect(swarmOf('All, N=2000, W=8, two instances over Redis (smoke)')).toEqual(native);
    expect(swarmOf('Exclusive k=10, N=100, W=8 (smoke)')).toEqual(['node']);
    expect(swarmOf('All, N=1000, open loop 200 casts/s (smoke)')).toEqual(['node']);
    expect(swarmOf('Many senders, N=200, 5/s each (smoke)')).toEqual(['node']);
  });
});

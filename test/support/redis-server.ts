import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { freePort } from './free-port.js';

const INSTALL_HINT = 'install it with `apt-get install redis-server`, or set REDIS_URL to a Redis to use';

/** Where the cluster tests find Redis: a private `redis-server`, or REDIS_URL. */
export type RedisForTests =
  | { kind: 'private'; binary: string }
  | { kind: 'external'; url: string }
  | { kind: 'none'; why: string };

/**
 * Decides once how the cluster tests get a Redis. Without one they are skipped, loudly;
 * under `CI=true` a missing Redis fails the run instead.
 */
export function findRedis(): RedisForTests {
  try {
    const binary = execFileSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).trim();
    if (binary !== '') return { kind: 'private', binary };
  } catch {
    // Not installed; fall through.
  }
  if (process.env.REDIS_URL) return { kind: 'external', url: process.env.REDIS_URL };
  const why = `no redis-server on PATH and no REDIS_URL: ${INSTALL_HINT}`;
  if (process.env.CI === 'true') throw new Error(`the cluster tests need Redis under CI: ${why}`);
  console.warn(`\n*** SKIPPING the cluster tests: ${why} ***\n`);
  return { kind: 'none', why };
}

/** A `redis-server` of the test's own on a free loopback port, keeping nothing on disk. */
export class PrivateRedis {
  private process: ChildProcess | null = null;

  private constructor(
    private readonly binary: string,
    readonly port: number,
  ) {}

  static async start(binary: string): Promise<PrivateRedis> {
    const redis = new PrivateRedis(binary, await freePort());
    await redis.restart();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Starts the server (again, on the same port) and waits until it accepts connections. */
  async restart(): Promise<void> {
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
    const child = spawn(this.binary, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    this.process = child;
    await new Promise<void>((resolve, reject) => {
      let output = '';
      child.stdout?.on('data', (data: Buffer) => {
        output += data.toString();
        if (output.includes('Ready to accept connections')) resolve();
      });
      child.once('exit', (code) => reject(new Error(`redis-server exited with ${code}:\n${output}`)));
    });
  }

  /** Kills the server at once, as a crash or a network cut would look to its clients. */
  async stop(): Promise<void> {
    const child = this.process;
    this.process = null;
    if (child === null || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }
}

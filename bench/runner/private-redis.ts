import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';

/**
 * The Redis the two-instance scenario links its servers through: REDIS_URL when set,
 * else a `redis-server` of the run's own on a free port, keeping nothing on disk.
 */
export class BenchRedis {
  private constructor(
    readonly url: string,
    private readonly child: ChildProcess | null,
  ) {}

  static async start(): Promise<BenchRedis> {
    if (process.env.REDIS_URL) return new BenchRedis(process.env.REDIS_URL, null);
    const port = await freePort();
    const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve, reject) => {
      child.once('error', (error) => reject(new Error(`cannot start redis-server (apt-get install redis-server): ${error.message}`)));
      child.stdout?.on('data', (data: Buffer) => {
        if (data.toString().includes('Ready to accept connections')) resolve();
      });
    });
    return new BenchRedis(`redis://127.0.0.1:${port}`, child);
  }

  stop(): void {
    this.child?.kill('SIGKILL');
  }
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

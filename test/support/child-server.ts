import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { BroadcasterModuleOptions, BroadcasterStats } from '../../src/index.js';

const root = join(__dirname, '..', '..');

/** Builds the package unless `npm test` already did: the child servers run the built code. */
export function ensureBuilt(): void {
  if (!existsSync(join(root, 'dist/cjs/index.js'))) {
    execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'inherit' });
  }
}

/** Options for the echo server: module options, and a Redis to join a cluster through. */
export type ChildServerOptions = BroadcasterModuleOptions & { redis?: { url: string; channel: string } };

/**
 * The echo broadcaster of `test/fixtures/echo-node.cjs` in a process of its own, for
 * tests whose attack could crash a server, or that kill an instance of a cluster: the
 * test process survives to tell.
 */
export class ChildServer {
  /** Resolves when the process ends, however it ends. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private stderr = '';

  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
  ) {
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    child.stderr?.on('data', (data: Buffer) => (this.stderr += data.toString()));
  }

  static async start(options: ChildServerOptions, nodeOptions: string[] = []): Promise<ChildServer> {
    ensureBuilt();
    const child = fork(join(root, 'test/fixtures/echo-node.cjs'), [JSON.stringify(options)], {
      stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
      execArgv: nodeOptions,
    });
    const port = await new Promise<number>((resolve, reject) => {
      child.once('message', (message: { port: number }) => resolve(message.port));
      child.once('exit', (code) => reject(new Error(`the echo server exited with ${code} before listening`)));
    });
    return new ChildServer(child, port);
  }

  /** Whether the process is still running. */
  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** What the process wrote to stderr: a crash's stack trace, for the failure message. */
  get errors(): string {
    return this.stderr;
  }

  async stats(): Promise<BroadcasterStats> {
    const reply = new Promise<BroadcasterStats>((resolve) =>
      this.child.once('message', (message: { stats: BroadcasterStats }) => resolve(message.stats)),
    );
    this.child.send('stats');
    return reply;
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGKILL');
    await this.exited;
  }
}

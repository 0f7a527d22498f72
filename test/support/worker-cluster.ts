import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { ensureBuilt } from './child-server.js';

/**
 * The primary of `test/fixtures/worker-cluster.cjs` and its `count` workers sharing one
 * port (`sessions`: with a cluster secret, so that sessions resume on any worker).
 */
export function startWorkers(count: number, sessions = false): Promise<{ primary: ChildProcess; url: string }> {
  return startFixture('worker-cluster.cjs', sessions ? [String(count), 'sessions'] : [String(count)]);
}

/** The primary of `test/fixtures/<fixture>` (started with `args`), once its workers listen on one port. */
export async function startFixture(fixture: string, args: string[]): Promise<{ primary: ChildProcess; url: string }> {
  ensureBuilt();
  const primary = fork(join(__dirname, '../fixtures', fixture), args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const port = await new Promise<number>((resolve, reject) => {
    primary.once('message', (message: { port: number }) => resolve(message.port));
    primary.once('exit', (code) => reject(new Error(`the primary exited with ${code}`)));
  });
  return { primary, url: `ws://127.0.0.1:${port}/` };
}

/** Stops a primary started by {@link startWorkers} (it stops its workers) and waits for it. */
export async function stopWorkers(primary: ChildProcess | null): Promise<void> {
  if (primary === null) return;
  const exited = new Promise((resolve) => primary.once('exit', resolve));
  primary.disconnect();
  await exited;
}

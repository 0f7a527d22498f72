import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { ensureBuilt } from './support/child-server.js';
import { until } from './support/until.js';

const MiB = 1024 * 1024;

interface Pids {
  primary: number;
  publisher: number;
  receiver: number;
}

/** The relay fixture: a primary, a publishing worker and a receiving one. */
async function startRelay() {
  ensureBuilt();
  const primary = fork(join(__dirname, 'fixtures/worker-relay.cjs'), [], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  const lines: Array<Record<string, unknown>> = [];
  createInterface({ input: primary.stdout! }).on('line', (line) => lines.push(JSON.parse(line) as Record<string, unknown>));
  const exits: Array<number | null> = [];
  primary.on('exit', (code) => exits.push(code));
  const pids = await new Promise<Pids>((resolve) => primary.once('message', (message: { pids: Pids }) => resolve(message.pids)));
  const stats = () =>
    new Promise<{ stats: { relayed: number; dropped: number; pendingBytes: number; departures: number }; rss: number }>((resolve) => {
      primary.once('message', resolve as never);
      primary.send({ stats: true });
    });
  const publish = (publish: { count: number; size: number; exit?: boolean; onSignal?: boolean }) => primary.send({ publish });
  return { primary, lines, exits, pids, stats, publish };
}

describe('the worker backplane relay under stress (cluster module, real processes)', () => {
  // A few seconds each on a quiet machine; three processes start per test.
  jest.setTimeout(90_000);
  let primary: ChildProcess | null = null;
  afterEach(async () => {
    if (primary === null || primary.exitCode !== null) return;
    const exited = new Promise((resolve) => primary?.once('exit', resolve));
    primary.kill('SIGCONT');
    primary.disconnect();
    await exited;
    primary = null;
  });

  it('survives a worker that exits while its last large messages are still being relayed, and tells the others it is gone', async () => {
    const relay = await startRelay();
    primary = relay.primary;
    relay.publish({ count: 6, size: MiB / 2, exit: true });
    await until(() => relay.lines.some((line) => line.gone !== undefined), 'the receiver to hear that the publisher is gone');
    const { stats } = await relay.stats();
    expect(relay.exits).toEqual([]);
    expect(stats.departures).toBe(1);
    expect(relay.lines).toContainEqual({ role: 'receiver', gone: expect.stringMatching(/^worker \d+$/) });
  });

  it('bounds what waits for a stopped worker, drops and counts the rest, and delivers again once it reads', async () => {
    const relay = await startRelay();
    primary = relay.primary;
    process.kill(relay.pids.receiver, 'SIGSTOP');
    try {
      // Published until the primary has had to drop some for the stopped receiver.
      await until(async () => {
        relay.publish({ count: 8, size: MiB });
        return (await relay.stats()).stats.dropped > 0;
      }, 'the relay to drop messages for the stopped worker', 60_000);
      const { stats, rss } = await relay.stats();
      expect(stats.pendingBytes).toBeLessThanOrEqual(8 * MiB);
      expect(rss).toBeLessThan(300 * MiB);
    } finally {
      process.kill(relay.pids.receiver, 'SIGCONT');
    }
    // What waited is read first; a message published while it drains may still be dropped.
    await until(() => {
      relay.publish({ count: 1, size: 10 });
      return relay.lines.some((line) => line.role === 'receiver' && typeof line.received === 'number');
    }, 'the receiver to read again');
  });

  it('bounds what a worker queues for a stopped primary: past maxPendingBytes its publishes fail at once', async () => {
    const relay = await startRelay();
    primary = relay.primary;
    // The command reaches the worker through the primary; the worker publishes on a signal
    // from the test, once the primary is stopped: its messages pile up in its own channel.
    relay.publish({ count: 64, size: MiB, onSignal: true });
    await until(() => relay.lines.some((line) => line.armed === true), 'the publisher to be armed');
    process.kill(relay.pids.primary, 'SIGSTOP');
    try {
      process.kill(relay.pids.publisher, 'SIGUSR2');
      await until(() => relay.lines.some((line) => line.refused !== undefined), 'the publisher to publish', 30_000);
    } finally {
      process.kill(relay.pids.primary, 'SIGCONT');
    }
    const { refused } = relay.lines.find((line) => line.refused !== undefined) as { refused: number };
    // 64 MiB offered, at most 4 MiB let wait.
    expect(refused).toBeGreaterThanOrEqual(59);
  });
});

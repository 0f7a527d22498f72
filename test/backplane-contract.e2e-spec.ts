import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { InMemoryBackplane, InMemoryHub } from '../src/core/cluster/in-memory-backplane.js';
import type { Backplane } from '../src/core/cluster/backplane.js';
import { RedisBackplane } from '../src/redis/index.js';
import { backplaneContract, type ContractMember } from './support/backplane-contract.js';
import { ensureBuilt } from './support/child-server.js';
import { findRedis, PrivateRedis } from './support/redis-server.js';
import { until } from './support/until.js';

/** A member around a backplane of this process. */
async function member(backplane: Backplane): Promise<ContractMember> {
  const received: string[] = [];
  const links = { ups: 0, downs: 0 };
  await backplane.connect({
    message: (message) => received.push(message),
    up: () => (links.ups += 1),
    down: () => (links.downs += 1),
  });
  return { publish: (message) => backplane.publish(message), received, links, close: () => backplane.close() };
}

backplaneContract('InMemoryBackplane', async () => {
  const hub = new InMemoryHub();
  const made: InMemoryBackplane[] = [];
  return {
    members: (count) =>
      Promise.all(
        Array.from({ length: count }, () => {
          const backplane = new InMemoryBackplane(hub);
          made.push(backplane);
          return member(backplane);
        }),
      ),
    outage: {
      down: async () => made.forEach((backplane) => backplane.setLinked(false)),
      up: async () => made.forEach((backplane) => backplane.setLinked(true)),
    },
    stop: async () => {
      await Promise.all(made.map((backplane) => backplane.close()));
    },
  };
});

const redis = findRedis();
if (redis.kind === 'private') {
  backplaneContract('RedisBackplane (a private redis-server, stopped and restarted for the outage)', async () => {
    const server = await PrivateRedis.start(redis.binary);
    const made: RedisBackplane[] = [];
    return {
      members: (count) =>
        Promise.all(
          Array.from({ length: count }, () => {
            const backplane = new RedisBackplane({ url: server.url, channel: 'contract' });
            made.push(backplane);
            return member(backplane);
          }),
        ),
      outage: { down: () => server.stop(), up: () => server.restart() },
      stop: async () => {
        await Promise.all(made.map((backplane) => backplane.close()));
        await server.stop();
      },
    };
  });
}

/**
 * The worker backplane, on the built package: a primary (a child of the test) relays for
 * its workers, one per member; the test drives each worker through the primary, and the
 * workers print what they receive. The link is the primary's IPC: there is no broker to
 * lose and recover, so the outage test is skipped.
 */
backplaneContract('WorkerBackplane (a primary relaying for worker processes)', async () => {
  ensureBuilt();
  let primary: ChildProcess | null = null;
  return {
    members: async (count) => {
      const child = fork(join(__dirname, 'fixtures/backplane-members.cjs'), [String(count)], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
      primary = child;
      const members: Array<ContractMember & { closed: boolean }> = Array.from({ length: count }, (_, index) => ({
        received: [],
        links: { ups: 0, downs: 0 },
        closed: false,
        publish: (message: string) => {
          child.send({ member: index, publish: message });
          return true;
        },
        close: async () => {
          child.send({ member: index, close: true });
          await until(() => members[index].closed, `worker ${index} to close its backplane`);
        },
      }));
      createInterface({ input: child.stdout! }).on('line', (line) => {
        const report = JSON.parse(line) as { member: number; received?: string; up?: true; closed?: true };
        const target = members[report.member];
        if (report.received !== undefined) target.received.push(report.received);
        if (report.up) target.links.ups += 1;
        if (report.closed) target.closed = true;
      });
      await until(() => members.every((m) => m.links.ups === 1), 'every worker to connect its backplane', 20_000);
      return members;
    },
    stop: async () => {
      const child = primary as ChildProcess | null;
      if (child === null || child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.disconnect();
      await exited;
    },
  };
}, { outages: false });

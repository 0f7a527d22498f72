import type { ChildProcess } from 'node:child_process';
import { until } from './support/until.js';
import { startWorkers, stopWorkers } from './support/worker-cluster.js';
import { bodyText, TestClient } from './support/ws-client.js';
import { setTimeout as sleep } from 'node:timers/promises';

describe('one broadcaster over the worker processes of one machine (cluster module, IPC backplane)', () => {
  // A few seconds each on a quiet machine; the primary and its workers start per test.
  jest.setTimeout(60_000);
  let primary: ChildProcess | null = null;
  afterEach(async () => {
    await stopWorkers(primary);
    primary = null;
  });

  it('spreads clients over the workers and acts as one broadcaster: casts, joins and client lists', async () => {
    const started = await startWorkers(3);
    primary = started.primary;
    const { url } = started;
    const clients = [];
    for (let i = 0; i < 6; i++) clients.push(await TestClient.join(url));

    // Every worker learns of every client through the primary. A join relayed from another
    // worker may reach a client at any time until then, so each waits for its own reply.
    let counts: string[] = [];
    for (let attempt = 0; attempt < 100; attempt++) {
      for (const { client } of clients) await client.drain(0);
      counts = [];
      for (const { client } of clients) {
        client.request(4);
        counts.push(bodyText(await client.nextReply(4)) ?? '');
      }
      if (counts.every((count) => count === '6')) break;
      await sleep(50);
    }
    expect(counts).toEqual(Array(6).fill('6'));

    // Every join has been announced everywhere by now: from here on the frames come in a
    // known order.
    const pids = new Set<string>();
    for (const { client } of clients) {
      client.request(3);
      pids.add(bodyText(await client.nextJson()) ?? '');
    }
    expect(pids.size).toBeGreaterThanOrEqual(2);

    clients[0].client.request(1, 'to everyone on every worker');
    for (const { client } of clients) {
      expect(bodyText(await client.nextJson())).toBe('to everyone on every worker');
    }

    await clients[5].client.close();
    for (const { client } of clients.slice(0, 5)) {
      expect(await client.nextJson()).toEqual({ EventType: 2, ClientID: clients[5].id });
    }
    for (const { client } of clients.slice(0, 5)) await client.close();
  });

  it('announces the clients of a worker that dies as left at once, not after nodeTimeout (30 s here)', async () => {
    const started = await startWorkers(2);
    primary = started.primary;
    const clients: Array<{ client: TestClient; id: string; pid: string }> = [];
    while (new Set(clients.map(({ pid }) => pid)).size < 2 || clients.length < 4) {
      const { client, id } = await TestClient.join(started.url);
      client.request(3);
      clients.push({ client, id, pid: bodyText(await client.nextReply(3)) ?? '' });
    }
    const doomedPid = clients[0].pid;
    const doomed = clients.filter(({ pid }) => pid === doomedPid);
    const survivors = clients.filter(({ pid }) => pid !== doomedPid);
    // Every survivor knows every client before the worker dies.
    await until(async () => {
      for (const { client } of survivors) await client.drain(0);
      for (const { client } of survivors) {
        client.request(4);
        if (bodyText(await client.nextReply(4)) !== String(clients.length)) return false;
      }
      return true;
    }, 'every worker to know every client');

    const killedAt = Date.now();
    process.kill(Number(doomedPid), 'SIGKILL');
    for (const { client } of survivors) {
      const left = new Set<unknown>();
      while (left.size < doomed.length) {
        const frame = await client.nextJson(10_000);
        if (frame.EventType === 2) left.add(frame.ClientID);
      }
      expect([...left].sort()).toEqual(doomed.map(({ id }) => id).sort());
    }
    expect(Date.now() - killedAt).toBeLessThan(10_000);
    for (const { client } of survivors) await client.close();
  });
});

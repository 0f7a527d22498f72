import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { ensureBuilt } from './support/child-server.js';
import { bodyText, TestClient } from './support/ws-client.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('one broadcaster over the worker processes of one machine (cluster module, IPC backplane)', () => {
  let primary: ChildProcess | null = null;
  afterEach(async () => {
    if (primary === null) return;
    const exited = new Promise((resolve) => primary?.once('exit', resolve));
    primary.disconnect();
    await exited;
    primary = null;
  });

  it('spreads clients over the workers and acts as one broadcaster: casts, joins and client lists', async () => {
    ensureBuilt();
    primary = fork(join(__dirname, 'fixtures/worker-cluster.cjs'), ['3'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const port = await new Promise<number>((resolve, reject) => {
      primary?.once('message', (message: { port: number }) => resolve(message.port));
      primary?.once('exit', (code) => reject(new Error(`the primary exited with ${code}`)));
    });
    const url = `ws://127.0.0.1:${port}/`;
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
});

import { Module } from '@nestjs/common';
import { Redis } from 'ioredis';
import { All, Broadcaster, BroadcasterModule, newResponseMessage } from '../src/index.js';
import { RedisBackplane } from '../src/redis/index.js';
import { AppModule } from '../sample/app.module.js';
import { DIRECT, ECHO, RELAY, WHO } from '../sample/chat.handlers.js';
import { CapturingLogger, startApp, type RunningApp } from './support/app.js';
import { ChildServer } from './support/child-server.js';
import { findRedis, redisForSuite } from './support/redis-server.js';
import { until } from './support/until.js';
import { bodyText, TestClient } from './support/ws-client.js';
import { setTimeout as sleep } from 'node:timers/promises';

const redis = findRedis();
const describeWithRedis = redis.kind === 'none' ? describe.skip : describe;
const HEARTBEAT = 200;
const NODE_TIMEOUT = 1500;

/**
 * Waits until both nodes list `count` clients, then discards what `clients` were told so
 * far: a node that hears of another node's clients only after one of its own clients
 * joined announces them to it then, and those joins are not what the tests are about.
 */
async function settled(
  a: { broadcaster: Broadcaster },
  b: { broadcaster: Broadcaster },
  count: number,
  clients: { client: TestClient }[],
): Promise<void> {
  await until(
    () => a.broadcaster.clientIds().length === count && b.broadcaster.clientIds().length === count,
    `both nodes to list ${count} clients`,
  );
  await Promise.all(clients.map(({ client }) => client.drain(100)));
}

describeWithRedis('a cluster over a real Redis', () => {
  const suiteRedis = redisForSuite(redis);
  const apps: RunningApp[] = [];

  afterEach(async () => {
    await Promise.all(apps.splice(0).map(({ app }) => app.close()));
  });

  /** One instance of the sample app, joined to the cluster. */
  async function node(logger?: CapturingLogger, maxPendingBytes?: number): Promise<RunningApp & { broadcaster: Broadcaster }> {
    const cluster = {
      backplane: new RedisBackplane({ url: suiteRedis.url(), channel: `test-${expect.getState().currentTestName}`, maxPendingBytes }),
      clusterHeartbeatInterval: HEARTBEAT,
      nodeTimeout: NODE_TIMEOUT,
    };
    const running = await startApp(AppModule.withEndpoint('/', cluster), { logger: logger ?? false });
    apps.push(running);
    return { ...running, broadcaster: running.app.get(Broadcaster) };
  }

  it('acts as one broadcaster: joins, All, Others, Exclusive and Self across two instances', async () => {
    const a = await node();
    const b = await node();
    const alice = await TestClient.join(a.url);
    const bob = await TestClient.join(b.url);
    expect(await alice.client.nextJson()).toEqual({ EventType: 1, ClientID: bob.id });
    await settled(a, b, 2, [bob]);
    const carol = await TestClient.join(b.url);
    expect(await alice.client.nextJson()).toEqual({ EventType: 1, ClientID: carol.id });
    expect(await bob.client.nextJson()).toEqual({ EventType: 1, ClientID: carol.id });
    await until(() => a.broadcaster.clientIds().length === 3, 'node A to list all three clients');
    expect(a.broadcaster.clientIds()).toEqual([alice.id, bob.id, carol.id]);
    expect(b.broadcaster.clientIds().sort()).toEqual([alice.id, bob.id, carol.id].sort());

    alice.client.request(ECHO, 'to everyone');
    for (const { client } of [alice, bob, carol]) {
      expect(await client.nextJson()).toMatchObject({ SenderID: alice.id, HandlerID: ECHO, CastType: All });
    }
    alice.client.request(RELAY, 'typing');
    expect(bodyText(await bob.client.nextJson())).toBe('typing');
    expect(bodyText(await carol.client.nextJson())).toBe('typing');
    alice.client.request(DIRECT, JSON.stringify({ to: [carol.id], text: 'psst' }));
    expect(await carol.client.nextJson()).toMatchObject({ SenderID: alice.id, CastFor: [carol.id] });
    bob.client.request(WHO);
    const who = JSON.parse(bodyText(await bob.client.nextJson()) as string) as { clients: string[] };
    expect(who.clients.sort()).toEqual([alice.id, bob.id, carol.id].sort());
    // Others, Exclusive and Self reached nobody else.
    expect(await alice.client.drain()).toEqual([]);
    expect(await bob.client.drain()).toEqual([]);

    await carol.client.close();
    expect(await alice.client.nextJson()).toEqual({ EventType: 2, ClientID: carol.id });
    await Promise.all([alice, bob].map(({ client }) => client.close()));
  });

  it('delivers a server cast from any instance to every client, and keeps each sender’s order', async () => {
    const a = await node();
    const b = await node();
    const sender = await TestClient.join(a.url);
    const far = await TestClient.join(b.url);
    await settled(a, b, 2, [sender, far]);
    await a.broadcaster.cast({ ...newResponseMessage(All, 'from the server'), handlerId: 9 });
    expect(await far.client.nextJson()).toMatchObject({ SenderID: '', HandlerID: 9 });
    await sender.client.nextJson();

    for (let i = 0; i < 300; i++) sender.client.request(ECHO, String(i));
    const bodies: string[] = [];
    for (let i = 0; i < 300; i++) bodies.push(bodyText(await far.client.nextJson()) as string);
    expect(bodies).toEqual(Array.from({ length: 300 }, (_, i) => String(i)));
    await Promise.all([sender, far].map(({ client }) => client.close()));
  });

  it('accepts an ioredis client of the application’s own through forRootAsync, and leaves it open', async () => {
    const own = new Redis(suiteRedis.url());
    @Module({})
    class AsyncApp {}
    const running = await startApp({
      module: AsyncApp,
      imports: [
        BroadcasterModule.forRootAsync({
          useFactory: () => ({ backplane: new RedisBackplane({ client: own, channel: 'async-test' }) }),
        }),
      ],
    });
    const other = await startApp({
      module: AsyncApp,
      imports: [BroadcasterModule.forRoot({ backplane: new RedisBackplane({ url: suiteRedis.url(), channel: 'async-test' }) })],
    });
    try {
      const here = await TestClient.join(running.url);
      const there = await TestClient.join(other.url);
      expect(await here.client.nextJson()).toEqual({ EventType: 1, ClientID: there.id });
      await Promise.all([here, there].map(({ client }) => client.close()));
    } finally {
      await running.app.close();
      await other.app.close();
    }
    expect(await own.ping()).toBe('PONG');
    own.disconnect();
  });

  describe('failures', () => {
    let child: ChildServer | null = null;
    afterEach(async () => {
      await child?.stop();
      child = null;
    });

    it('announces the clients of a killed instance as left, within the node timeout', async () => {
      const a = await node();
      const channel = `test-${expect.getState().currentTestName}`;
      // The instance to kill runs in a process of its own, on the built package.
      const doomedServer = await ChildServer.start({ clusterHeartbeatInterval: HEARTBEAT, nodeTimeout: NODE_TIMEOUT, redis: { url: suiteRedis.url(), channel } });
      child = doomedServer;
      const { port } = doomedServer;
      const watcher = await TestClient.join(a.url);
      const doomed = await TestClient.join(`ws://127.0.0.1:${port}/`);
      expect(await watcher.client.nextJson()).toEqual({ EventType: 1, ClientID: doomed.id });
      doomed.client.request(1, 'still here');
      expect(bodyText(await watcher.client.nextJson())).toBe('still here');

      const killedAt = Date.now();
      await doomedServer.stop();
      const left = await watcher.client.nextJson(NODE_TIMEOUT + 5000);
      const detectedAfter = Date.now() - killedAt;
      expect(left).toEqual({ EventType: 2, ClientID: doomed.id });
      // The bound: the timeout, plus up to one heartbeat before the check sees it, plus slack.
      expect(detectedAfter).toBeLessThan(NODE_TIMEOUT + HEARTBEAT + 1000);
      expect(a.broadcaster.clientIds()).toEqual([watcher.id]);
      expect(a.broadcaster.stats().cluster?.nodesTimedOut).toBe(1);
      await watcher.client.close();
    });

    const withPrivateRedis = redis.kind === 'private' ? it : it.skip;
    withPrivateRedis('keeps serving local clients while Redis is down, and links up again by itself', async () => {
      const logger = new CapturingLogger();
      // Nest's logger is process-wide, and the last app created sets it.
      const b = await node();
      const a = await node(logger);
      const local = await TestClient.join(a.url);
      const neighbour = await TestClient.join(a.url);
      const far = await TestClient.join(b.url);
      await settled(a, b, 3, [local, neighbour, far]);

      await suiteRedis.server()?.stop();
      await until(() => a.broadcaster.stats().cluster?.linkUp === false, 'node A to notice the outage');
      local.client.request(ECHO, 'during the outage');
      expect(bodyText(await neighbour.client.nextJson())).toBe('during the outage');
      expect(bodyText(await local.client.nextJson())).toBe('during the outage');
      expect(await far.client.drain(300)).toEqual([]);
      const during = a.broadcaster.stats().cluster;
      expect(during).toMatchObject({ linkUp: false, outages: 1 });
      expect(during?.publishFailures).toBeGreaterThan(0);
      expect(logger.text('warn')).toMatch(/cluster backplane down/);

      await suiteRedis.server()?.restart();
      await until(
        () => a.broadcaster.stats().cluster?.linkUp === true && b.broadcaster.stats().cluster?.linkUp === true,
        'both nodes to link up again',
      );
      // The outage was shorter than the node timeout: nobody was announced as left.
      expect(await far.client.drain(HEARTBEAT * 2)).toEqual([]);
      local.client.request(ECHO, 'after the outage');
      expect(bodyText(await far.client.nextJson())).toBe('after the outage');
      expect(logger.text('log')).toMatch(/cluster backplane up after an outage/);
      await Promise.all([local, neighbour, far].map(({ client }) => client.close()));
    });

    it('bounds what waits for a stalled Redis, and times nobody out while its own messages are stuck', async () => {
      const a = await node(undefined, 256 * 1024);
      const b = await node();
      const local = await TestClient.join(a.url);
      const far = await TestClient.join(b.url);
      await settled(a, b, 2, [local, far]);

      const admin = new Redis(suiteRedis.url());
      try {
        // Redis keeps every connection open but answers nothing, for longer than the node timeout.
        await admin.call('CLIENT', 'PAUSE', String(NODE_TIMEOUT + 1500), 'ALL');
        const heapBefore = process.memoryUsage().heapUsed;
        const body = Buffer.alloc(1024, 1);
        for (let i = 0; i < 2000; i++) {
          await a.broadcaster.cast({ ...newResponseMessage(All, body), handlerId: 9 });
          if (i % 100 === 99) await sleep(40);
        }
        // About 2.7 MB were cast; at most 256 KiB of them may wait for Redis.
        const during = a.broadcaster.stats().cluster;
        expect(during?.publishFailures).toBeGreaterThan(1000);
        expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(16 * 1024 * 1024);
        await sleep(NODE_TIMEOUT + 1500);
        await until(() => (a.broadcaster.stats().cluster?.stalls ?? 0) + (b.broadcaster.stats().cluster?.stalls ?? 0) >= 2, 'both nodes to notice the stall');
      } finally {
        admin.disconnect();
      }
      await until(() => a.broadcaster.clientIds().length === 2 && b.broadcaster.clientIds().length === 2, 'membership after the stall');
      expect(a.broadcaster.stats().cluster?.nodesTimedOut).toBe(0);
      expect(b.broadcaster.stats().cluster?.nodesTimedOut).toBe(0);
      await far.client.drain(HEARTBEAT * 2);
      local.client.request(ECHO, 'after the stall');
      expect(bodyText(await far.client.nextJson())).toBe('after the stall');
      await Promise.all([local, far].map(({ client }) => client.close()));
    });
  });
});

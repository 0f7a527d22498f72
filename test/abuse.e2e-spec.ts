import { Global, Injectable, Module, type INestApplication, type OnModuleInit } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { WsAdapter } from '@nestjs/platform-ws';
import type { IncomingMessage } from 'node:http';
import {
  All,
  Broadcaster,
  BroadcasterModule,
  MessageHandler,
  OnAddClient,
  OnEvent,
  Self,
  newResponseMessage,
  type BroadcasterModuleOptions,
  type EventMessage,
  type RequestMessage,
  InMemoryBackplane,
  InMemoryHub,
} from '../src/index.js';
import { appModule, startApp, type RunningApp } from './support/app.js';
import { freePort } from './support/free-port.js';
import { RawClient } from './support/raw-client.js';
import { until } from './support/until.js';
import { bodyText, TestClient } from './support/ws-client.js';
import { setTimeout as sleep } from 'node:timers/promises';

@Injectable()
class Echo {
  readonly joined: string[] = [];

  @MessageHandler(1)
  echo(msg: RequestMessage) {
    return newResponseMessage(All, msg.body);
  }

  @MessageHandler(2)
  self(msg: RequestMessage) {
    return newResponseMessage(Self, msg.body);
  }

  @OnEvent(OnAddClient)
  welcome(event: EventMessage) {
    this.joined.push(event.clientId);
    return newResponseMessage(Self, 'welcome');
  }
}

describe('under attack', () => {
  let running: RunningApp | undefined;
  const start = async (options: BroadcasterModuleOptions, adapter?: (app: INestApplication) => WsAdapter) => {
    running = await startApp(appModule([Echo], options), { adapter });
    return { ...running, broadcaster: running.app.get(Broadcaster) };
  };
  afterEach(async () => {
    await running?.app.close();
    running = undefined;
  });

  describe('ping floods', () => {
    it('cuts a client that sends pings and never reads once its unread answers pass the limit', async () => {
      const { port, broadcaster } = await start({ maxBufferedBytes: 256 * 1024 });
      const { client } = await RawClient.open(port);
      client.socket.pause();
      const payload = Buffer.alloc(125, 7);
      // Unbounded, every ping's answer waits in the server's memory and the client is
      // never cut: 500,000 pings are 60 MiB of answers.
      let sent = 0;
      while (sent < 500_000 && broadcaster.stats().slowClientDisconnects === 0) {
        sent += 1;
        if (!client.sendFrame(9, payload)) await new Promise((resolve) => client.socket.once('drain', resolve));
      }
      await until(() => broadcaster.stats().slowClientDisconnects === 1, 'the ping flooder to be cut', 15_000);
      expect(broadcaster.stats().clients).toBe(0);
      expect(sent).toBeLessThan(500_000);
      client.destroy();
    });

    it('counts pings against the rate limit: within it they are answered, a flood is cut with 1008', async () => {
      const { url, broadcaster } = await start({ rateLimit: { messagesPerSecond: 5, burst: 5, floodThreshold: 20 } });
      const { client } = await TestClient.join(url);
      const pongs: Buffer[] = [];
      client.socket.on('pong', (data: Buffer) => pongs.push(data));
      for (let i = 0; i < 3; i++) client.socket.ping(String(i));
      await until(() => pongs.length === 3, 'three pongs');
      for (let i = 0; i < 100; i++) client.socket.ping();
      expect((await client.closed).code).toBe(1008);
      expect(broadcaster.stats().floodDisconnects).toBe(1);
    });
  });

  it('parses no frame before the rate limiter admitted it, not even for Nest’s own routing', async () => {
    let parsedByNest = 0;
    const adapter = (app: INestApplication) =>
      new WsAdapter(app, {
        messageParser: (data: unknown) => {
          parsedByNest += 1;
          return JSON.parse(String(data));
        },
      });
    const { url, broadcaster } = await start({ rateLimit: { messagesPerSecond: 1, burst: 1, floodThreshold: 1000 } }, adapter);
    const { client, id } = await TestClient.join(url);
    await client.nextJson();
    const nested = '['.repeat(100_000) + ']'.repeat(100_000);
    const parse = jest.spyOn(JSON, 'parse');
    try {
      for (let i = 0; i < 20; i++) client.send(nested);
      const answers = await Promise.all(Array.from({ length: 20 }, () => client.nextJson()));
      const largeParses = parse.mock.calls.filter(([text]) => typeof text === 'string' && text.length >= nested.length);
      expect(largeParses).toHaveLength(1);
      expect(answers.map((frame) => frame.Code)).toEqual(['invalid_message', ...Array(19).fill('rate_limited')]);
      expect(answers[0]).toEqual({ EventType: 3, ClientID: id, HandlerID: 0, Code: 'invalid_message', Error: 'frame must be a JSON object' });
    } finally {
      parse.mockRestore();
    }
    expect(parsedByNest).toBe(0);
    expect(broadcaster.stats().errors).toEqual({ invalid_message: 1, rate_limited: 19 });
  });

  describe('authenticate that never settles', () => {
    const hanging = () => new Promise<never>(() => undefined);

    it('is refused with 503 after authenticateTimeout', async () => {
      const { port, broadcaster } = await start({ authenticate: hanging, authenticateTimeout: 200 });
      const startedAt = Date.now();
      const { status } = await RawClient.open(port);
      expect(status).toBe(503);
      expect(Date.now() - startedAt).toBeGreaterThanOrEqual(190);
      expect(broadcaster.stats().refusedUpgrades).toEqual({ 503: 1 });
    });

    it('holds a place against maxClients while it is being decided', async () => {
      const authenticate = (request: IncomingMessage) => (request.headers['x-hang'] ? hanging() : { ok: true });
      const { port, url } = await start({ authenticate, maxClients: 2, authenticateTimeout: 60_000 });
      const pending = [RawClient.open(port, '/', { 'X-Hang': '1' }), RawClient.open(port, '/', { 'X-Hang': '1' })];
      await sleep(50);
      expect((await RawClient.open(port)).status).toBe(503);
      await expect(TestClient.connect(url)).rejects.toThrow(/503/);
      // Shutting down refuses what is still undecided, at once.
      const closing = running!.app.close();
      expect((await Promise.all(pending)).map((opened) => opened.status)).toEqual([503, 503]);
      await closing;
      running = undefined;
    });

    it('does not hold app.close() past its own timeouts', async () => {
      const { port } = await start({ authenticate: hanging, authenticateTimeout: 60_000, shutdownTimeout: 500 });
      const upgrades = Array.from({ length: 50 }, () => RawClient.open(port));
      await sleep(100);
      const startedAt = Date.now();
      await running!.app.close();
      running = undefined;
      expect(Date.now() - startedAt).toBeLessThan(2000);
      expect(new Set((await Promise.all(upgrades)).map((opened) => opened.status))).toEqual(new Set([503]));
    });
  });

  it('counts this instance’s clients and the admissions in flight against maxClients', async () => {
    const authenticate = async () => {
      await sleep(20);
      return { ok: true };
    };
    const { port, broadcaster } = await start({ authenticate, maxClients: 50 });
    const opened = await Promise.all(Array.from({ length: 400 }, () => RawClient.open(port)));
    const admitted = opened.filter(({ status }) => status === 101);
    expect(admitted).toHaveLength(50);
    expect(broadcaster.stats()).toMatchObject({ clients: 50, refusedUpgrades: { 503: 350 } });
    for (const { client } of opened) client.destroy();
  });

  it('counts only this instance’s clients against maxClients, not the whole cluster’s', async () => {
    const hub = new InMemoryHub();
    const other = await startApp(appModule([Echo], { backplane: new InMemoryBackplane(hub) }));
    try {
      const far = await Promise.all([TestClient.join(other.url), TestClient.join(other.url)]);
      const { url, broadcaster } = await start({ backplane: new InMemoryBackplane(hub), maxClients: 2 });
      await until(() => broadcaster.clientIds().length === 2, 'the other instance’s clients to be listed');
      const local = await Promise.all([TestClient.join(url), TestClient.join(url)]);
      await expect(TestClient.connect(url)).rejects.toThrow(/503/);
      expect(broadcaster.stats().clients).toBe(2);
      await Promise.all([...far, ...local].map(({ client }) => client.close()));
    } finally {
      await other.app.close();
    }
  });

  it('keeps a client that answers no ping but keeps talking, and cuts one that goes quiet', async () => {
    const { port, broadcaster } = await start({ heartbeatInterval: 1000 });
    const talker = await RawClient.open(port);
    const quiet = await RawClient.open(port);
    const quietId = quiet.client.json()[0].ClientID;
    const talkerId = talker.client.json()[0].ClientID;
    // The raw clients answer no ping; one of them sends a request every 300 ms.
    for (let i = 0; i < 10; i++) {
      talker.client.sendFrame(1, JSON.stringify({ HandlerID: 2, Body: null }));
      await sleep(300);
    }
    expect(broadcaster.clientIds()).toEqual([talkerId]);
    expect(broadcaster.stats().heartbeatTimeouts).toBe(1);
    expect(quietId).not.toBe(talkerId);
    talker.client.destroy();
  });

  it('delivers every frame of a burst to a client that reads, however small maxBufferedBytes is', async () => {
    const { url, broadcaster } = await start({ maxBufferedBytes: 1024, slowClientPolicy: 'drop' });
    const { client } = await TestClient.join(url);
    await client.nextJson();
    // One turn's 100 casts of 500 bytes are queued together, 50 KB against a 1 KB limit.
    for (let i = 0; i < 100; i++) await broadcaster.cast({ ...newResponseMessage(All, `${i}:${'x'.repeat(500)}`), handlerId: 9 });
    const received = await Promise.all(Array.from({ length: 100 }, () => client.nextJson()));
    expect(received.map((frame) => bodyText(frame)?.split(':')[0])).toEqual(Array.from({ length: 100 }, (_, i) => String(i)));
    expect(broadcaster.stats().drops).toBe(0);
  });
});

describe('start-up and registration', () => {
  it('lets no client in before every onModuleInit hook has run, then runs its OnAddClient handler', async () => {
    @Injectable()
    class SlowStart implements OnModuleInit {
      async onModuleInit() {
        await sleep(600);
      }
    }
    // Global modules' hooks run first, in the order imported: this one before the
    // broadcaster's, whose explorer installs the handlers.
    @Global()
    @Module({ providers: [SlowStart] })
    class SlowModule {}
    const wsPort = await freePort();
    @Module({ imports: [SlowModule, BroadcasterModule.forRoot({ port: wsPort })], providers: [Echo] })
    class App {}

    const app = await NestFactory.create(App, { logger: false });
    app.useWebSocketAdapter(new WsAdapter(app));
    const listening = app.listen(0, '127.0.0.1');
    try {
      // The dedicated port listens before the hooks run; connect as early as it accepts.
      let early: TestClient | undefined;
      for (let attempt = 0; early === undefined && attempt < 200; attempt++) {
        early = await TestClient.connect(`ws://127.0.0.1:${wsPort}/`).catch(() => sleep(5).then(() => undefined));
      }
      expect(early).toBeDefined();
      await listening;
      const joined = await early!.nextJson();
      expect(joined.EventType).toBe(1);
      expect(app.get(Echo).joined).toEqual([joined.ClientID]);
      expect(bodyText(await early!.nextJson())).toBe('welcome');
      early!.request(2, 'served');
      expect(bodyText(await early!.nextJson())).toBe('served');
      await early!.close();
    } finally {
      await listening.catch(() => undefined);
      await app.close();
    }
  });

  it('refuses to start when BroadcasterModule is registered twice', async () => {
    @Module({ imports: [BroadcasterModule.forRoot({ path: '/second' })] })
    class FeatureModule {}
    @Module({ imports: [BroadcasterModule.forRoot({}), FeatureModule], providers: [Echo] })
    class App {}
    const app = await NestFactory.create(App, { logger: false, abortOnError: false });
    app.useWebSocketAdapter(new WsAdapter(app));
    await expect(app.init()).rejects.toThrow(/BroadcasterModule is registered 2 times in this application/);
    await app.close();
  });
});

describe('a dedicated port', () => {
  let running: RunningApp | undefined;
  afterEach(() => running?.app.close());

  it('listens on the given host only', async () => {
    const port = await freePort();
    running = await startApp(appModule([Echo], { port, host: '127.0.0.1' }));
    await (await TestClient.join(`ws://127.0.0.1:${port}/`)).client.close();
    await expect(TestClient.connect(`ws://[::1]:${port}/`)).rejects.toThrow(/ECONNREFUSED/);
  });

  it('answers an upgrade on another path with 404, and counts it', async () => {
    const port = await freePort();
    running = await startApp(appModule([Echo], { port, path: '/chat' }));
    expect((await RawClient.open(port, '/elsewhere')).status).toBe(404);
    const admitted = await RawClient.open(port, '/chat?token=1');
    expect(admitted.status).toBe(101);
    admitted.client.destroy();
    expect(running.app.get(Broadcaster).stats().refusedUpgrades).toEqual({ 404: 1 });
  });
});

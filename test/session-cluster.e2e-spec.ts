import { Injectable } from '@nestjs/common';
import { All, Broadcaster, MessageHandler, OnDelClient, OnEvent, Room, newResponseMessage, type EventMessage, type RequestMessage, Self } from '../src/index.js';
import { RedisBackplane } from '../src/redis/index.js';
import { appModule, startApp, type RunningApp } from './support/app.js';
import { findRedis, redisForSuite } from './support/redis-server.js';
import { SessionSocket } from './support/session-socket.js';
import { until } from './support/until.js';
import { TestClient } from './support/ws-client.js';

const redis = findRedis();
const withRedis = redis.kind === 'none' ? describe.skip : describe;
const SECRET = 'sessions across instances, shared';

@Injectable()
class Instance {
  readonly left: string[] = [];

  @OnEvent(OnDelClient)
  gone(ev: EventMessage): void {
    this.left.push(ev.clientId);
  }

  /** Tells the sender which instance answered. */
  @MessageHandler(3)
  where(_msg: RequestMessage) {
    return newResponseMessage(Self, String(process.env.INSTANCE_NAME ?? ''));
  }
}

withRedis('a session resumed on another instance, over a private redis-server', () => {
  jest.setTimeout(60_000);
  const suite = redisForSuite(redis);
  let one: RunningApp;
  let two: RunningApp;
  const options = (channel: string) => ({
    backplane: new RedisBackplane({ url: suite.url(), channel }),
    clusterSecret: SECRET,
    sessionGrace: 10_000,
    clusterHeartbeatInterval: 200,
    nodeTimeout: 2000,
  });
  beforeAll(async () => {
    one = await startApp(appModule([Instance], options('sessions')));
    two = await startApp(appModule([Instance], options('sessions')));
  });
  afterAll(async () => {
    await one?.app.close();
    await two?.app.close();
  });

  it('resumes on the other instance with the same ID, its rooms and every frame it missed; nobody sees a leave', async () => {
    const watcher = await TestClient.join(two.url);
    const ana = await SessionSocket.open(one.url);
    const broadcasterOne = one.app.get(Broadcaster);
    const broadcasterTwo = two.app.get(Broadcaster);
    await until(() => broadcasterTwo.clientIds().includes(ana.id), 'instance two to know ana');
    expect(broadcasterOne.join(ana.id, 'lobby')).toBe(true);
    await until(() => broadcasterTwo.clientIds('lobby').includes(ana.id), 'instance two to know ana is in the lobby');

    ana.cut();
    await until(() => broadcasterTwo.presence().clients.some((entry) => entry.clientId === ana.id && entry.away), 'ana away on instance two');
    // Casts from the other instance while ana is away: to everyone, and to her room.
    await broadcasterTwo.cast(newResponseMessage(All, 'missed: everyone'));
    await broadcasterTwo.cast(newResponseMessage(Room, 'missed: lobby', 'lobby'));

    const back = await SessionSocket.open(two.url, { token: ana.token, received: ana.received });
    expect(back.session).toEqual({ EventType: 5, ClientID: ana.id, Session: expect.any(String), Resumed: true });
    await back.until(() => back.bodies().length >= 2, 'the missed casts');
    expect(back.bodies()).toEqual(['missed: everyone', 'missed: lobby']);

    // Live: a room cast from either instance, and its own requests (run where it is now).
    await broadcasterOne.cast(newResponseMessage(Room, 'live: lobby', 'lobby'));
    back.socket.send(JSON.stringify({ HandlerID: 3, Body: null, RequestID: 1 }));
    // The cast crosses Redis and the answer does not, so either may arrive first.
    await back.until(() => back.frames.some((frame) => frame.EventType === 4) && back.bodies().length >= 4, 'the room cast and the ack of its request');
    expect(back.bodies().slice(2).sort()).toEqual(['', 'live: lobby']);
    expect(broadcasterTwo.roomsOf(ana.id)).toEqual(['lobby']);
    // The session moved to the instance the client reconnected to.
    expect(broadcasterOne.stats().sessions).toMatchObject({ handedOver: 1, relaying: 0 });
    expect(broadcasterTwo.stats().sessions).toMatchObject({ takenOver: 1, resumed: 1, relaying: 0 });

    const watcherSaw = (await watcher.client.drain(200)).map((text) => JSON.parse(text) as Record<string, unknown>);
    expect(watcherSaw.filter((frame) => frame.EventType === 2)).toEqual([]);
    expect([...one.app.get(Instance).left, ...two.app.get(Instance).left]).toEqual([]);

    // Closing normally ends the session: now everyone hears the leave.
    await back.close();
    await until(() => !broadcasterTwo.clientIds().includes(ana.id), 'the leave');
    await watcher.client.close();
  });

  it('hands the session clients of an instance that shuts down to another: they resume with nothing missed, and nobody sees them leave or join', async () => {
    const three = await startApp(appModule([Instance], options('sessions')));
    const broadcasterOne = one.app.get(Broadcaster);
    const watcher = await TestClient.join(one.url);
    const ana = await SessionSocket.open(three.url);
    expect(three.app.get(Broadcaster).join(ana.id, 'lobby')).toBe(true);
    await until(() => broadcasterOne.clientIds('lobby').includes(ana.id), 'instance one to know ana is in the lobby');
    await watcher.client.drain(100);

    // Numbered casts from instance one, before, during and after the shutdown of instance three.
    let sent = 0;
    const casting = (async () => {
      while (sent < 300) {
        sent += 1;
        await broadcasterOne.cast(newResponseMessage(sent % 2 === 0 ? All : Room, `n${sent}`, ...(sent % 2 === 0 ? [] : ['lobby'])));
        if (sent % 10 === 0) await new Promise((resolve) => setTimeout(resolve, 2));
      }
    })();
    await until(() => sent >= 50, 'casts before the shutdown');
    await three.app.close();
    expect((await ana.closed).code).toBe(1012);
    await casting;

    const back = await SessionSocket.open(two.url, { token: ana.token, received: ana.received });
    expect(back.session).toMatchObject({ ClientID: ana.id, Resumed: true });
    await back.until(() => [...ana.bodies(), ...back.bodies()].length >= 300, 'every cast');
    const numbers = [...ana.bodies(), ...back.bodies()].map((body) => Number(body.slice(1)));
    expect(numbers).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
    expect(two.app.get(Broadcaster).roomsOf(ana.id)).toEqual(['lobby']);

    const watcherSaw = (await watcher.client.drain(200)).map((text) => JSON.parse(text) as Record<string, unknown>);
    expect(watcherSaw.filter((frame) => frame.ClientID === ana.id && frame.EventType !== undefined)).toEqual([]);
    expect([...one.app.get(Instance).left, ...two.app.get(Instance).left]).not.toContain(ana.id);
    await back.close();
    await watcher.client.close();
  });
});

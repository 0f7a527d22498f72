import { Redis } from 'ioredis';
import { Broadcaster } from '../src/index.js';
import { RedisBackplane } from '../src/redis/index.js';
import { appModule, startApp, type RunningApp } from './support/app.js';
import { openSocket, publishMany } from './support/history-reader.js';
import { findRedis, redisForSuite } from './support/redis-server.js';
import { JOIN, RoomChat, SAY } from './support/history-chat.js';
import { until } from './support/until.js';
import { TestClient } from './support/ws-client.js';

const CHANNEL = 'history-redis';
const SECRET = 'history over redis, shared';

type Frame = Record<string, unknown>;
const b64 = (text: string) => Buffer.from(text).toString('base64');

/** A client in `rooms` keeping every frame it gets. */
async function member(url: string, ...rooms: string[]): Promise<{ client: TestClient; id: string; frames: Frame[] }> {
  const { client, id } = await TestClient.join(url);
  const frames: Frame[] = [];
  client.socket.on('message', (data: Buffer) => frames.push(JSON.parse(data.toString()) as Frame));
  for (const [i, room] of rooms.entries()) {
    client.send({ HandlerID: JOIN, Body: b64(room), RequestID: `join${i}` });
    await until(() => frames.some((frame) => frame.RequestID === `join${i}`), `the join of ${room}`);
  }
  return { client, id, frames };
}

const publicationsOf = (frames: Frame[], room: string) => frames.filter((frame) => frame.Offset !== undefined && (frame.CastFor as string[])[0] === room);

const redis = findRedis();
const withRedis = redis.kind === 'none' ? describe.skip : describe;

withRedis('room history in Redis Streams, two instances over a private redis-server', () => {
  jest.setTimeout(60_000);
  const suite = redisForSuite(redis);
  const running: RunningApp[] = [];
  beforeAll(async () => {
    for (let i = 0; i < 2; i++) {
      const backplane = new RedisBackplane({ url: suite.url(), channel: CHANNEL });
      running.push(await startApp(appModule([RoomChat], { backplane, clusterSecret: SECRET, history: () => ({ size: 1000, ttl: 60_000 }) })));
    }
  });
  afterAll(async () => {
    for (const app of running) await app.app.close();
  });

  it('numbers concurrent publications of both instances once, cluster-wide: every member on both sees the same offsets in the same order', async () => {
    const inspect = new Redis(suite.url());
    const onOne = await member(running[0].url, 'order');
    const onTwo = await member(running[1].url, 'order');
    await until(() => running.every((app) => app.app.get(Broadcaster).clientIds('order').length === 2), 'both members known to both');
    const senders = await Promise.all([openSocket(running[0].url), openSocket(running[1].url)]);
    const say = (sender: (typeof senders)[number], name: string) =>
      publishMany(sender, SAY, name, 300).then(() => undefined);
    // The room is in every body: `order|a1`… (publishMany numbers after its name).
    await Promise.all([say(senders[0], 'order|a'), say(senders[1], 'order|b')]);
    await until(() => publicationsOf(onOne.frames, 'order').length === 600 && publicationsOf(onTwo.frames, 'order').length === 600, 'all 600 on both');
    const seen = (frames: Frame[]) => publicationsOf(frames, 'order').map((frame) => `${frame.Offset}:${frame.Body}`);
    expect(publicationsOf(onOne.frames, 'order').map((frame) => frame.Offset)).toEqual(Array.from({ length: 600 }, (_, i) => i + 1));
    expect(seen(onTwo.frames)).toEqual(seen(onOne.frames));
    // Both senders' publications are among them, interleaved.
    const bodies = publicationsOf(onOne.frames, 'order').map((frame) => Buffer.from(frame.Body as string, 'base64').toString());
    expect(bodies.filter((body) => body.startsWith('a'))).toHaveLength(300);
    expect(bodies.filter((body) => body.startsWith('b'))).toHaveLength(300);
    // Where it lives: two keys with one hash tag per room, both expiring.
    expect(await inspect.hgetall(`{${CHANNEL}:order}:meta`)).toEqual({ epoch: publicationsOf(onOne.frames, 'order')[0].Epoch, offset: '600' });
    expect(await inspect.xlen(`{${CHANNEL}:order}:stream`)).toBe(600);
    expect(await inspect.pttl(`{${CHANNEL}:order}:stream`)).toBeGreaterThan(50_000);
    await inspect.quit();
    for (const socket of senders) socket.close();
    await onOne.client.close();
    await onTwo.client.close();
  });

  it('acks a publishing request only after the sender got its own publication; reads the same history from either instance', async () => {
    const ana = await member(running[0].url, 'acks');
    for (let i = 1; i <= 5; i++) ana.client.send({ HandlerID: SAY, Body: b64(`acks|m${i}`), RequestID: i });
    await until(() => ana.frames.some((frame) => frame.RequestID === 5), 'the last ack');
    const order = ana.frames.filter((frame) => frame.Offset !== undefined || typeof frame.RequestID === 'number').map((frame) => (frame.Offset === undefined ? `ack${frame.RequestID}` : `pub${frame.Offset}`));
    expect(order).toEqual(['pub1', 'ack1', 'pub2', 'ack2', 'pub3', 'ack3', 'pub4', 'ack4', 'pub5', 'ack5']);
    const [fromOne, fromTwo] = await Promise.all(running.map((app) => app.app.get(Broadcaster).history('acks', { last: 2 })));
    expect(fromTwo).toEqual(fromOne);
    expect(fromOne.publications.map((publication) => publication.body?.toString())).toEqual(['m4', 'm5']);
    await ana.client.close();
  });

  it('refuses a publication replayed on the channel with a stamp of its own making', async () => {
    const ana = await member(running[1].url, 'replay');
    const spy = new Redis(suite.url());
    const captured: string[] = [];
    await spy.subscribe(CHANNEL);
    spy.on('message', (_channel: string, message: string) => {
      if (message.startsWith('~')) captured.push(message);
    });
    ana.client.send({ HandlerID: SAY, Body: b64('replay|genuine'), RequestID: 1 });
    await until(() => captured.length === 1 && ana.frames.some((frame) => frame.RequestID === 1), 'the publication, seen on the channel');
    const rejectedBefore = running[1].app.get(Broadcaster).stats().cluster!.rejected;
    const forged = captured[0].replace(/^~1~/, '~2~');
    const forger = new Redis(suite.url());
    await forger.publish(CHANNEL, forged);
    await forger.quit();
    await until(() => running[1].app.get(Broadcaster).stats().cluster!.rejected > rejectedBefore, 'the copy to be refused');
    expect(publicationsOf(ana.frames, 'replay').map((frame) => frame.Offset)).toEqual([1]);
    await spy.quit();
    await ana.client.close();
  });

  it('starts a new epoch after Redis restarts without persistence (Recovered:false, never a silent gap), and refuses publications while Redis is down', async () => {
    const ana = await member(running[0].url, 'restart');
    ana.client.send({ HandlerID: SAY, Body: b64('restart|before'), RequestID: 1 });
    await until(() => ana.frames.some((frame) => frame.RequestID === 1), 'the ack');
    const [before] = publicationsOf(ana.frames, 'restart');

    const server = suite.server()!;
    await server.stop();
    await until(() => !running[0].app.get(Broadcaster).stats().cluster!.linkUp, 'the link down');
    ana.client.send({ HandlerID: SAY, Body: b64('restart|while down'), RequestID: 2 });
    await until(() => ana.frames.some((frame) => frame.RequestID === 2), 'the answer while Redis is down');
    expect(ana.frames.find((frame) => frame.RequestID === 2)).toMatchObject({ EventType: 3, Code: 'handler_error' });
    expect(running[0].app.get(Broadcaster).stats().history!.publishFailures).toBeGreaterThan(0);

    await server.restart();
    await until(() => running.every((app) => app.app.get(Broadcaster).stats().cluster!.linkUp), 'the link back', 20_000);
    ana.client.send({ Recover: { restart: { Offset: 1, Epoch: before.Epoch } }, RequestID: 3 });
    await until(() => ana.frames.some((frame) => frame.RequestID === 3), 'the recovery answer');
    expect(ana.frames.find((frame) => frame.RequestID === 3)).toMatchObject({ EventType: 4, Recovered: { restart: false }, Positions: {} });
    ana.client.send({ HandlerID: SAY, Body: b64('restart|after'), RequestID: 4 });
    await until(() => publicationsOf(ana.frames, 'restart').length === 2, 'the publication after the restart');
    const after = publicationsOf(ana.frames, 'restart')[1];
    expect(after.Offset).toBe(1);
    expect(after.Epoch).not.toBe(before.Epoch);
    await ana.client.close();
  });
});

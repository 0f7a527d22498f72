import { Injectable } from '@nestjs/common';
import { Broadcaster, MessageHandler, Room, newResponseMessage, type HandlerContext, type RequestMessage } from '../src/index.js';
import { RedisBackplane } from '../src/redis/index.js';
import { appModule, startApp, type RunningApp } from './support/app.js';
import { findRedis, redisForSuite } from './support/redis-server.js';
import { until } from './support/until.js';
import { openSocket, publishMany, Reader } from './support/history-reader.js';

const ROOM = 'chat:all';
const JOIN = 1;
const SAY = 2;
const MESSAGES_PER_SENDER = 5_000;
const READERS = 100;

@Injectable()
class Chat {
  @MessageHandler(JOIN)
  join(_msg: RequestMessage, ctx: HandlerContext): void {
    ctx.join(ROOM);
  }

  @MessageHandler(SAY)
  say(msg: RequestMessage) {
    return newResponseMessage(Room, msg.body, ROOM);
  }
}

const HISTORY = { history: (room: string) => (room === ROOM ? { size: 10_000, ttl: 600_000 } : undefined) };

/**
 * 100 readers in a history room, two senders publishing 5,000 each at once (on different
 * instances where there are two), readers cut at random and reconnecting (to any
 * instance): each must end with offsets 1..10,000 exactly once and in order, or say it
 * was not recovered (counted; none expected).
 */
function noGapNoDuplicate(instances: () => RunningApp[]): void {
  it(`gives each of ${READERS} readers offsets 1..${2 * MESSAGES_PER_SENDER} once and in order, two senders publishing at once and readers cut at random`, async () => {
    const apps = instances();
    const urls = apps.map((app) => app.url);
    const broadcasters = apps.map((app) => app.app.get(Broadcaster));
    const readers = Array.from({ length: READERS }, () => new Reader(urls, ROOM, JOIN));
    await Promise.all(readers.map((reader) => reader.connect()));
    await until(() => broadcasters.every((broadcaster) => broadcaster.clientIds(ROOM).length === READERS), 'every reader in the room, on every instance');
    const senders = await Promise.all([openSocket(urls[0]), openSocket(urls[urls.length - 1])]);

    let publishing = true;
    const cutting = (async () => {
      while (publishing) {
        await readers[Math.floor(Math.random() * READERS)].drop();
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    await Promise.all([publishMany(senders[0], SAY, 'a', MESSAGES_PER_SENDER), publishMany(senders[1], SAY, 'b', MESSAGES_PER_SENDER)]);
    const total = 2 * MESSAGES_PER_SENDER;
    await until(() => readers.every((reader) => reader.last === total), 'every reader to reach the last offset', 60_000);
    publishing = false;
    await cutting;

    for (const reader of readers) {
      expect(reader.gaps).toBe(0);
      expect(reader.offsets).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    }
    expect(readers.reduce((sum, reader) => sum + reader.notRecovered, 0)).toBe(0);
    // Enough cuts to have mattered.
    expect(readers.reduce((sum, reader) => sum + reader.reconnections, 0)).toBeGreaterThan(10);
    const stats = broadcasters.map((broadcaster) => broadcaster.stats().history!);
    expect(stats.reduce((sum, history) => sum + history.publications, 0)).toBe(total);
    expect(stats.every((history) => history.notRecovered === 0 && history.publishFailures === 0)).toBe(true);
    for (const reader of readers) reader.close();
    for (const sender of senders) sender.close();
  });
}

describe('no gap, no duplicate: recovery after connections cut at random, one instance (history in memory)', () => {
  jest.setTimeout(90_000);
  let running: RunningApp;
  beforeAll(async () => {
    running = await startApp(appModule([Chat], { announceClients: false, ...HISTORY }));
  });
  afterAll(() => running.app.close());
  noGapNoDuplicate(() => [running]);
});

const redis = findRedis();
const withRedis = redis.kind === 'none' ? describe.skip : describe;

withRedis('no gap, no duplicate: two instances over a private redis-server (history in Redis Streams)', () => {
  jest.setTimeout(120_000);
  const suite = redisForSuite(redis);
  const running: RunningApp[] = [];
  beforeAll(async () => {
    for (let i = 0; i < 2; i++) {
      const backplane = new RedisBackplane({ url: suite.url(), channel: 'history-no-gap' });
      running.push(await startApp(appModule([Chat], { announceClients: false, backplane, clusterSecret: 'history across instances', ...HISTORY })));
    }
  });
  afterAll(async () => {
    for (const app of running) await app.app.close();
  });
  noGapNoDuplicate(() => running);
});

import { Broadcaster } from '../src/index.js';
import { RedisBackplane } from '../src/redis/index.js';
import { appModule, startApp, type RunningApp } from './support/app.js';
import { findRedis, redisForSuite } from './support/redis-server.js';
import type { ChildProcess } from 'node:child_process';
import { JOIN, RoomChat, SAY } from './support/history-chat.js';
import { until } from './support/until.js';
import { startWorkers, stopWorkers } from './support/worker-cluster.js';
import { openSocket, publishMany, Reader } from './support/history-reader.js';

const ROOM = 'chat:all';
const MESSAGES_PER_SENDER = 5_000;
const READERS = 100;

const HISTORY = { history: (room: string) => (room === ROOM ? { size: 10_000, ttl: 600_000 } : undefined) };

/** What the no-gap test needs of a setup: where clients connect, and how many are in the room. */
interface Setup {
  urls: string[];
  membersInRoom(): Promise<number>;
  /** The handlers that join the room and publish to it. */
  join: number;
  say: number;
}

/**
 * 100 readers in a history room, two senders publishing 5,000 each at once (on different
 * instances where there are two), readers cut at random and reconnecting (to any
 * instance): each must end with offsets 1..10,000 exactly once and in order, or say it
 * was not recovered (counted; none expected).
 */
function noGapNoDuplicate(setup: () => Setup): void {
  it(`gives each of ${READERS} readers offsets 1..${2 * MESSAGES_PER_SENDER} once and in order, two senders publishing at once and readers cut at random`, async () => {
    const { urls, membersInRoom, join, say } = setup();
    const readers = Array.from({ length: READERS }, () => new Reader(urls, ROOM, join));
    await Promise.all(readers.map((reader) => reader.connect()));
    await until(async () => (await membersInRoom()) === READERS, 'every reader in the room, on every instance');
    const senders = await Promise.all([openSocket(urls[0]), openSocket(urls[urls.length - 1])]);

    let publishing = true;
    const cutting = (async () => {
      while (publishing) {
        await readers[Math.floor(Math.random() * READERS)].drop();
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    await Promise.all([publishMany(senders[0], say, `${ROOM}|a`, MESSAGES_PER_SENDER), publishMany(senders[1], say, `${ROOM}|b`, MESSAGES_PER_SENDER)]);
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
    for (const reader of readers) reader.close();
    for (const sender of senders) sender.close();
  });
}

/** A setup of Nest apps in this process. */
function appsSetup(apps: RunningApp[]): Setup {
  const broadcasters = apps.map((app) => app.app.get(Broadcaster));
  return {
    urls: apps.map((app) => app.url),
    // Each instance must know every member: the smallest count is the one that matters.
    membersInRoom: async () => Math.min(...broadcasters.map((broadcaster) => broadcaster.clientIds(ROOM).length)),
    join: JOIN,
    say: SAY,
  };
}

describe('no gap, no duplicate: recovery after connections cut at random, one instance (history in memory)', () => {
  jest.setTimeout(90_000);
  let running: RunningApp;
  beforeAll(async () => {
    running = await startApp(appModule([RoomChat], { announceClients: false, ...HISTORY }));
  });
  afterAll(() => running.app.close());
  noGapNoDuplicate(() => appsSetup([running]));
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
      running.push(await startApp(appModule([RoomChat], { announceClients: false, backplane, clusterSecret: 'history across instances', ...HISTORY })));
    }
  });
  afterAll(async () => {
    for (const app of running) await app.app.close();
  });
  noGapNoDuplicate(() => appsSetup(running));
});

describe('no gap, no duplicate: two worker processes (history kept by the primary)', () => {
  jest.setTimeout(120_000);
  let primary: ChildProcess | null = null;
  let url = '';
  beforeAll(async () => {
    ({ primary, url } = await startWorkers(2));
  });
  afterAll(() => stopWorkers(primary));
  noGapNoDuplicate(() => ({
    urls: [url],
    membersInRoom: async () => {
      const socket = await openSocket(url);
      const answer = new Promise<number>((resolve) =>
        socket.on('message', (data: Buffer) => {
          const frame = JSON.parse(data.toString()) as { HandlerID?: number; Body?: string };
          if (frame.HandlerID === 9) resolve(Number(Buffer.from(frame.Body!, 'base64').toString()));
        }),
      );
      socket.send(JSON.stringify({ HandlerID: 9, Body: null }));
      const members = await answer;
      socket.close();
      return members;
    },
    join: 7,
    say: 8,
  }));
});

import {
  Broadcaster,
  Room,
  newResponseMessage,
  type HistoryOptions,
  type HistoryPage,
  type HistoryStats,
  type ResponseMessage,
  type RoomHistoryConfig,
} from '../src/index.js';
import type { ChildProcess } from 'node:child_process';
import { RedisBackplane } from '../src/redis/index.js';
import { appModule, startApp, type RunningApp } from './support/app.js';
import { findRedis, redisForSuite } from './support/redis-server.js';
import { JOIN, RoomChat, SAY, SAY_OTHERS, SAY_TWO_ROOMS } from './support/history-chat.js';
import { until } from './support/until.js';
import { startFixture, stopWorkers } from './support/worker-cluster.js';
import { TestClient } from './support/ws-client.js';

const b64 = (text: string) => Buffer.from(text).toString('base64');
type Frame = Record<string, unknown>;

/** A client that keeps every frame it gets, and asks and waits for acks by RequestID. */
class Member {
  readonly frames: Frame[] = [];
  private nextId = 1;
  private constructor(
    readonly client: TestClient,
    readonly id: string,
  ) {
    client.socket.on('message', (data: Buffer) => this.frames.push(JSON.parse(data.toString()) as Frame));
  }

  static async join(url: string, ...rooms: string[]): Promise<Member> {
    const { client, id } = await TestClient.join(url);
    const member = new Member(client, id);
    for (const room of rooms) await member.ask({ HandlerID: JOIN, Body: b64(room) });
    return member;
  }

  /** Sends `frame` with a new RequestID; resolves with its ack (or error) frame. */
  async ask(frame: Frame): Promise<Frame> {
    const requestId = this.nextId++;
    this.client.send({ ...frame, RequestID: requestId });
    let answer: Frame | undefined;
    await until(() => (answer = this.frames.find((f) => f.RequestID === requestId && (f.EventType === 4 || f.EventType === 3))) !== undefined, `the answer to request ${requestId}`);
    return answer!;
  }

  /** The publications received, of `room`. */
  publications(room: string): Frame[] {
    return this.frames.filter((frame) => Array.isArray(frame.CastFor) && (frame.CastFor as string[]).includes(room) && frame.Offset !== undefined);
  }

  framesBetween(after: number, answer: Frame): Frame[] {
    return this.frames.slice(after, this.frames.indexOf(answer));
  }
}

const HISTORY: RoomHistoryConfig = { size: 50, ttl: 60_000 };

const policy = (room: string) => (room.startsWith('chat:') ? HISTORY : room === 'short' ? { size: 50, ttl: 300 } : undefined);

/** Where the contract is checked: the URL its clients connect to, and the Broadcaster calls it makes there. */
interface ContractTarget {
  url: string;
  history(room: string, options?: HistoryOptions): Promise<HistoryPage>;
  cast(response: ResponseMessage): Promise<void>;
  historyStats(): Promise<HistoryStats | undefined>;
}

/** An instance of this process: its Broadcaster called directly. */
function inProcess(running: RunningApp): ContractTarget {
  const broadcaster = running.app.get(Broadcaster);
  return {
    url: running.url,
    history: (room, options) => broadcaster.history(room, options),
    cast: async (response) => broadcaster.cast(response),
    historyStats: async () => broadcaster.stats().history,
  };
}

/**
 * Worker processes (`test/fixtures/history-workers.cjs`): the Broadcaster of whichever
 * worker takes the calling client is called through handler 90, which answers with the
 * outcome as JSON (a thrown error by its name, thrown again here as that kind of error).
 */
async function overWorkers(url: string): Promise<ContractTarget & { close(): Promise<void> }> {
  const caller = await Member.join(url);
  const call = async (op: Record<string, unknown>): Promise<Record<string, unknown>> => {
    const before = caller.frames.length;
    const ack = await caller.ask({ HandlerID: 90, Body: b64(JSON.stringify(op)) });
    const reply = caller.framesBetween(before, ack).find((frame) => frame.HandlerID === 90);
    if (reply === undefined) throw new Error(`no answer to ${JSON.stringify(op)}: ${JSON.stringify(ack)}`);
    const outcome = JSON.parse(Buffer.from(reply.Body as string, 'base64').toString()) as Record<string, unknown>;
    if (outcome.error !== undefined) throw new (outcome.error === 'TypeError' ? TypeError : Error)(outcome.message as string);
    return outcome;
  };
  return {
    url,
    history: async (room, options) => {
      const { page } = (await call({ op: 'history', room, options })) as { page: HistoryPage & { publications: { body: string | null }[] } };
      return { ...page, publications: page.publications.map((p) => ({ ...p, body: p.body === null ? null : Buffer.from(p.body) })) } as HistoryPage;
    },
    cast: async ({ castType, body, castFor }) => void (await call({ op: 'cast', castType, body: body?.toString() ?? null, castFor })),
    historyStats: async () => (await call({ op: 'stats' })).stats as HistoryStats,
    close: () => caller.client.close(),
  };
}

/** The contract's answers, against the instance `instance()` gives (its clients, its Broadcaster calls). */
function historyContract(instance: () => ContractTarget): void {
  let running: ContractTarget;
  let broadcaster: Pick<ContractTarget, 'history' | 'cast'>;
  beforeAll(() => {
    running = instance();
    broadcaster = running;
  });

  it('numbers the publications of a history room: Offset and Epoch as the last keys; other casts unchanged', async () => {
    const ana = await Member.join(running.url, 'chat:a', 'plain');
    await ana.ask({ HandlerID: SAY, Body: b64('chat:a|one') });
    await ana.ask({ HandlerID: SAY_OTHERS, Body: b64('chat:a|two') });
    await ana.ask({ HandlerID: SAY, Body: b64('chat:a|three') });
    await ana.ask({ HandlerID: SAY, Body: b64('plain|not kept') });
    await ana.ask({ HandlerID: SAY_TWO_ROOMS, Body: b64('chat:a|plain|two rooms') });
    const published = ana.publications('chat:a');
    // RoomOthers does not reach its sender; it is still publication 2.
    expect(published.map((frame) => frame.Offset)).toEqual([1, 3]);
    const epoch = published[0].Epoch as string;
    expect(epoch).toMatch(/^.{1,64}$/);
    expect(JSON.stringify(published[0])).toBe(
      `{"SenderID":"${ana.id}","HandlerID":${SAY},"CastType":5,"CastFor":["chat:a"],"Body":"${b64('one')}","Offset":1,"Epoch":"${epoch}"}`,
    );
    const others = ana.frames.filter((frame) => frame.CastType === Room && frame.Offset === undefined);
    expect(others.map((frame) => frame.CastFor)).toEqual([['plain'], ['chat:a', 'plain']]);
    expect(Object.keys(others[0])).toEqual(['SenderID', 'HandlerID', 'CastType', 'CastFor', 'Body']);

    const page = await broadcaster.history('chat:a');
    expect(page.position).toEqual({ offset: 3, epoch });
    expect(page.publications.map(({ offset, senderId, body }) => [offset, senderId, body?.toString()])).toEqual([
      [1, ana.id, 'one'],
      [2, ana.id, 'two'],
      [3, ana.id, 'three'],
    ]);
    expect((await broadcaster.history('chat:a', { since: { offset: 2, epoch } })).publications.map((p) => p.offset)).toEqual([3]);
    expect(await broadcaster.history('plain')).toEqual({ publications: [], complete: false, position: null });
    await expect(broadcaster.history('')).rejects.toThrow(TypeError);
    await ana.client.close();
  });

  it('recovers every publication after a position, exactly as cast, then acks with Recovered and Positions', async () => {
    const ana = await Member.join(running.url, 'chat:b');
    for (let i = 1; i <= 10; i++) await ana.ask({ HandlerID: SAY, Body: b64(`chat:b|m${i}`) });
    const sent = ana.publications('chat:b');
    const epoch = sent[0].Epoch as string;

    // A client that missed 5..10 (a new connection, back in the room).
    const back = await Member.join(running.url, 'chat:b');
    const before = back.frames.length;
    const ack = await back.ask({ Recover: { 'chat:b': { Offset: 4, Epoch: epoch } } });
    expect(ack).toEqual({
      EventType: 4,
      ClientID: back.id,
      HandlerID: 0,
      RequestID: 2,
      Recovered: { 'chat:b': true },
      Positions: { 'chat:b': { Offset: 10, Epoch: epoch } },
    });
    expect(back.framesBetween(before, ack)).toEqual(sent.slice(4));

    // The latest n; and nothing to send when up to date.
    const lastAck = await back.ask({ recover: { 'chat:b': { last: 3 } } });
    expect(lastAck.Recovered).toEqual({ 'chat:b': true });
    expect(back.publications('chat:b').slice(-3).map((frame) => frame.Offset)).toEqual([8, 9, 10]);
    const count = back.frames.length;
    const upToDate = await back.ask({ Recover: { 'chat:b': { Offset: 10, Epoch: epoch } } });
    expect(upToDate.Recovered).toEqual({ 'chat:b': true });
    expect(back.frames.length).toBe(count + 1);
    await ana.client.close();
    await back.client.close();
  });

  it('says Recovered:false, and sends nothing for that room, for another epoch, a history that no longer reaches back, a room it is not in, a room without history', async () => {
    const ana = await Member.join(running.url, 'chat:c', 'plain2');
    for (let i = 1; i <= 60; i++) await ana.ask({ HandlerID: SAY, Body: b64(`chat:c|m${i}`) });
    await broadcaster.cast(newResponseMessage(Room, 'not a publication', 'chat:c', 'plain2'));
    const epoch = ana.publications('chat:c')[0].Epoch as string;
    const eve = await Member.join(running.url);
    const before = ana.frames.length;
    const ack = await ana.ask({
      Recover: {
        'chat:c': { Offset: 5, Epoch: epoch }, // only the newest 50 (11..60) are kept
        plain2: { Last: 5 },
        'chat:x': { Offset: 0, Epoch: 'never' },
      },
    });
    expect(ack.Recovered).toEqual({ 'chat:c': false, plain2: false, 'chat:x': false });
    expect(ack.Positions).toEqual({ 'chat:c': { Offset: 60, Epoch: epoch } });
    // Nothing but, over workers, eve's join announced late from another process.
    expect(ana.framesBetween(before, ack).filter((frame) => frame.EventType !== 1)).toEqual([]);

    const wrongEpoch = await ana.ask({ Recover: { 'chat:c': { Offset: 59, Epoch: 'other' } } });
    expect(wrongEpoch).toMatchObject({ Recovered: { 'chat:c': false }, Positions: { 'chat:c': { Offset: 60, Epoch: epoch } } });
    const aheadOfIt = await ana.ask({ Recover: { 'chat:c': { Offset: 61, Epoch: epoch } } });
    expect(aheadOfIt.Recovered).toEqual({ 'chat:c': false });
    // Not a member: nothing, not even where the room stands.
    const notMember = await eve.ask({ Recover: { 'chat:c': { Offset: 59, Epoch: epoch } } });
    expect(notMember).toMatchObject({ Recovered: { 'chat:c': false }, Positions: {} });
    expect(eve.publications('chat:c')).toEqual([]);
    expect(await running.historyStats()).toMatchObject({ notRecovered: expect.any(Number), recovered: expect.any(Number) });
    await ana.client.close();
    await eve.client.close();
  });

  it('starts a new epoch once a history outlives its time to live: the old position is not recovered', async () => {
    const ana = await Member.join(running.url, 'short');
    await ana.ask({ HandlerID: SAY, Body: b64('short|before') });
    const [first] = ana.publications('short');
    await new Promise((resolve) => setTimeout(resolve, 400));
    const ack = await ana.ask({ Recover: { short: { Offset: 1, Epoch: first.Epoch } } });
    expect(ack).toMatchObject({ Recovered: { short: false }, Positions: {} });
    await ana.ask({ HandlerID: SAY, Body: b64('short|after') });
    const [, again] = ana.publications('short');
    expect(again.Offset).toBe(1);
    expect(again.Epoch).not.toBe(first.Epoch);
    await ana.client.close();
  });

  it('answers Recover frames in the client’s order with its other requests, each whole before the next', async () => {
    const ana = await Member.join(running.url, 'chat:e');
    for (const n of [1, 2, 3]) await ana.ask({ HandlerID: SAY, Body: b64(`chat:e|m${n}`) });
    const before = ana.frames.length;
    // Sent at once: two recoveries, then a publication.
    ana.client.send({ Recover: { 'chat:e': { Last: 2 } }, RequestID: 'r1' });
    ana.client.send({ Recover: { 'chat:e': { Last: 1 } }, RequestID: 'r2' });
    ana.client.send({ HandlerID: SAY, Body: b64('chat:e|after'), RequestID: 'r3' });
    await until(() => ana.frames.some((frame) => frame.RequestID === 'r3'), 'the last answer');
    const order = ana.frames.slice(before).map((frame) => (frame.Offset === undefined ? frame.RequestID : `pub${frame.Offset}`));
    expect(order).toEqual(['pub2', 'pub3', 'r1', 'pub3', 'r2', 'pub4', 'r3']);
    await ana.client.close();
  });

  it('refuses a malformed Recover as invalid_message (with its RequestID), and the connection goes on', async () => {
    const ana = await Member.join(running.url, 'chat:d');
    const tooMany = Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`chat:${i}`, { Last: 1 }]));
    const refused = await ana.ask({ Recover: tooMany });
    expect(refused).toMatchObject({ EventType: 3, HandlerID: 0, Code: 'invalid_message', RequestID: 2 });
    expect(await ana.ask({ Recover: { 'chat:d': { Offset: 'one', Epoch: 'e' } } })).toMatchObject({ Code: 'invalid_message' });
    // Without a RequestID: an error frame without one.
    ana.client.send({ Recover: { 'chat:d': { Last: 1 } } });
    await until(() => ana.frames.some((frame) => frame.EventType === 3 && frame.RequestID === undefined), 'the error');
    expect(await ana.ask({ Recover: { 'chat:d': { Last: 1 } } })).toMatchObject({ EventType: 4, Recovered: { 'chat:d': false } });
    await ana.client.close();
  });
}

describe('room history and recovery (protocol 1.2), one instance (history in memory)', () => {
  let running: RunningApp;
  beforeAll(async () => {
    running = await startApp(appModule([RoomChat], { history: policy }));
  });
  afterAll(() => running.app.close());
  historyContract(() => inProcess(running));
});

const redis = findRedis();
const withRedis = redis.kind === 'none' ? describe.skip : describe;

withRedis('room history and recovery (protocol 1.2), two instances over a private redis-server (history in Redis Streams)', () => {
  jest.setTimeout(30_000);
  const suite = redisForSuite(redis);
  const running: RunningApp[] = [];
  const options = () => ({ backplane: new RedisBackplane({ url: suite.url(), channel: 'history-contract' }), clusterSecret: 'history contract, shared', history: policy });
  beforeAll(async () => {
    running.push(await startApp(appModule([RoomChat], options())));
    running.push(await startApp(appModule([RoomChat], options())));
  });
  afterAll(async () => {
    for (const app of running) await app.app.close();
  });
  historyContract(() => inProcess(running[0]));
});

describe('room history and recovery (protocol 1.2), two worker processes (history kept by the primary)', () => {
  jest.setTimeout(30_000);
  let primary: ChildProcess | null = null;
  let target: Awaited<ReturnType<typeof overWorkers>>;
  beforeAll(async () => {
    const started = await startFixture('history-workers.cjs', ['2']);
    primary = started.primary;
    target = await overWorkers(started.url);
  });
  afterAll(async () => {
    await target?.close();
    await stopWorkers(primary);
  });
  historyContract(() => target);
});

import { FakeConn } from './testing/fake-conn';
import { BroadcasterCore } from './broadcaster-core';
import type { BroadcasterCoreOptions } from './core-options';
import type { BroadcasterLogger, MessageHandlerFn } from './handlers';
import { All, OnAddClient, OnDelClient, Self, newResponseMessage, type ResponseMessage } from './message';

const b64 = (text: string) => Buffer.from(text).toString('base64');
const request = (handlerId: number, body = '') => JSON.stringify({ HandlerID: handlerId, Body: b64(body) });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const never = () => new Promise<never>(() => undefined);

/** A connection whose backlog a test sets: a client that reads, or one that stopped. */
class ScriptedConn extends FakeConn {
  readonly pending = { bytes: 0, messages: 0 };
  unsentBytes(): number {
    return this.pending.bytes;
  }
  unsentFrames(): number {
    return this.pending.messages;
  }
}

/** A connection that only counts what it is sent: thousands of them stay cheap. */
class CountingConn extends ScriptedConn {
  sent = 0;
  override send(): void {
    this.sent += 1;
  }
}

function setup(options: BroadcasterCoreOptions = {}) {
  const lines: string[] = [];
  const logger: BroadcasterLogger = {
    log: (message) => void lines.push(`log ${message}`),
    warn: (message) => void lines.push(`warn ${message}`),
    error: (message) => void lines.push(`error ${message}`),
  };
  const core = new BroadcasterCore({ logger, ...options });
  const join = <C extends ScriptedConn>(conn: C = new ScriptedConn() as C) => {
    const session = core.attach(conn);
    return { conn, session, id: session.id };
  };
  return { core, join, lines };
}

describe('BroadcasterCore under pressure', () => {
  describe('slow clients', () => {
    it('evicts 10,000 slow clients in one cast one after another, never one inside another', () => {
      const { core, join } = setup({
        messageHandlers: new Map([[1, (msg) => newResponseMessage(All, msg.body)]]),
        maxBufferedBytes: 1000,
      });
      const stalled = Array.from({ length: 10_000 }, () => join(new CountingConn()));
      const reader = join();
      for (const client of stalled) client.conn.pending.bytes = 5000;
      reader.conn.take();

      // Before, each eviction announced its leave from inside the delivery that caused
      // it, and 10,000 nested evictions overflowed the stack.
      expect(() => reader.session.receive(request(1, 'hi'))).not.toThrow();

      expect(core.stats()).toMatchObject({ clients: 1, slowClientDisconnects: 10_000 });
      expect(stalled.every((client) => client.conn.closedWith?.code === 1013)).toBe(true);
      // The first stalled client's leave finds all the others slow: every leave reaches
      // the reader, in order, before the cast that caused them.
      const frames = reader.conn.json();
      expect(frames.slice(0, -1).map((frame) => frame.ClientID)).toEqual(stalled.map((client) => client.id));
      expect(frames.at(-1)).toMatchObject({ HandlerID: 1, CastType: 1 });
    });

    it('runs the OnDelClient handler of every evicted client, after its leave is announced', () => {
      const left: string[] = [];
      const { join } = setup({
        messageHandlers: new Map([[1, () => newResponseMessage(All, 'x')]]),
        eventHandlers: new Map([[OnDelClient, (event) => void left.push(event.clientId)]]),
        maxBufferedBytes: 1000,
      });
      const reader = join();
      const stalled = [join(), join(), join()];
      for (const client of stalled) client.conn.pending.bytes = 5000;
      reader.session.receive(request(1));
      expect(left).toEqual(stalled.map((client) => client.id));
    });

    it('sends a frame larger than the byte limit to a client that has nothing unread', () => {
      const { join } = setup({ messageHandlers: new Map([[1, (msg) => newResponseMessage(Self, msg.body)]]), maxBufferedBytes: 100 });
      const client = join();
      client.conn.take();
      client.session.receive(request(1, 'y'.repeat(500)));
      expect(client.conn.json()).toHaveLength(1);
      expect(client.conn.closedWith).toBeNull();
    });
  });

  describe('handlerTimeout', () => {
    it('answers a handler that never settles with handler_timeout, then serves the next request', async () => {
      const { join, lines } = setup({
        handlerTimeout: 50,
        messageHandlers: new Map<number, MessageHandlerFn>([
          [1, never],
          [2, (msg) => newResponseMessage(Self, msg.body)],
        ]),
      });
      const client = join();
      client.conn.take();
      client.session.receive(request(1));
      client.session.receive(request(2, 'next'));
      await sleep(100);
      expect(client.conn.take()).toEqual([
        { EventType: 3, ClientID: client.id, HandlerID: 1, Code: 'handler_timeout', Error: 'the handler did not answer within 50 ms' },
        { SenderID: client.id, HandlerID: 2, CastType: 2, CastFor: null, Body: b64('next') },
      ]);
      expect(lines.join('\n')).toMatch(/did not settle within 50 ms/);
    });

    it('drops and logs what a handler produces after its timeout', async () => {
      const { join, lines } = setup({
        handlerTimeout: 30,
        messageHandlers: new Map<number, MessageHandlerFn>([[1, () => sleep(80).then(() => newResponseMessage(All, 'late'))]]),
      });
      const client = join();
      const other = join();
      client.conn.take();
      other.conn.take();
      client.session.receive(request(1));
      await sleep(150);
      expect(client.conn.take().map((frame) => frame.Code)).toEqual(['handler_timeout']);
      expect(other.conn.take()).toEqual([]);
      expect(lines.join('\n')).toMatch(/settled after its 30 ms timeout: its outcome was dropped/);
    });

    it('announces a leave and runs OnDelClient although a handler of the leaver never settles', async () => {
      const left: string[] = [];
      const { core, join } = setup({
        handlerTimeout: 50,
        messageHandlers: new Map<number, MessageHandlerFn>([[1, never]]),
        eventHandlers: new Map([[OnDelClient, (event) => void left.push(event.clientId)]]),
      });
      const leaver = join();
      const watcher = join();
      watcher.conn.take();
      leaver.session.receive(request(1));
      leaver.session.detach();
      await sleep(100);
      expect(watcher.conn.take()).toEqual([{ EventType: 2, ClientID: leaver.id }]);
      expect(left).toEqual([leaver.id]);
      expect(core.clientIds()).toEqual([watcher.id]);
    });

    it('times out an event handler too', async () => {
      const { join } = setup({ handlerTimeout: 30, eventHandlers: new Map([[OnAddClient, never]]) });
      const client = join();
      await sleep(80);
      expect(client.conn.json().at(-1)).toMatchObject({ HandlerID: 0, Code: 'handler_timeout' });
    });

    it('is off with 0', async () => {
      const { join } = setup({ handlerTimeout: 0, messageHandlers: new Map([[1, () => sleep(60).then(() => newResponseMessage(Self, 'ok'))]]) });
      const client = join();
      client.conn.take();
      client.session.receive(request(1));
      await sleep(100);
      expect(client.conn.take().map((frame) => frame.Body)).toEqual([b64('ok')]);
    });

    it.each([-1, 1.5, Number.NaN])('refuses a handlerTimeout of %p', (handlerTimeout) => {
      expect(() => new BroadcasterCore({ handlerTimeout })).toThrow(/handlerTimeout/);
    });
  });

  describe('refusals keep their place in the client’s order', () => {
    const slowEcho: MessageHandlerFn = (msg) => sleep(30).then(() => newResponseMessage(Self, msg.body));

    it('sends rate_limited after the replies to earlier requests', async () => {
      const { join } = setup({
        messageHandlers: new Map([[1, slowEcho]]),
        rateLimit: { messagesPerSecond: 1, burst: 1 },
      });
      const client = join();
      client.conn.take();
      client.session.receive(request(1, 'first'));
      client.session.receive(request(1, 'second'));
      await sleep(60);
      expect(client.conn.take().map((frame) => frame.Code ?? frame.Body)).toEqual([b64('first'), 'rate_limited']);
    });

    it('sends shutting_down after the replies to earlier requests', async () => {
      const { core, join } = setup({ messageHandlers: new Map([[1, slowEcho]]) });
      const client = join();
      client.conn.take();
      client.session.receive(request(1, 'first'));
      const shutdown = core.shutdown(1000);
      client.session.receive(request(1, 'second'));
      await shutdown;
      expect(client.conn.take().map((frame) => frame.Code ?? frame.Body)).toEqual([b64('first'), 'shutting_down']);
    });
  });

  describe('control frames', () => {
    it('count against the rate limit: answered within it, not over it, and a flood is cut with 1008', () => {
      const { core, join } = setup({ rateLimit: { messagesPerSecond: 1, burst: 2, floodThreshold: 3 } });
      const client = join();
      expect([1, 2, 3, 4, 5].map(() => client.session.control())).toEqual([true, true, false, false, false]);
      client.session.control();
      expect(client.conn.closedWith?.code).toBe(1008);
      expect(core.stats()).toMatchObject({ clients: 0, floodDisconnects: 1 });
    });

    it('are not answered for a client that does not read, which is cut with 1013', () => {
      const { core, join } = setup({ maxBufferedBytes: 1000 });
      const client = join();
      expect(client.session.control()).toBe(true);
      client.conn.pending.bytes = 2000;
      expect(client.session.control()).toBe(false);
      expect(client.conn.closedWith?.code).toBe(1013);
      expect(core.stats().slowClientDisconnects).toBe(1);
    });
  });

  describe('server casts', () => {
    it.each([Number.NaN, Number.POSITIVE_INFINITY, 1.5, '7', '1,"X":2'])('refuse a handlerId of %p, sending nothing', (handlerId) => {
      const { core, join } = setup();
      const client = join();
      client.conn.take();
      const response = { ...newResponseMessage(All, 'x'), handlerId } as unknown as ResponseMessage;
      expect(() => core.cast(response)).toThrow(/^a server cast needs an integer handlerId, got /);
      expect(client.conn.frames).toEqual([]);
    });
  });

  it('counts this node’s clients in O(1)', () => {
    const { core, join } = setup();
    const clients = [join(), join(), join()];
    clients[1].session.detach();
    expect(core.localClientCount).toBe(2);
  });
});

import { FakeConn } from './testing/fake-conn';
import { BroadcasterCore } from './broadcaster-core';
import type { BroadcasterCoreOptions } from './core-options';
import type { BroadcasterLogger, MessageHandlerFn } from './handlers';
import { All, Exclusive, Others, Room, RoomOthers, Self, newResponseMessage, type CastType } from './message';
import { setTimeout as sleep } from 'node:timers/promises';

const b64 = (text: string) => Buffer.from(text).toString('base64');
const request = (handlerId: number, body = '', requestId?: number) =>
  JSON.stringify({ HandlerID: handlerId, Body: b64(body), ...(requestId === undefined ? {} : { RequestID: requestId }) });

class BackloggedConn extends FakeConn {
  backlog = 0;
  closes = 0;
  unsentBytes(): number {
    return this.backlog;
  }
  unsentFrames(): number {
    return 0;
  }
  override close(code?: number, reason?: string): void {
    this.closes += 1;
    super.close(code, reason);
  }
}

function setup(options: BroadcasterCoreOptions = {}) {
  const lines: string[] = [];
  const logger: BroadcasterLogger = {
    log: (message) => void lines.push(`log ${message}`),
    warn: (message) => void lines.push(`warn ${message}`),
    error: (message, stack) => void lines.push(`error ${message} ${stack ?? ''}`),
  };
  const core = new BroadcasterCore({ logger, ...options });
  const join = () => {
    const conn = new BackloggedConn();
    const session = core.attach(conn);
    conn.take();
    return { conn, session, id: session.id };
  };
  return { core, join, lines };
}

describe('BroadcasterCore bounds what one client can make it hold', () => {
  describe('anything thrown ends as handler_error', () => {
    const throwers: Array<[string, MessageHandlerFn]> = [
      ['throws an object with no prototype', () => {
        throw Object.create(null);
      }],
      ['rejects with an object with no prototype', () => Promise.reject(Object.create(null) as Error)],
      ['throws an object whose toString throws', () => {
        throw { toString: () => { throw new Error('no text'); } };
      }],
      ['throws an Error whose stack getter throws', () => {
        const error = new Error('x');
        Object.defineProperty(error, 'stack', { get: () => { throw new Error('no stack'); } });
        throw error;
      }],
    ];

    it.each(throwers)('a handler that %s: the client is told, the server logs it and serves on', async (_, handler) => {
      const { join, lines } = setup({
        messageHandlers: new Map<number, MessageHandlerFn>([
          [1, handler],
          [2, () => newResponseMessage(Self, 'still here')],
        ]),
      });
      const client = join();
      expect(() => client.session.receive(request(1, '', 7))).not.toThrow();
      client.session.receive(request(2));
      await sleep(10);
      expect(client.conn.take()).toEqual([
        { EventType: 3, ClientID: client.id, HandlerID: 1, Code: 'handler_error', Error: 'internal error', RequestID: 7 },
        { SenderID: client.id, HandlerID: 2, CastType: 2, CastFor: null, Body: b64('still here') },
      ]);
      expect(lines.join('\n')).toMatch(/handler 1 failed for client/);
    });
  });

  describe('maxRequestsInFlight', () => {
    it('refuses requests past the cap with rate_limited, in order, and closes a client that keeps pipelining', async () => {
      const release: Array<() => void> = [];
      const { core, join, lines } = setup({
        maxRequestsInFlight: 3,
        messageHandlers: new Map<number, MessageHandlerFn>([
          [1, () => new Promise((resolve) => release.push(() => resolve(newResponseMessage(Self, 'done'))))],
        ]),
      });
      const client = join();
      for (let i = 0; i < 5; i++) client.session.receive(request(1));
      expect(release).toHaveLength(3);
      for (const done of release) done();
      await sleep(10);
      const frames = client.conn.take();
      expect(frames.map((frame) => frame.Code ?? 'reply')).toEqual(['reply', 'reply', 'reply', 'rate_limited', 'rate_limited']);
      expect(frames[3].Error).toBe('too many requests in flight (at most 3)');
      expect(client.conn.closedWith).toBeNull();

      // Twice the cap waiting: the client is flooding.
      release.length = 0;
      for (let i = 0; i < 7; i++) client.session.receive(request(1));
      expect(client.conn.closedWith).toEqual({ code: 1008, reason: 'too many requests in flight' });
      expect(core.stats()).toMatchObject({ clients: 0, floodDisconnects: 1 });
      expect(lines.join('\n')).toMatch(/kept 6 requests in flight: disconnecting it/);
    });

    it('holds at most the cap of a 1,500-request pipeline to a slow handler', () => {
      let running = 0;
      const { join } = setup({
        messageHandlers: new Map<number, MessageHandlerFn>([[1, () => ((running += 1), new Promise(() => undefined))]]),
      });
      const client = join();
      for (let i = 0; i < 1500; i++) client.session.receive(request(1, 'x'.repeat(1000)));
      expect(running).toBe(128);
      expect(client.conn.closedWith?.code).toBe(1008);
    });
  });

  describe('maxRoomsPerClient', () => {
    it('refuses a join past the cap: the handler fails clearly, Broadcaster.join returns false; rejoining a room it is in is fine', async () => {
      const { core, join, lines } = setup({
        maxRoomsPerClient: 2,
        messageHandlers: new Map<number, MessageHandlerFn>([[1, (msg, ctx) => void ctx.join(msg.body.toString())]]),
      });
      const client = join();
      for (const room of ['a', 'b', 'a', 'c']) client.session.receive(request(1, room, 1));
      await sleep(5);
      expect(client.conn.take().map((frame) => frame.Code ?? frame.EventType)).toEqual([4, 4, 4, 'handler_error']);
      expect(core.roomsOf(client.id)).toEqual(['a', 'b']);
      expect(core.join(client.id, 'd')).toBe(false);
      expect(core.join(client.id, 'b')).toBe(true);
      core.leave(client.id, 'a');
      expect(core.join(client.id, 'd')).toBe(true);
      expect(core.stats().roomLimitRefusals).toBe(2);
      // Refusals a client causes at will are logged once per window, not once each.
      expect(lines.filter((line) => line.includes('maxRoomsPerClient'))).toHaveLength(1);
    });

    it('tells the client why', async () => {
      const { join } = setup({
        maxRoomsPerClient: 1,
        messageHandlers: new Map<number, MessageHandlerFn>([
          [1, (msg, ctx) => void ctx.join(msg.body.toString())],
        ]),
      });
      const client = join();
      client.session.receive(request(1, 'a'));
      client.session.receive(request(1, 'b'));
      await sleep(5);
      expect(client.conn.take().at(-1)).toMatchObject({
        Code: 'handler_error',
        Error: 'cannot join room "b": already in 1 rooms, the most allowed',
      });
    });
  });

  describe('slow members cut during a cast', () => {
    it.each<[string, CastType]>([
      ['All', All],
      ['Others', Others],
      ['Exclusive', Exclusive],
      ['Room', Room],
      ['RoomOthers', RoomOthers],
    ])('are counted, logged and closed once each (%s)', (_, castType) => {
      const { core, join, lines } = setup({
        maxBufferedBytes: 1000,
        messageHandlers: new Map<number, MessageHandlerFn>([
          [1, (_msg, ctx) => void ctx.join('r')],
          [2, () => newResponseMessage(castType, 'x', ...(castType === Exclusive ? ids : castType >= Room ? ['r'] : []))],
        ]),
      });
      const sender = join();
      const slow = Array.from({ length: 50 }, () => join());
      const ids = slow.map((client) => client.id);
      for (const client of [sender, ...slow]) client.session.receive(request(1));
      for (const client of slow) client.conn.backlog = 5000;
      sender.session.receive(request(2));
      expect(core.stats().slowClientDisconnects).toBe(50);
      expect(slow.every((client) => client.conn.closes === 1)).toBe(true);
      expect(lines.filter((line) => line.includes('fell too far behind'))).toHaveLength(50);
    });
  });
});

import { FakeConn } from './testing/fake-conn.js';
import { BroadcasterCore } from './broadcaster-core.js';
import { BroadcasterException } from './errors.js';
import type { BroadcasterLogger, EventHandlerFn, MessageHandlerFn } from './handlers.js';
import {
  All,
  type EventType,
  Exclusive,
  OnAddClient,
  OnDelClient,
  Others,
  Self,
  newResponseMessage,
  type ResponseMessage,
} from './message.js';

const b64 = (text: string) => Buffer.from(text).toString('base64');
const request = (handlerId: number, body?: string) =>
  JSON.stringify({ HandlerID: handlerId, Body: body === undefined ? null : b64(body) });
const flush = () => new Promise((resolve) => setImmediate(resolve));

class MemoryLogger implements BroadcasterLogger {
  readonly lines: string[] = [];
  log = (message: string) => void this.lines.push(`log ${message}`);
  warn = (message: string) => void this.lines.push(`warn ${message}`);
  error = (message: string, stack?: string) => void this.lines.push(`error ${message} ${stack ?? ''}`);
}

function setup(
  messages: Array<[number, MessageHandlerFn]> = [],
  events: Array<[EventType, EventHandlerFn]> = [],
  announceClients = true,
) {
  const logger = new MemoryLogger();
  const core = new BroadcasterCore({
    messageHandlers: new Map(messages),
    eventHandlers: new Map(events),
    announceClients,
    logger,
  });
  const join = () => {
    const conn = new FakeConn();
    const session = core.attach(conn);
    return { conn, session, id: session.id };
  };
  return { core, logger, join };
}

describe('BroadcasterCore', () => {
  describe('joins and leaves', () => {
    it('sends a joining client its own OnAddClient first and announces it to the others', () => {
      const { join } = setup();
      const a = join();
      const b = join();
      expect(a.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(a.conn.frames).toEqual([
        `{"EventType":1,"ClientID":"${a.id}"}`,
        `{"EventType":1,"ClientID":"${b.id}"}`,
      ]);
      expect(b.conn.frames).toEqual([`{"EventType":1,"ClientID":"${b.id}"}`]);
    });

    it('announces a leave to the remaining clients and forgets the client', () => {
      const { core, join } = setup();
      const a = join();
      const b = join();
      a.conn.take();
      b.session.detach();
      b.session.detach();
      expect(a.conn.frames).toEqual([`{"EventType":2,"ClientID":"${b.id}"}`]);
      expect(core.clientIds()).toEqual([a.id]);
    });

    it('keeps IDs private when announceClients is false', () => {
      const { join } = setup([], [], false);
      const a = join();
      const b = join();
      b.session.detach();
      expect(a.conn.frames).toEqual([`{"EventType":1,"ClientID":"${a.id}"}`]);
      expect(b.conn.frames).toEqual([`{"EventType":1,"ClientID":"${b.id}"}`]);
    });

    it('delivers an OnAddClient handler reply after the join announcement, stamped with the joiner', () => {
      const { join } = setup([], [[OnAddClient, (ev) => newResponseMessage(Self, `welcome ${ev.clientId}`)]]);
      const a = join();
      const frames = a.conn.json();
      expect(frames[0]).toEqual({ EventType: 1, ClientID: a.id });
      expect(frames[1]).toEqual({ SenderID: a.id, HandlerID: 0, CastType: 2, CastFor: null, Body: b64(`welcome ${a.id}`) });
    });

    it('delivers an OnDelClient handler reply after the leave announcement', async () => {
      const { join } = setup([], [[OnDelClient, async (ev) => newResponseMessage(Others, `bye ${ev.clientId}`)]]);
      const a = join();
      const b = join();
      a.conn.take();
      b.session.detach();
      await flush();
      expect(a.conn.json()).toEqual([
        { EventType: 2, ClientID: b.id },
        { SenderID: b.id, HandlerID: 0, CastType: 4, CastFor: null, Body: b64(`bye ${b.id}`) },
      ]);
    });

    it('announces a leave only after the leaver’s pending replies went out', async () => {
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const { join } = setup([[1, async () => (await gate, newResponseMessage(All, 'late'))]]);
      const a = join();
      const b = join();
      a.conn.take();
      b.session.receive(request(1));
      b.session.detach();
      release();
      await flush();
      expect(a.conn.json().map((frame) => frame.EventType ?? frame.Body)).toEqual([b64('late'), 2]);
    });
  });

  describe('casting', () => {
    const handlers: Array<[number, MessageHandlerFn]> = [
      [1, (msg) => newResponseMessage(All, msg.body)],
      [2, (msg) => newResponseMessage(Self, msg.body)],
      [3, (msg) => newResponseMessage(Exclusive, msg.body, ...JSON.parse(msg.body.toString()))],
      [4, (msg) => newResponseMessage(Others, msg.body)],
    ];

    function three() {
      const env = setup(handlers);
      const clients = [env.join(), env.join(), env.join()];
      for (const client of clients) client.conn.take();
      return { ...env, clients };
    }

    it('All reaches everyone, stamped with sender and HandlerID', () => {
      const { clients } = three();
      clients[1].session.receive(request(1, 'hi'));
      for (const { conn } of clients) {
        expect(conn.frames).toEqual([
          `{"SenderID":"${clients[1].id}","HandlerID":1,"CastType":1,"CastFor":null,"Body":"${b64('hi')}"}`,
        ]);
      }
    });

    it('Self reaches the sender only', () => {
      const { clients } = three();
      clients[0].session.receive(request(2, 'me'));
      expect(clients.map(({ conn }) => conn.frames.length)).toEqual([1, 0, 0]);
    });

    it('Exclusive reaches the listed clients and lists them in CastFor', () => {
      const { clients } = three();
      const targets = [clients[2].id, 'not-a-client', clients[2].id];
      clients[0].session.receive(request(3, JSON.stringify(targets)));
      expect(clients.map(({ conn }) => conn.frames.length)).toEqual([0, 0, 1]);
      expect(clients[2].conn.json()[0].CastFor).toEqual(targets);
    });

    it('Others reaches everyone but the sender', () => {
      const { clients } = three();
      clients[1].session.receive(request(4, 'x'));
      expect(clients.map(({ conn }) => conn.frames.length)).toEqual([1, 0, 1]);
    });

    it('casts several responses of one call in the order returned', () => {
      const { join } = setup([[1, () => [1, 2, 3].map((n) => newResponseMessage(All, String(n)))]]);
      const a = join();
      a.conn.take();
      a.session.receive(request(1));
      expect(a.conn.json().map((frame) => frame.Body)).toEqual(['1', '2', '3'].map(b64));
    });

    it('delivers in request order although later handlers finish first', async () => {
      const delays = [30, 0, 10, 0];
      const { join } = setup([
        [
          1,
          async (msg) => {
            const n = Number(msg.body.toString());
            await new Promise((resolve) => setTimeout(resolve, delays[n]));
            return newResponseMessage(All, String(n));
          },
        ],
        [2, (msg) => newResponseMessage(All, `sync ${msg.body.toString()}`)],
      ]);
      const a = join();
      a.conn.take();
      a.session.receive(request(1, '0'));
      a.session.receive(request(1, '1'));
      a.session.receive(request(2, 'x'));
      a.session.receive('not json');
      a.session.receive(request(1, '2'));
      a.session.receive(request(1, '3'));
      await new Promise((resolve) => setTimeout(resolve, 80));
      expect(a.conn.json().map((frame) => (frame.Code as string) ?? Buffer.from(frame.Body as string, 'base64').toString())).toEqual([
        '0',
        '1',
        'sync x',
        'invalid_message',
        '2',
        '3',
      ]);
    });

    it('casts from the server with an empty SenderID and the given HandlerID', () => {
      const { core, join } = setup();
      const a = join();
      const b = join();
      a.conn.take();
      b.conn.take();
      core.cast([{ ...newResponseMessage(All, 'news'), handlerId: 42 }, newResponseMessage(Exclusive, 'dm', b.id)]);
      expect(a.conn.frames).toEqual([`{"SenderID":"","HandlerID":42,"CastType":1,"CastFor":null,"Body":"${b64('news')}"}`]);
      expect(b.conn.json().map((frame) => frame.HandlerID)).toEqual([42, 0]);
    });

    it('refuses a server cast to Self or with a bad response, before sending anything', () => {
      const { core, join } = setup();
      const a = join();
      a.conn.take();
      expect(() => core.cast([newResponseMessage(All, 'x'), newResponseMessage(Self, 'y')])).toThrow(/Self/);
      expect(() => core.cast({ castType: 7 } as unknown as ResponseMessage)).toThrow(/^a server cast gave a ResponseMessage with unknown cast type 7$/);
      expect(a.conn.frames).toEqual([]);
    });
  });

  describe('errors', () => {
    function one(handler: MessageHandlerFn) {
      const env = setup([[5, handler]]);
      const client = env.join();
      const other = env.join();
      client.conn.take();
      other.conn.take();
      return { ...env, client, other };
    }

    it('answers an unknown HandlerID with unknown_handler', () => {
      const { client, other } = one(() => undefined);
      client.session.receive(request(99));
      expect(client.conn.frames).toEqual([
        `{"EventType":3,"ClientID":"${client.id}","HandlerID":99,"Code":"unknown_handler","Error":"no handler for HandlerID 99"}`,
      ]);
      expect(other.conn.frames).toEqual([]);
    });

    it('answers a thrown error with a generic handler_error and logs the whole error', () => {
      const { client, other, logger } = one(function explode() {
        throw new Error('database password leaked');
      });
      client.session.receive(request(5));
      expect(client.conn.json()).toEqual([
        { EventType: 3, ClientID: client.id, HandlerID: 5, Code: 'handler_error', Error: 'internal error' },
      ]);
      expect(other.conn.frames).toEqual([]);
      expect(logger.lines.join('\n')).toMatch(/explode failed for client .*database password leaked/s);
    });

    it('sends a BroadcasterException message as is', async () => {
      const { client } = one(async () => {
        throw new BroadcasterException('room is full');
      });
      client.session.receive(request(5));
      await flush();
      expect(client.conn.json()[0]).toMatchObject({ Code: 'handler_error', Error: 'room is full' });
    });

    it.each([
      ['an unknown cast type', () => ({ castType: 0, castFor: [], body: null })],
      ['a string', () => 'oops'],
      ['a list with garbage', () => [newResponseMessage(All, 'half'), { nope: true }]],
    ])('rejects a handler returning %s, delivering nothing of it', (_name, handler) => {
      const { client, other, logger } = one(handler as MessageHandlerFn);
      client.session.receive(request(5));
      expect(client.conn.json()).toEqual([
        { EventType: 3, ClientID: client.id, HandlerID: 5, Code: 'handler_error', Error: 'internal error' },
      ]);
      expect(other.conn.frames).toEqual([]);
      expect(logger.lines.some((line) => line.startsWith('error'))).toBe(true);
    });

    it('reports a failing OnAddClient handler to the joiner with HandlerID 0', () => {
      const { join } = setup([], [[OnAddClient, () => Promise.reject(new Error('no'))]]);
      const a = join();
      return flush().then(() => {
        expect(a.conn.json()[1]).toEqual({ EventType: 3, ClientID: a.id, HandlerID: 0, Code: 'handler_error', Error: 'internal error' });
      });
    });

    it('closes a connection whose send throws, and keeps serving the rest', () => {
      const { join } = setup([[1, () => newResponseMessage(All, 'x')]]);
      const a = join();
      const b = join();
      b.conn.send = () => {
        throw new Error('socket gone');
      };
      a.conn.take();
      a.session.receive(request(1));
      a.session.receive(request(1));
      expect(b.conn.closedWith).not.toBeNull();
      expect(a.conn.frames).toHaveLength(2);
    });

    it('ignores frames from a client that has left', () => {
      const calls: string[] = [];
      const { join } = setup([[1, (msg) => void calls.push(msg.senderId)]]);
      const a = join();
      a.session.detach();
      a.session.receive(request(1));
      expect(calls).toEqual([]);
    });
  });
});

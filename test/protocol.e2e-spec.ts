import { Injectable } from '@nestjs/common';
import type { Socket } from 'node:net';
import WebSocket from 'ws';
import {
  All,
  Broadcaster,
  BroadcasterException,
  Exclusive,
  MessageHandler,
  OnAddClient,
  OnDelClient,
  OnEvent,
  Others,
  Self,
  newResponseMessage,
  type EventMessage,
  type HandlerContext,
  type RequestMessage,
  type ResponseMessage,
} from '../src/index.js';
import { appModule, CapturingLogger, startApp, type RunningApp } from './support/app.js';
import { bodyText, TestClient } from './support/ws-client.js';
import { setTimeout as sleep } from 'node:timers/promises';

const HELLO = 'SGVsbG8sIHdvcmxkIQ==';

@Injectable()
class ProtocolHandlers {
  readonly events: EventMessage[] = [];

  @MessageHandler(1)
  all(msg: RequestMessage): ResponseMessage {
    return newResponseMessage(All, msg.body);
  }

  @MessageHandler(2)
  self(msg: RequestMessage, ctx: HandlerContext): ResponseMessage {
    return newResponseMessage(Self, `${ctx.clientId}:${msg.senderId}:${msg.handlerId}`);
  }

  @MessageHandler(3)
  exclusive(msg: RequestMessage): ResponseMessage {
    return newResponseMessage(Exclusive, 'just you', ...(JSON.parse(msg.body.toString()) as string[]));
  }

  @MessageHandler(4)
  others(msg: RequestMessage): ResponseMessage {
    return newResponseMessage(Others, msg.body);
  }

  @MessageHandler(5)
  async delayed(msg: RequestMessage): Promise<ResponseMessage> {
    await sleep(Number(msg.body.toString()));
    return newResponseMessage(Self, msg.body);
  }

  @MessageHandler(6)
  several(): ResponseMessage[] {
    return ['one', 'two', 'three'].map((text) => newResponseMessage(Self, text));
  }

  @MessageHandler(7)
  nothing(): void {}

  @MessageHandler(10)
  crash(): never {
    throw new Error('secret connection string');
  }

  @MessageHandler(11)
  async refuse(): Promise<never> {
    throw new BroadcasterException('you may not');
  }

  @MessageHandler(12)
  badCast(): ResponseMessage {
    return newResponseMessage(9 as never, 'oops');
  }

  @MessageHandler(13)
  garbage(): unknown {
    return { hello: 'world' };
  }

  @OnEvent(OnAddClient)
  welcome(ev: EventMessage): ResponseMessage {
    this.events.push(ev);
    return newResponseMessage(Self, 'welcome');
  }

  @OnEvent(OnDelClient)
  farewell(ev: EventMessage, ctx: HandlerContext): ResponseMessage {
    this.events.push(ev);
    return newResponseMessage(Others, `bye ${ctx.clientId}`);
  }
}

describe('wire protocol over a real Nest app', () => {
  let running: RunningApp;
  let logger: CapturingLogger;
  const clients: TestClient[] = [];

  /** Joins and reads the frames every join brings: its OnAddClient and the welcome. */
  async function join(): Promise<{ client: TestClient; id: string }> {
    const joined = await TestClient.join(running.url);
    clients.push(joined.client);
    expect(bodyText(await joined.client.nextJson())).toBe('welcome');
    return joined;
  }

  async function pair() {
    const a = await join();
    const b = await join();
    expect(await a.client.nextJson()).toEqual({ EventType: 1, ClientID: b.id });
    return { a, b };
  }

  beforeEach(async () => {
    logger = new CapturingLogger();
    running = await startApp(appModule([ProtocolHandlers], { maxPayload: 64 * 1024 }), { logger });
  });

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()));
    await running.app.close();
  });

  describe('joins and leaves', () => {
    it('gives a joining client its own OnAddClient first, then the event handler’s reply', async () => {
      const client = await TestClient.connect(running.url);
      clients.push(client);
      const first = await client.next();
      expect(first).toMatch(/^\{"EventType":1,"ClientID":"[0-9a-f-]{36}"\}$/);
      const id = JSON.parse(first).ClientID;
      expect(await client.next()).toBe(
        `{"SenderID":"${id}","HandlerID":0,"CastType":2,"CastFor":null,"Body":"${Buffer.from('welcome').toString('base64')}"}`,
      );
    });

    it('announces joins to clients already connected, and assigns distinct UUIDs', async () => {
      const { a, b } = await pair();
      expect(a.id).not.toBe(b.id);
      expect(running.app.get(Broadcaster).clientIds()).toEqual([a.id, b.id]);
    });

    it('announces a clean leave, then the OnDelClient handler’s reply', async () => {
      const { a, b } = await pair();
      await b.client.close();
      expect(await a.client.nextJson()).toEqual({ EventType: 2, ClientID: b.id });
      const farewell = await a.client.nextJson();
      expect(farewell).toMatchObject({ SenderID: b.id, HandlerID: 0, CastType: 4 });
      expect(bodyText(farewell)).toBe(`bye ${b.id}`);
      expect(running.app.get(ProtocolHandlers).events.map((ev) => ev.eventType)).toEqual([1, 1, 2]);
    });

    it('announces a client whose TCP connection is cut without a close frame', async () => {
      const { a, b } = await pair();
      (b.client.socket as unknown as { _socket: Socket })._socket.destroy();
      expect(await a.client.nextJson()).toEqual({ EventType: 2, ClientID: b.id });
      expect(running.app.get(Broadcaster).clientIds()).toEqual([a.id]);
    });
  });

  describe('cast types', () => {
    it('All: the original README exchange reaches every client, byte for byte', async () => {
      const { a, b } = await pair();
      b.client.send(`{"HandlerID": 1, "Body":"${HELLO}"}`);
      const expected = `{"SenderID":"${b.id}","HandlerID":1,"CastType":1,"CastFor":null,"Body":"${HELLO}"}`;
      expect(await a.client.next()).toBe(expected);
      expect(await b.client.next()).toBe(expected);
    });

    it('Self: only the sender, with SenderID and HandlerID stamped by the server', async () => {
      const { a, b } = await pair();
      a.client.send({ HandlerID: 2, SenderID: b.id, Body: null });
      const reply = await a.client.nextJson();
      expect(reply).toMatchObject({ SenderID: a.id, HandlerID: 2, CastType: 2, CastFor: null });
      expect(bodyText(reply)).toBe(`${a.id}:${a.id}:2`);
      expect(await b.client.drain()).toEqual([]);
    });

    it('Exclusive: only the listed clients, listed in CastFor', async () => {
      const { a, b } = await pair();
      const c = await join();
      await a.client.next();
      await b.client.next();
      a.client.request(3, JSON.stringify([c.id, 'nobody', c.id]));
      const got = await c.client.nextJson();
      expect(got).toMatchObject({ SenderID: a.id, HandlerID: 3, CastType: 3, CastFor: [c.id, 'nobody', c.id] });
      expect(await a.client.drain()).toEqual([]);
      expect(await b.client.drain()).toEqual([]);
      expect(await c.client.drain(0)).toEqual([]);
    });

    it('Others: everyone but the sender', async () => {
      const { a, b } = await pair();
      b.client.request(4, 'psst');
      const got = await a.client.nextJson();
      expect(got).toMatchObject({ SenderID: b.id, HandlerID: 4, CastType: 4 });
      expect(bodyText(got)).toBe('psst');
      expect(await b.client.drain()).toEqual([]);
    });

    it('casts from the server through the injected Broadcaster', async () => {
      const { a, b } = await pair();
      await running.app.get(Broadcaster).cast({ ...newResponseMessage(All, 'server news'), handlerId: 77 });
      for (const client of [a.client, b.client]) {
        const frame = await client.nextJson();
        expect(frame).toMatchObject({ SenderID: '', HandlerID: 77, CastType: 1, CastFor: null });
        expect(bodyText(frame)).toBe('server news');
      }
      await expect(running.app.get(Broadcaster).cast(newResponseMessage(Self, 'x'))).rejects.toThrow(/Self/);
    });
  });

  describe('reading requests', () => {
    it('matches keys case-insensitively and reads binary frames of UTF-8 JSON', async () => {
      const { client, id } = await join();
      client.send(`{"handlerid": 2, "body": "${HELLO}"}`);
      expect(await client.nextJson()).toMatchObject({ SenderID: id, HandlerID: 2 });
      client.send(Buffer.from(`{"HANDLERID": 2}`), { binary: true });
      expect(await client.nextJson()).toMatchObject({ SenderID: id, HandlerID: 2 });
    });

    it('sends nothing for a handler that returns nothing', async () => {
      const { client } = await join();
      client.request(7);
      client.request(2);
      expect((await client.nextJson()).HandlerID).toBe(2);
    });
  });

  describe('errors', () => {
    const error = (id: string, handlerId: number, code: string, text: string) =>
      `{"EventType":3,"ClientID":"${id}","HandlerID":${handlerId},"Code":"${code}","Error":"${text}"}`;

    it.each([
      ['not JSON', 'hello', 0, 'invalid_message'],
      ['an array', '[1]', 0, 'invalid_message'],
      ['a string HandlerID', '{"HandlerID":"1"}', 0, 'invalid_message'],
      ['a numeric Body', '{"HandlerID":1,"Body":5}', 1, 'invalid_message'],
      ['a bad base64 Body', '{"HandlerID":1,"Body":"@@@"}', 1, 'invalid_body'],
      ['an unknown HandlerID', '{"HandlerID":99}', 99, 'unknown_handler'],
    ])('answers %s (%s) with HandlerID %i and %s, to the sender alone, keeping the connection', async (_name, frame, handlerId, code) => {
      const { a, b } = await pair();
      a.client.send(frame);
      const reply = await a.client.nextJson();
      expect(reply).toMatchObject({ EventType: 3, ClientID: a.id, HandlerID: handlerId, Code: code });
      expect(Object.keys(reply)).toEqual(['EventType', 'ClientID', 'HandlerID', 'Code', 'Error']);
      expect(await b.client.drain()).toEqual([]);
      a.client.request(1, 'still here');
      expect(bodyText(await b.client.nextJson())).toBe('still here');
    });

    it('answers a thrown error with "internal error" and logs the stack for the operator', async () => {
      const { a, b } = await pair();
      a.client.request(10);
      expect(await a.client.next()).toBe(error(a.id, 10, 'handler_error', 'internal error'));
      expect(logger.text('error')).toMatch(/ProtocolHandlers#crash failed for client .*secret connection string/s);
      expect(await b.client.drain()).toEqual([]);
    });

    it('passes a BroadcasterException message to the client', async () => {
      const { client, id } = await join();
      client.request(11);
      expect(await client.next()).toBe(error(id, 11, 'handler_error', 'you may not'));
    });

    it.each([
      ['an unknown cast type', 12],
      ['something that is not a response', 13],
    ])('refuses a handler returning %s and casts nothing', async (_name, handlerId) => {
      const { a, b } = await pair();
      a.client.request(handlerId);
      expect(await a.client.next()).toBe(error(a.id, handlerId, 'handler_error', 'internal error'));
      expect(await b.client.drain()).toEqual([]);
      expect(logger.text('error')).toContain(`ProtocolHandlers#`);
    });

    it('closes a connection that sends a frame over maxPayload with 1009, announcing the leave', async () => {
      const { a, b } = await pair();
      b.client.send('{"HandlerID":1,"Body":"' + 'A'.repeat(64 * 1024) + '"}');
      expect((await b.client.closed).code).toBe(1009);
      expect(await a.client.nextJson()).toEqual({ EventType: 2, ClientID: b.id });
    });
  });

  describe('ordering', () => {
    it('delivers one client’s replies in request order, whatever each handler takes', async () => {
      const { client } = await join();
      const delays = ['60', '0', '30', '5', '0'];
      for (const delay of delays) client.request(5, delay);
      const bodies = [];
      for (let i = 0; i < delays.length; i++) bodies.push(bodyText(await client.nextJson()));
      expect(bodies).toEqual(delays);
    });

    it('delivers several responses of one call in the order returned', async () => {
      const { client } = await join();
      client.request(6);
      const bodies = [];
      for (let i = 0; i < 3; i++) bodies.push(bodyText(await client.nextJson()));
      expect(bodies).toEqual(['one', 'two', 'three']);
    });

    it('keeps 500 pipelined casts in order for every receiver', async () => {
      const { a, b } = await pair();
      for (let i = 0; i < 500; i++) a.client.request(1, String(i));
      for (const client of [a.client, b.client]) {
        const got: string[] = [];
        for (let i = 0; i < 500; i++) got.push(bodyText(await client.nextJson()) as string);
        expect(got).toEqual(Array.from({ length: 500 }, (_, i) => String(i)));
      }
    });
  });

  it('refuses an upgrade on another path', async () => {
    const socket = new WebSocket(running.url.replace(/\/$/, '/elsewhere'));
    const outcome = await new Promise((resolve) => {
      socket.on('open', () => resolve('open'));
      socket.on('error', () => resolve('refused'));
    });
    expect(outcome).toBe('refused');
  });
});

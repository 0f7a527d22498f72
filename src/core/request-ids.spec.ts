import fc from 'fast-check';
import { BroadcasterCore } from './broadcaster-core';
import { decodeRequest, encodeAck, encodeError } from './codec';
import { ErrorCode, FrameRejection } from './errors';
import type { MessageHandlerFn } from './handlers';
import { Others, Self, newResponseMessage } from './message';
import { FakeConn } from './testing/fake-conn';

const HI = Buffer.from('hi').toString('base64');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('RequestID (protocol 1.1) in the codec', () => {
  it.each([0, 7, Number.MAX_SAFE_INTEGER, 'a', 'x'.repeat(64), 'émoji ✓'])('reads %p', (requestId) => {
    expect(decodeRequest(JSON.stringify({ HandlerID: 1, Body: HI, RequestID: requestId }))).toEqual({
      handlerId: 1,
      body: Buffer.from('hi'),
      requestId,
    });
  });

  it('matches the key case-insensitively', () => {
    expect(decodeRequest(`{"handlerid":1,"requestid":"r1"}`)).toMatchObject({ requestId: 'r1' });
  });

  it.each([-1, 1.5, 2 ** 53, '', 'x'.repeat(65), null, true, [1], { id: 1 }])(
    'refuses %p as invalid_message, without echoing it',
    (requestId) => {
      const decoded = decodeRequest(JSON.stringify({ HandlerID: 3, RequestID: requestId }));
      expect(decoded).toBeInstanceOf(FrameRejection);
      expect(decoded).toMatchObject({ code: ErrorCode.InvalidMessage, handlerId: 3, requestId: undefined });
    },
  );

  it('echoes a valid RequestID in the errors of an otherwise bad frame', () => {
    expect(decodeRequest('{"RequestID":9}')).toMatchObject({ code: ErrorCode.InvalidMessage, requestId: 9 });
    expect(decodeRequest('{"HandlerID":2,"Body":"!!","RequestID":"b"}')).toMatchObject({ code: ErrorCode.InvalidBody, handlerId: 2, requestId: 'b' });
  });

  it('adds RequestID as the error frame’s last key, and builds the ack with its keys in order', () => {
    expect(encodeError('c', 1, 'unknown_handler', 'no', 7)).toBe(
      '{"EventType":3,"ClientID":"c","HandlerID":1,"Code":"unknown_handler","Error":"no","RequestID":7}',
    );
    expect(encodeError('c', 1, 'unknown_handler', 'no')).toBe('{"EventType":3,"ClientID":"c","HandlerID":1,"Code":"unknown_handler","Error":"no"}');
    expect(JSON.parse(encodeAck('c', 1, 'r"1'))).toEqual({ EventType: 4, ClientID: 'c', HandlerID: 1, RequestID: 'r"1' });
    expect(encodeAck('c', 1, 'r"1').startsWith('{"EventType":4,"ClientID":"c","HandlerID":1,"RequestID":')).toBe(true);
  });

  it('never throws, and either reads a RequestID exactly or refuses the frame (fuzzed)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.integer(), fc.double(), fc.string({ maxLength: 80 }), fc.constant(null), fc.boolean()), (requestId) => {
        const decoded = decodeRequest(JSON.stringify({ HandlerID: 1, RequestID: requestId }));
        const valid =
          (typeof requestId === 'number' && Number.isSafeInteger(requestId) && requestId >= 0) ||
          (typeof requestId === 'string' && requestId.length >= 1 && requestId.length <= 64);
        // JSON has no negative zero: -0 arrives as 0.
        if (valid) expect(decoded).toEqual({ handlerId: 1, body: Buffer.alloc(0), requestId: JSON.parse(JSON.stringify(requestId)) });
        else expect(decoded).toBeInstanceOf(FrameRejection);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('acks in the core', () => {
  function setup(handlers: Array<[number, MessageHandlerFn]>) {
    const core = new BroadcasterCore({
      messageHandlers: new Map(handlers),
      logger: { log: () => undefined, warn: () => undefined, error: () => undefined },
      rateLimit: { messagesPerSecond: 1, burst: 3 },
    });
    const join = () => {
      const conn = new FakeConn();
      const session = core.attach(conn);
      conn.take();
      return { conn, session, id: session.id };
    };
    return { join };
  }
  const send = (session: { receive(data: string): void }, frame: object) => session.receive(JSON.stringify(frame));

  it('acks after every frame the request produced for its sender, and only with a RequestID', () => {
    const { join } = setup([[1, (msg) => [newResponseMessage(Self, msg.body), newResponseMessage(Others, 'x'), newResponseMessage(Self, 'again')]]]);
    const a = join();
    const b = join();
    a.conn.take();
    send(a.session, { HandlerID: 1, Body: HI, RequestID: 'r1' });
    send(a.session, { HandlerID: 1, Body: HI });
    const frames = a.conn.take();
    expect(frames.map((frame) => frame.EventType ?? frame.CastType)).toEqual([2, 2, 4, 2, 2]);
    expect(frames[2]).toEqual({ EventType: 4, ClientID: a.id, HandlerID: 1, RequestID: 'r1' });
    expect(b.conn.take().every((frame) => frame.EventType !== 4)).toBe(true);
  });

  it('answers each refusal with the error frame carrying the RequestID, and no ack', async () => {
    const { join } = setup([
      [1, () => Promise.reject(new Error('boom'))],
      [2, () => ({ castType: 9 }) as never],
    ]);
    const a = join();
    send(a.session, { HandlerID: 1, RequestID: 1 });
    send(a.session, { HandlerID: 2, RequestID: 2 });
    send(a.session, { HandlerID: 3, RequestID: 3 });
    await sleep(5);
    expect(a.conn.take().map((frame) => [frame.EventType, frame.Code, frame.RequestID])).toEqual([
      [3, 'handler_error', 1],
      [3, 'handler_error', 2],
      [3, 'unknown_handler', 3],
    ]);
    // Over the rate limit: refused before the frame is read, so no RequestID to echo.
    send(a.session, { HandlerID: 3, RequestID: 4 });
    await sleep(5);
    expect(a.conn.take()).toEqual([{ EventType: 3, ClientID: a.id, HandlerID: 0, Code: 'rate_limited', Error: 'too many messages: slow down' }]);
  });

  it('settles pipelined requests in the order sent, although their handlers finish out of order', async () => {
    const { join } = setup([[1, async (msg) => {
      await sleep(40 - msg.body[0] * 10);
      return newResponseMessage(Self, msg.body);
    }]]);
    const a = join();
    for (const n of [0, 1, 2]) send(a.session, { HandlerID: 1, Body: Buffer.from([n]).toString('base64'), RequestID: n });
    await sleep(80);
    expect(a.conn.take().map((frame) => (frame.EventType === 4 ? `ack ${frame.RequestID}` : `reply ${Buffer.from(frame.Body as string, 'base64')[0]}`))).toEqual([
      'reply 0',
      'ack 0',
      'reply 1',
      'ack 1',
      'reply 2',
      'ack 2',
    ]);
  });
});

import { Writable } from 'node:stream';
import type { WebSocket } from 'ws';
import { OutgoingFrame } from '../core/conn';
import { WriteCoalescer } from './write-coalescer';
import { WsConn } from './ws-conn';

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A TCP stream stand-in that records each write; a stalled one never completes them. */
class RecordingStream extends Writable {
  readonly writes: Buffer[] = [];
  constructor(private readonly stalled = false) {
    super({ highWaterMark: 1 });
  }
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error) => void): void {
    this.writes.push(chunk);
    if (!this.stalled) done();
  }
}

function fakeSocket() {
  return { readyState: 1, close: jest.fn() };
}

/** Splits a run of unmasked server frames back into their texts. */
function texts(data: Buffer): string[] {
  const out: string[] = [];
  for (let at = 0; at < data.length; ) {
    const short = data[at + 1];
    const [header, length] =
      short === 126 ? [4, data.readUInt16BE(at + 2)] : short === 127 ? [10, data.readUInt32BE(at + 6)] : [2, short];
    out.push(data.toString('utf8', at + header, at + header + length));
    at += header + length;
  }
  return out;
}

function connect(stream: RecordingStream, coalescer: WriteCoalescer) {
  const socket = fakeSocket();
  const conn = new WsConn(socket as unknown as WebSocket, stream, coalescer);
  const send = (text: string) => conn.send(text, new OutgoingFrame(text));
  const backlog = () => ({ bytes: conn.unsentBytes(), messages: conn.unsentFrames() });
  return { socket, conn, send, backlog };
}

describe('WsConn with a WriteCoalescer', () => {
  it('writes all of one turn’s frames to a socket in one write, in the order sent', async () => {
    const stream = new RecordingStream();
    const { send } = connect(stream, new WriteCoalescer());
    const sent = Array.from({ length: 50 }, (_, i) => `{"n":${i}}`);
    for (const text of sent) send(text);
    expect(stream.writes).toHaveLength(0);
    await nextTurn();
    expect(stream.writes).toHaveLength(1);
    expect(texts(stream.writes[0])).toEqual(sent);
  });

  it('shares one frame Buffer among the recipients of a cast', async () => {
    const coalescer = new WriteCoalescer();
    const frame = new OutgoingFrame('{"cast":1}');
    const streams = [new RecordingStream(), new RecordingStream()];
    for (const stream of streams) connect(stream, coalescer).conn.send(frame.text, frame);
    await nextTurn();
    expect(streams[0].writes[0]).toBe(streams[1].writes[0]);
  });

  it('joins one turn’s casts once for every recipient that was sent the same frames', async () => {
    const coalescer = new WriteCoalescer();
    const casts = [new OutgoingFrame('{"cast":1}'), new OutgoingFrame('{"cast":2}')];
    const reply = new OutgoingFrame('{"reply":1}');
    const streams = [new RecordingStream(), new RecordingStream(), new RecordingStream()];
    const conns = streams.map((stream) => connect(stream, coalescer).conn);
    for (const frame of casts) for (const conn of conns) conn.send(frame.text, frame);
    // The third recipient was also sent a reply of its own: its batch differs.
    conns[2].send(reply.text, reply);
    await nextTurn();
    expect(streams[0].writes[0]).toBe(streams[1].writes[0]);
    expect(texts(streams[0].writes[0])).toEqual(['{"cast":1}', '{"cast":2}']);
    expect(texts(streams[2].writes[0])).toEqual(['{"cast":1}', '{"cast":2}', '{"reply":1}']);
    // The next turn joins afresh.
    for (const conn of conns) conn.send(reply.text, reply);
    for (const conn of conns) conn.send(casts[0].text, casts[0]);
    await nextTurn();
    expect(texts(streams[0].writes[1])).toEqual(['{"reply":1}', '{"cast":1}']);
    expect(streams[1].writes[1]).toBe(streams[0].writes[1]);
  });

  it('keeps writing to the others while one socket never drains', async () => {
    const coalescer = new WriteCoalescer();
    const stalledStream = new RecordingStream(true);
    const readerStream = new RecordingStream();
    const stalled = connect(stalledStream, coalescer);
    const reader = connect(readerStream, coalescer);
    for (let turn = 0; turn < 5; turn++) {
      stalled.send(`{"turn":${turn}}`);
      reader.send(`{"turn":${turn}}`);
      await nextTurn();
    }
    expect(readerStream.writes.map((write) => texts(write))).toEqual(
      [0, 1, 2, 3, 4].map((turn) => [`{"turn":${turn}}`]),
    );
    // The stalled socket's first write never completed: everything after it is backlog.
    expect(stalled.backlog().messages).toBe(5);
    expect(reader.backlog().messages).toBe(0);
  });

  it('writes at once past 64 KiB instead of holding a large batch for the turn', () => {
    const stream = new RecordingStream();
    const { send } = connect(stream, new WriteCoalescer());
    const big = 'x'.repeat(40 * 1024);
    send(big);
    expect(stream.writes).toHaveLength(0);
    send(big);
    expect(stream.writes).toHaveLength(1);
    expect(texts(stream.writes[0])).toEqual([big, big]);
  });

  it('counts as backlog what the stream still holds after a write, not frames queued for this turn', async () => {
    const stalledStream = new RecordingStream(true);
    const readerStream = new RecordingStream();
    const coalescer = new WriteCoalescer();
    const stalled = connect(stalledStream, coalescer);
    const reader = connect(readerStream, coalescer);
    for (const conn of [stalled, reader]) {
      conn.send('{"a":1}');
      conn.send('{"a":2}');
      // Queued for the end of this turn: a client that reads takes them at once.
      expect(conn.backlog()).toEqual({ bytes: 0, messages: 0 });
    }
    await nextTurn();
    expect(stalled.backlog()).toEqual({ bytes: 18, messages: 2 });
    expect(reader.backlog()).toEqual({ bytes: 0, messages: 0 });
  });

  it('writes within the limits in one call, and nothing past them', async () => {
    const stream = new RecordingStream(true);
    const { conn, send, backlog } = connect(stream, new WriteCoalescer());
    const frame = (text: string) => new OutgoingFrame(text);
    // Nothing unsent yet: a frame larger than the byte limit still goes.
    expect(conn.sendWithin(frame('{"big":"xxxxxxxxxx"}'), { maxBufferedBytes: 5, maxBufferedMessages: 10 })).toBe(true);
    send('{"a":1}');
    await nextTurn();
    expect(backlog()).toEqual({ bytes: 31, messages: 2 });
    expect(conn.sendWithin(frame('{"b":2}'), { maxBufferedBytes: 1000, maxBufferedMessages: 2 })).toBe(false);
    expect(conn.sendWithin(frame('{"b":2}'), { maxBufferedBytes: 37, maxBufferedMessages: 10 })).toBe(false);
    expect(conn.sendWithin(frame('{"b":2}'), { maxBufferedBytes: 38, maxBufferedMessages: 3 })).toBe(true);
    await nextTurn();
    // The stalled stream took the first write; the third frame waits in it behind that.
    expect(texts(stream.writes[0])).toEqual(['{"big":"xxxxxxxxxx"}', '{"a":1}']);
    expect(backlog()).toEqual({ bytes: 40, messages: 3 });
  });

  it('reads the stream again when told that something else wrote to it', async () => {
    const stream = new RecordingStream(true);
    const coalescer = new WriteCoalescer();
    const { conn, send } = connect(stream, coalescer);
    send('{"a":1}');
    await nextTurn();
    expect(conn.unsentBytes()).toBe(9);
    // As `ws` does for a pong: a write that bypasses the per-turn queue.
    stream.write(Buffer.alloc(100));
    expect(conn.unsentBytes()).toBe(9);
    conn.recheckBacklog();
    expect(conn.unsentBytes()).toBe(109);
  });

  it('writes queued frames ahead of the close frame, and nothing once closing', async () => {
    const stream = new RecordingStream();
    const { conn, socket, send } = connect(stream, new WriteCoalescer());
    socket.close.mockImplementation(() => {
      expect(stream.writes).toHaveLength(1);
      socket.readyState = 2;
    });
    send('{"last":true}');
    conn.close(1001, 'bye');
    expect(socket.close).toHaveBeenCalledWith(1001, 'bye');
    send('{"late":true}');
    await nextTurn();
    expect(stream.writes.map((write) => texts(write))).toEqual([['{"last":true}']]);
  });
});

import { Writable } from 'node:stream';
import type { WebSocket } from 'ws';
import { OutgoingFrame, type LaneSeat } from '../core/conn';
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

  describe('the cast lane (casts to everyone, queued once per batch)', () => {
    const limits = { maxBufferedBytes: 1024, maxBufferedMessages: 3 };
    const seat = (extra: Partial<LaneSeat> = {}): LaneSeat => ({ limits, missed: () => undefined, failed: () => undefined, ...extra });

    it('gives every member the turn’s casts in one buffer, shared, and in order with a member’s own frames', async () => {
      const coalescer = new WriteCoalescer();
      const [a, b] = [new RecordingStream(), new RecordingStream()];
      const ana = connect(a, coalescer);
      const ben = connect(b, coalescer);
      const lane = ana.conn.joinLane(seat());
      expect(ben.conn.joinLane(seat())).toBe(lane);
      lane.cast(new OutgoingFrame('{"all":1}'));
      ben.send('{"own":1}');
      lane.cast(new OutgoingFrame('{"all":2}'));
      await nextTurn();
      expect(texts(a.writes[0])).toEqual(['{"all":1}', '{"all":2}']);
      expect(texts(b.writes[0])).toEqual(['{"all":1}', '{"own":1}', '{"all":2}']);
      expect([a.writes.length, b.writes.length]).toEqual([1, 1]);
      // The next turn starts afresh.
      lane.cast(new OutgoingFrame('{"all":3}'));
      await nextTurn();
      expect(a.writes[1]).toBe(b.writes[1]);
      expect(texts(a.writes[1])).toEqual(['{"all":3}']);
    });

    it('gives a member that joins during a turn only the casts after it joined, and one that left none', async () => {
      const coalescer = new WriteCoalescer();
      const [a, b] = [new RecordingStream(), new RecordingStream()];
      const ana = connect(a, coalescer);
      const ben = connect(b, coalescer);
      const lane = ana.conn.joinLane(seat());
      lane.cast(new OutgoingFrame('{"all":1}'));
      ben.conn.joinLane(seat());
      lane.cast(new OutgoingFrame('{"all":2}'));
      ana.conn.leaveLane();
      await nextTurn();
      expect(a.writes).toEqual([]);
      expect(texts(b.writes[0])).toEqual(['{"all":2}']);
    });

    it('writes a batch at once when it reaches 64 KiB, so that no socket is handed a whole turn of large casts at one go', async () => {
      const coalescer = new WriteCoalescer();
      const stream = new RecordingStream();
      const { conn } = connect(stream, coalescer);
      const lane = conn.joinLane(seat({ limits: { maxBufferedBytes: 256 * 1024, maxBufferedMessages: 100 } }));
      const large = (n: number) => new OutgoingFrame(JSON.stringify({ n, pad: 'x'.repeat(20 * 1024) }));
      for (let n = 0; n < 8; n++) lane.cast(large(n));
      // 4 casts of 20 KiB reach 64 KiB: written twice before the turn ends.
      expect(stream.writes.map((write) => texts(write).length)).toEqual([4, 4]);
      await nextTurn();
      expect(stream.writes).toHaveLength(2);
    });

    it('tells its seat of each cast it takes, in the order written with its own frames, written or not (a session numbers them)', async () => {
      const coalescer = new WriteCoalescer();
      const stream = new RecordingStream();
      const { conn, socket } = connect(stream, coalescer);
      const took: string[] = [];
      const lane = conn.joinLane(seat({ took: (frame) => took.push(frame.text) }));
      lane.cast(new OutgoingFrame('{"all":1}'));
      conn.catchUpLane();
      expect(took).toEqual(['{"all":1}']);
      lane.cast(new OutgoingFrame('{"all":2}'));
      conn.send('{"own":1}', new OutgoingFrame('{"own":1}'));
      lane.cast(new OutgoingFrame('{"all":3}'));
      await nextTurn();
      expect(took).toEqual(['{"all":1}', '{"all":2}', '{"all":3}']);
      expect(texts(stream.writes[0])).toEqual(['{"all":1}', '{"all":2}', '{"own":1}', '{"all":3}']);
      // A socket that is closing writes nothing more, and still takes the casts.
      socket.readyState = 2;
      lane.cast(new OutgoingFrame('{"all":4}'));
      await nextTurn();
      expect(took).toEqual(['{"all":1}', '{"all":2}', '{"all":3}', '{"all":4}']);
      expect(stream.writes).toHaveLength(1);
    });

    it('keeps a cast made while a batch is handed out for the next batch: members later in the round still get the batches in order', async () => {
      const coalescer = new WriteCoalescer();
      const readerStream = new RecordingStream();
      const stalled = new RecordingStream(true);
      const slow = connect(stalled, coalescer);
      const reader = connect(readerStream, coalescer);
      let lane = slow.conn.joinLane(
        seat({
          missed: () => {
            slow.conn.leaveLane();
            reader.send('{"left":"slow"}');
            lane.cast(new OutgoingFrame('{"all":"after"}'));
          },
        }),
      );
      lane = reader.conn.joinLane(seat());
      for (let i = 0; i < 3; i++) slow.send(`{"own":${i}}`);
      await nextTurn();
      lane.cast(new OutgoingFrame('{"all":1}'));
      await nextTurn();
      await nextTurn();
      expect(readerStream.writes.flatMap((write) => texts(write))).toEqual(['{"all":1}', '{"left":"slow"}', '{"all":"after"}']);
    });

    it('gives a member too far behind none of the batch’s casts, says how many it missed, and writes none on its way out', async () => {
      const coalescer = new WriteCoalescer();
      const stalled = new RecordingStream(true);
      const slow = connect(stalled, coalescer);
      const missed: number[] = [];
      const lane = slow.conn.joinLane(
        seat({
          missed: (frames) => {
            missed.push(frames);
            slow.conn.close(1013, 'slow client');
          },
        }),
      );
      for (let i = 0; i < 3; i++) slow.send(`{"own":${i}}`);
      await nextTurn();
      expect(slow.backlog().messages).toBe(3);
      lane.cast(new OutgoingFrame('{"all":1}'));
      lane.cast(new OutgoingFrame('{"all":2}'));
      await nextTurn();
      expect(missed).toEqual([2]);
      expect(stalled.writes.flatMap((write) => texts(write))).toEqual(['{"own":0}', '{"own":1}', '{"own":2}']);
      expect(slow.socket.close).toHaveBeenCalledWith(1013, 'slow client');
    });

    it('gives the batch to the other members when writing to one throws, and tells that one’s seat', async () => {
      const coalescer = new WriteCoalescer();
      const broken = new RecordingStream();
      broken.write = () => {
        throw new Error('the stream is gone');
      };
      const fine = new RecordingStream();
      const failures: unknown[] = [];
      const lane = connect(broken, coalescer).conn.joinLane(seat({ failed: (error) => failures.push(error) }));
      connect(fine, coalescer).conn.joinLane(seat());
      lane.cast(new OutgoingFrame('{"all":1}'));
      await nextTurn();
      expect(failures).toEqual([new Error('the stream is gone')]);
      expect(texts(fine.writes[0])).toEqual(['{"all":1}']);
      // Out of the lane since: the next batch is not tried on it.
      lane.cast(new OutgoingFrame('{"all":2}'));
      await nextTurn();
      expect(failures).toHaveLength(1);
      expect(texts(fine.writes[1])).toEqual(['{"all":2}']);
    });
  });
});

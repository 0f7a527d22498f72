import { Writable } from 'node:stream';
import type { WebSocket } from 'ws';
import { OutgoingFrame, type CastLane, type LaneSeat } from '../core/conn';
import { SessionConn } from '../core/session/session-conn';
import { WriteCoalescer } from './write-coalescer';
import { WsConn } from './ws-conn';

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

class Stream extends Writable {
  readonly texts: string[] = [];
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    // Unmasked server frames below 126 bytes: a two-byte header each.
    for (let at = 0; at < chunk.length; at += 2 + chunk[at + 1]) this.texts.push(chunk.toString('utf8', at + 2, at + 2 + chunk[at + 1]));
    done();
  }
}

function socketOn(coalescer: WriteCoalescer) {
  const stream = new Stream();
  const socket = { readyState: 1, close: jest.fn() };
  return { stream, socket, conn: new WsConn(socket as unknown as WebSocket, stream, coalescer) };
}

const frame = (text: string) => new OutgoingFrame(text);

describe('a session client in the cast lane', () => {
  const limits = { maxBufferedBytes: 1 << 20, maxBufferedMessages: 1000 };
  let coalescer: WriteCoalescer;
  let moves: (CastLane | null)[];
  let seat: LaneSeat;
  beforeEach(() => {
    coalescer = new WriteCoalescer();
    moves = [];
    seat = { limits, missed: () => undefined, failed: () => undefined, moved: (lane) => moves.push(lane) };
  });

  it('numbers the lane casts in the order its socket writes them with its own frames', async () => {
    const first = socketOn(coalescer);
    const session = new SessionConn(first.conn, { messages: 100, bytes: 1 << 20 }, () => undefined);
    const lane = session.joinLane(seat)!;
    expect(lane).toBe(coalescer.lane);
    lane.cast(frame('{"all":1}'));
    session.send('{"own":1}', frame('{"own":1}'));
    lane.cast(frame('{"all":2}'));
    await nextTurn();
    expect(first.stream.texts).toEqual(['{"all":1}', '{"own":1}', '{"all":2}']);
    expect(session.written).toBe(3);
    expect(session.keptFrames().map((kept) => kept.text)).toEqual(first.stream.texts);
  });

  it('keeps the casts of the turn its socket is lost in, leaves the lane while away, and takes it again on the socket it resumes on', async () => {
    const first = socketOn(coalescer);
    const session = new SessionConn(first.conn, { messages: 100, bytes: 1 << 20 }, () => undefined);
    const lane = session.joinLane(seat)!;
    lane.cast(frame('{"all":1}'));
    await nextTurn();
    // Cast in the same turn as the loss, before the socket was given it.
    lane.cast(frame('{"all":2}'));
    first.socket.readyState = 3;
    session.goAway();
    expect(moves).toEqual([null]);
    expect(session.written).toBe(2);
    // While away the core sends one by one: the lane no longer reaches it.
    lane.cast(frame('{"all":lost}'));
    session.send('{"all":3}', frame('{"all":3}'));
    await nextTurn();
    expect(session.written).toBe(3);

    const second = socketOn(coalescer);
    expect(session.resumeOn(second.conn, 1, frame('{"session":1}'))).toBe(true);
    expect(moves).toEqual([null, coalescer.lane]);
    lane.cast(frame('{"all":4}'));
    await nextTurn();
    expect(second.stream.texts).toEqual(['{"session":1}', '{"all":2}', '{"all":3}', '{"all":4}']);
    expect(session.written).toBe(4);
  });
});

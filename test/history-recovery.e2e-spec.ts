import { Injectable } from '@nestjs/common';
import WebSocket from 'ws';
import { Broadcaster, MessageHandler, Room, newResponseMessage, type HandlerContext, type RequestMessage } from '../src/index.js';
import { appModule, startApp, type RunningApp } from './support/app.js';
import { until } from './support/until.js';

const ROOM = 'chat:all';
const JOIN = 1;
const SAY = 2;
const MESSAGES_PER_SENDER = 5_000;
const READERS = 100;

@Injectable()
class Chat {
  @MessageHandler(JOIN)
  join(_msg: RequestMessage, ctx: HandlerContext): void {
    ctx.join(ROOM);
  }

  @MessageHandler(SAY)
  say(msg: RequestMessage) {
    return newResponseMessage(Room, msg.body, ROOM);
  }
}

interface Publication {
  Offset: number;
  Epoch: string;
}

/**
 * A member of the room that keeps the offsets it has seen, as a client app would: after a
 * lost connection it reconnects, rejoins, and asks for what came after the last offset it
 * saw, holding live publications until that answer, and dropping what it already has.
 */
class Reader {
  readonly offsets: number[] = [];
  last = 0;
  epoch: string | null = null;
  gaps = 0;
  notRecovered = 0;
  reconnections = 0;
  private socket: WebSocket | null = null;
  private held: Publication[] | null = null;

  constructor(private readonly url: string) {}

  async connect(): Promise<void> {
    const socket = new WebSocket(this.url);
    this.socket = socket;
    this.held = [];
    socket.on('message', (data: Buffer) => this.onFrame(JSON.parse(data.toString()) as Record<string, unknown>));
    socket.on('error', () => undefined);
    await new Promise((resolve) => socket.once('open', resolve));
    socket.send(JSON.stringify({ HandlerID: JOIN, Body: null, RequestID: 'join' }));
    if (this.reconnections === 0) return;
    // Cut before its first publication, it has no epoch yet: it asks for all that is kept.
    const asked = this.epoch === null ? { Last: 10_000 } : { Offset: this.last, Epoch: this.epoch };
    socket.send(JSON.stringify({ Recover: { [ROOM]: asked }, RequestID: 'recover' }));
  }

  /** The connection is cut (no close handshake), and made again a little later. */
  async drop(): Promise<void> {
    this.socket?.terminate();
    this.reconnections += 1;
    await new Promise((resolve) => setTimeout(resolve, Math.random() * 30));
    await this.connect();
  }

  close(): void {
    this.socket?.close();
  }

  private onFrame(frame: Record<string, unknown>): void {
    if (typeof frame.Offset === 'number') {
      const publication = frame as unknown as Publication;
      if (this.held !== null) this.held.push(publication);
      else this.take(publication);
      return;
    }
    if (frame.EventType !== 4) return;
    if (frame.RequestID === 'join' && this.reconnections === 0) this.release();
    if (frame.RequestID === 'recover') {
      if ((frame.Recovered as Record<string, boolean>)[ROOM] !== true) this.notRecovered += 1;
      this.release();
    }
  }

  private release(): void {
    const held = (this.held ?? []).sort((a, b) => a.Offset - b.Offset);
    this.held = null;
    for (const publication of held) this.take(publication);
  }

  private take({ Offset, Epoch }: Publication): void {
    this.epoch ??= Epoch;
    if (Epoch !== this.epoch) this.gaps += 1;
    if (Offset <= this.last) return;
    if (Offset !== this.last + 1) this.gaps += 1;
    this.offsets.push(Offset);
    this.last = Offset;
  }
}

async function openSender(url: string): Promise<WebSocket> {
  const socket = new WebSocket(url);
  await new Promise((resolve) => socket.once('open', resolve));
  return socket;
}

async function publish(sender: WebSocket, name: string): Promise<void> {
  for (let i = 1; i <= MESSAGES_PER_SENDER; i++) {
    sender.send(JSON.stringify({ HandlerID: SAY, Body: Buffer.from(`${name}${i}`).toString('base64') }));
    if (i % 50 === 0) await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

describe('no gap, no duplicate: recovery after connections cut at random (one instance)', () => {
  jest.setTimeout(90_000);
  let running: RunningApp;
  beforeAll(async () => {
    running = await startApp(appModule([Chat], { announceClients: false, history: (room) => (room === ROOM ? { size: 10_000, ttl: 600_000 } : undefined) }));
  });
  afterAll(() => running.app.close());

  it(`gives each of ${READERS} readers offsets 1..${2 * MESSAGES_PER_SENDER} once and in order, two senders publishing at once and readers cut at random`, async () => {
    const broadcaster = running.app.get(Broadcaster);
    const readers = Array.from({ length: READERS }, () => new Reader(running.url));
    await Promise.all(readers.map((reader) => reader.connect()));
    await until(() => broadcaster.clientIds(ROOM).length === READERS, 'every reader in the room');
    const senders = await Promise.all([openSender(running.url), openSender(running.url)]);

    let publishing = true;
    const cutting = (async () => {
      while (publishing) {
        await readers[Math.floor(Math.random() * READERS)].drop();
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    await Promise.all([publish(senders[0], 'a'), publish(senders[1], 'b')]);
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
    expect(broadcaster.stats().history).toMatchObject({ publications: total, notRecovered: 0 });
    for (const reader of readers) reader.close();
    for (const sender of senders) sender.close();
  });
});

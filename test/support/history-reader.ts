// A member of a history room that recovers what it missed after each lost connection, as a client app would.
import WebSocket from 'ws';

interface Publication {
  Offset: number;
  Epoch: string;
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
export class Reader {
  readonly offsets: number[] = [];
  last = 0;
  epoch: string | null = null;
  gaps = 0;
  notRecovered = 0;
  reconnections = 0;
  private socket: WebSocket | null = null;
  private held: Publication[] | null = null;

  /**
   * @param urls where it connects: one picked at random each time (any instance of a cluster)
   * @param room the history room; `join` is the handler that puts a client in it
   */
  constructor(
    private readonly urls: readonly string[],
    private readonly room: string,
    private readonly join: number,
  ) {}

  async connect(): Promise<void> {
    const socket = new WebSocket(this.urls[Math.floor(Math.random() * this.urls.length)]);
    this.socket = socket;
    this.held = [];
    socket.on('message', (data: Buffer) => this.onFrame(JSON.parse(data.toString()) as Record<string, unknown>));
    socket.on('error', () => undefined);
    await new Promise((resolve) => socket.once('open', resolve));
    // The room is named in the body (handlers that join one room only ignore it).
    socket.send(JSON.stringify({ HandlerID: this.join, Body: Buffer.from(this.room).toString('base64'), RequestID: 'join' }));
    if (this.reconnections === 0) return;
    // Cut before its first publication, it has no epoch yet: it asks for all that is kept.
    const asked = this.epoch === null ? { Last: 10_000 } : { Offset: this.last, Epoch: this.epoch };
    socket.send(JSON.stringify({ Recover: { [this.room]: asked }, RequestID: 'recover' }));
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
      if ((frame.Recovered as Record<string, boolean>)[this.room] !== true) this.notRecovered += 1;
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


/** Opens a plain connection (a sender). */
export async function openSocket(url: string): Promise<WebSocket> {
  const socket = new WebSocket(url);
  await new Promise((resolve) => socket.once('open', resolve));
  return socket;
}

/**
 * Sends `count` requests to handler `say`, bodies `<name><n>`, each with a RequestID, at
 * most `window` unanswered at once (a client that pipelines without bound is cut off
 * by `maxRequestsInFlight`).
 */
export async function publishMany(sender: WebSocket, say: number, name: string, count: number, window = 32): Promise<void> {
  let answered = 0;
  let wake: (() => void) | null = null;
  const onFrame = (data: Buffer) => {
    const frame = JSON.parse(data.toString()) as { EventType?: number; RequestID?: unknown };
    if ((frame.EventType === 4 || frame.EventType === 3) && typeof frame.RequestID === 'string' && frame.RequestID.startsWith(name)) {
      answered += 1;
      wake?.();
    }
  };
  sender.on('message', onFrame);
  for (let i = 1; i <= count; i++) {
    while (i - answered > window) await new Promise<void>((resolve) => (wake = resolve));
    sender.send(JSON.stringify({ HandlerID: say, Body: Buffer.from(`${name}${i}`).toString('base64'), RequestID: `${name}${i}` }));
  }
  while (answered < count) await new Promise<void>((resolve) => (wake = resolve));
  sender.off('message', onFrame);
}

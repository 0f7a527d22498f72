import WebSocket from 'ws';

/** A real `ws` client that queues every frame it receives, for tests to await in order. */
export class TestClient {
  private readonly frames: string[] = [];
  private readonly waiters: Array<(frame: string) => void> = [];
  readonly closed: Promise<{ code: number; reason: string }>;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data: Buffer) => {
      const frame = data.toString('utf8');
      const waiter = this.waiters.shift();
      if (waiter) waiter(frame);
      else this.frames.push(frame);
    });
    this.closed = new Promise((resolve) =>
      socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
  }

  /** Connects and waits for the handshake. */
  static async connect(url: string, options?: WebSocket.ClientOptions): Promise<TestClient> {
    const socket = new WebSocket(url, options);
    const client = new TestClient(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    return client;
  }

  /** Connects and reads its own OnAddClient, which carries its ID. */
  static async join(url: string): Promise<{ client: TestClient; id: string }> {
    const client = await TestClient.connect(url);
    const first = await client.nextJson();
    if (first.EventType !== 1) throw new Error(`first frame was not OnAddClient: ${JSON.stringify(first)}`);
    return { client, id: first.ClientID as string };
  }

  /** The next frame as received, text exactly. */
  next(timeoutMs = 3000): Promise<string> {
    const queued = this.frames.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(onFrame), 1);
        reject(new Error(`no frame within ${timeoutMs} ms`));
      }, timeoutMs);
      const onFrame = (frame: string) => {
        clearTimeout(timer);
        resolve(frame);
      };
      this.waiters.push(onFrame);
    });
  }

  async nextJson(timeoutMs?: number): Promise<Record<string, unknown>> {
    return JSON.parse(await this.next(timeoutMs)) as Record<string, unknown>;
  }

  /**
   * The next response or error frame of `handlerId`. Announcements of clients joining or
   * leaving (which another process may relay at any moment) are passed over; any other
   * frame is a failure.
   */
  async nextReply(handlerId: number, timeoutMs?: number): Promise<Record<string, unknown>> {
    for (;;) {
      const frame = await this.nextJson(timeoutMs);
      if (frame.HandlerID === handlerId) return frame;
      const announcement = (frame.EventType === 1 || frame.EventType === 2) && frame.SenderID === undefined;
      if (!announcement) throw new Error(`expected a reply to handler ${handlerId}, got ${JSON.stringify(frame)}`);
    }
  }

  /** Resolves with the frames that arrive within `ms`; used to prove that nothing came. */
  async drain(ms = 150): Promise<string[]> {
    await new Promise((resolve) => setTimeout(resolve, ms));
    return this.frames.splice(0);
  }

  send(frame: string | Buffer | object, options?: { binary?: boolean }): void {
    const data = typeof frame === 'string' || Buffer.isBuffer(frame) ? frame : JSON.stringify(frame);
    this.socket.send(data, { binary: options?.binary ?? false });
  }

  /** Sends `{HandlerID, Body}` with the body base64-encoded from UTF-8 text. */
  request(handlerId: number, body?: string): void {
    this.send({ HandlerID: handlerId, Body: body === undefined ? null : Buffer.from(body).toString('base64') });
  }

  async close(): Promise<void> {
    if (this.socket.readyState === WebSocket.CLOSED) return;
    this.socket.close();
    await this.closed;
  }
}

/** Decodes a frame's base64 `Body` as UTF-8 text (null stays null). */
export function bodyText(frame: Record<string, unknown>): string | null {
  return frame.Body === null ? null : Buffer.from(frame.Body as string, 'base64').toString('utf8');
}

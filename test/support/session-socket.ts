import WebSocket from 'ws';
import type { Socket } from 'node:net';

type Frame = Record<string, unknown>;

/**
 * A raw protocol 1.2 client over `ws`: it asks for a session, counts the frames it
 * receives the way the protocol counts them (every frame but session frames), and can
 * resume with what it counted.
 */
export class SessionSocket {
  /** Every numbered frame received on this socket, parsed. */
  readonly frames: Frame[] = [];
  /** Every session frame received on this socket. */
  readonly sessionFrames: Frame[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private readonly arrived: Array<() => void> = [];

  private constructor(
    readonly socket: WebSocket,
    /** Numbered frames received in this session before this socket. */
    readonly before: number,
  ) {
    socket.on('message', (data: Buffer) => {
      const frame = JSON.parse(data.toString('utf8')) as Frame;
      if (frame.EventType === 5 && frame.SenderID === undefined) this.sessionFrames.push(frame);
      else this.frames.push(frame);
      for (const wake of this.arrived.splice(0)) wake();
    });
    socket.on('error', () => undefined);
    this.closed = new Promise((resolve) => socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  }

  /** Opens a session socket (`resume` takes an earlier one back) and waits for its session frame. */
  static async open(base: string, resume?: { token: string; received: number }): Promise<SessionSocket> {
    const query = resume === undefined ? 'mb=1.2' : `mb=1.2&resume=${encodeURIComponent(resume.token)}&received=${resume.received}`;
    const socket = new SessionSocket(new WebSocket(`${base}?${query}`), resume?.received ?? 0);
    await socket.until(() => socket.sessionFrames.length > 0, 'a session frame');
    return socket;
  }

  get session(): Frame {
    return this.sessionFrames[this.sessionFrames.length - 1];
  }

  get id(): string {
    return this.session.ClientID as string;
  }

  get token(): string {
    return this.session.Session as string;
  }

  /** Numbered frames received in this session so far (this socket's and the earlier ones'). */
  get received(): number {
    return this.before + this.frames.length;
  }

  /** The decoded bodies of the responses received on this socket. */
  bodies(): string[] {
    return this.frames.filter((f) => f.SenderID !== undefined).map((f) => (f.Body === null ? '' : Buffer.from(f.Body as string, 'base64').toString('utf8')));
  }

  /** Cuts the TCP connection without a closing handshake, as a network switch would. */
  cut(): void {
    ((this.socket as unknown as { _socket: Socket })._socket ?? null)?.destroy();
  }

  /** Resolves once `check` holds after a frame arrived (or at once). */
  async until(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!check()) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no ${what} within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 50));
        this.arrived.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  async close(): Promise<void> {
    if (this.socket.readyState === WebSocket.CLOSED) return;
    this.socket.close();
    await this.closed;
  }
}

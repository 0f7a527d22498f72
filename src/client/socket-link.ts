// One WebSocket of the client SDK: opened, watched (open timeout, heartbeat), written to, dropped.
import { ABNORMAL_CLOSURE } from '../protocol/close-code.js';
import type { WebSocketConstructor, WebSocketLike } from './client-options.js';

const OPEN = 1;
/** The code the client closes with when it gives up on a socket itself (an application code). */
const GIVEN_UP = 4000;

/** What a {@link SocketLink} reports to the client that made it. */
export interface LinkEvents {
  /** A frame arrived. */
  data(data: unknown): void;
  /** The socket ended (`code`: its close code); the link is done. */
  lost(code: number): void;
}

/** How long a link waits, in milliseconds; `0` turns a wait off. */
export interface LinkTimeouts {
  /** For the server's first frame (its join) after connecting. */
  openTimeout: number;
  /** For any sign of life (a frame or, with `ws`, a ping). */
  heartbeatTimeout: number;
}

/**
 * One connection attempt. A socket that gets no join within the open timeout, or no
 * sign of life within the heartbeat timeout, is given up on and reported lost: a dead
 * link may never deliver a close.
 */
export class SocketLink {
  private socket: WebSocketLike | null;
  private openTimer: ReturnType<typeof setTimeout> | undefined;
  private watchdog: ReturnType<typeof setTimeout> | undefined;

  constructor(
    WebSocketClass: WebSocketConstructor,
    url: string,
    private readonly timeouts: LinkTimeouts,
    private readonly events: LinkEvents,
  ) {
    const socket = new WebSocketClass(url);
    this.socket = socket;
    socket.binaryType = 'arraybuffer';
    socket.onmessage = (event) => {
      this.alive();
      events.data(event.data);
    };
    socket.onclose = (event) => this.ended(event.code);
    socket.onerror = () => undefined;
    socket.on?.('ping', () => this.alive());
    this.alive();
    if (timeouts.openTimeout > 0) this.openTimer = setTimeout(() => this.giveUp(), timeouts.openTimeout);
  }

  /** The server's join arrived: the open timeout is over. */
  opened(): void {
    clearTimeout(this.openTimer);
  }

  /** Sends `frame` if the socket is open; otherwise it is lost with the socket. */
  write(frame: string): void {
    if (this.socket?.readyState === OPEN) this.socket.send(frame);
  }

  /** Closes the socket with `code` and reports nothing more. */
  drop(code: number): void {
    this.stopTimers();
    const socket = this.socket;
    if (socket === null) return;
    this.socket = null;
    socket.onclose = null;
    socket.onmessage = null;
    try {
      socket.close(code);
    } catch {
      // Closing a socket that never opened can throw; it is gone either way.
    }
  }

  /** Restarts the watchdog: the socket just showed it is alive. */
  private alive(): void {
    if (this.socket === null || this.timeouts.heartbeatTimeout <= 0) return;
    clearTimeout(this.watchdog);
    this.watchdog = setTimeout(() => this.giveUp(), this.timeouts.heartbeatTimeout);
  }

  private giveUp(): void {
    this.drop(GIVEN_UP);
    this.events.lost(ABNORMAL_CLOSURE);
  }

  private ended(code: number): void {
    this.socket = null;
    this.stopTimers();
    this.events.lost(code);
  }

  private stopTimers(): void {
    clearTimeout(this.openTimer);
    clearTimeout(this.watchdog);
  }
}

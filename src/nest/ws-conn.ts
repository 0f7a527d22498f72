import type { WebSocket } from 'ws';
import type { Backlog, Conn } from '../core/conn.js';

const OPEN = 1;

/** Adapts a `ws` socket to the core's {@link Conn}, counting what it has not written yet. */
export class WsConn implements Conn {
  private unwritten = 0;
  private readonly written = () => {
    this.unwritten -= 1;
  };

  constructor(private readonly socket: WebSocket) {}

  send(frame: string): void {
    if (this.socket.readyState !== OPEN) return;
    this.unwritten += 1;
    this.socket.send(frame, this.written);
  }

  close(code?: number, reason?: string): void {
    this.socket.close(code, reason);
  }

  backlog(): Backlog {
    return { bytes: this.socket.bufferedAmount, messages: this.unwritten };
  }
}

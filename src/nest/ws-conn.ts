import type { WebSocket } from 'ws';
import type { Conn } from '../core/conn.js';

const OPEN = 1;

/** Adapts a `ws` socket to the core's {@link Conn}. */
export class WsConn implements Conn {
  constructor(private readonly socket: WebSocket) {}

  send(frame: string): void {
    if (this.socket.readyState === OPEN) this.socket.send(frame);
  }

  close(code?: number, reason?: string): void {
    this.socket.close(code, reason);
  }
}

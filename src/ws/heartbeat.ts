// Liveness: every client pinged on an interval, the silent ones closed.
import type { WebSocketServer } from 'ws';
import type { BroadcasterSocket } from '../ws/broadcaster-socket.js';

/**
 * Pings every client each `intervalMs`. A client from which nothing at all arrived
 * since the previous ping — no pong, no ping, no data frame — is terminated (its
 * 'close' then removes and announces it).
 */
export class Heartbeat {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly intervalMs: number,
    private readonly onTimeout: () => void,
  ) {}

  start(server: WebSocketServer): void {
    if (this.intervalMs <= 0 || this.timer !== undefined) return;
    this.timer = setInterval(() => this.beat(server), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private beat(server: WebSocketServer): void {
    for (const socket of server.clients as Set<BroadcasterSocket>) {
      if (!socket.heard) {
        this.onTimeout();
        socket.terminate();
        continue;
      }
      socket.heard = false;
      socket.ping();
    }
  }
}

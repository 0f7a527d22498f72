import type { WebSocket, WebSocketServer } from 'ws';

/**
 * Pings every client each `intervalMs`; a client that has not answered the previous
 * ping by the next one is terminated (its 'close' then removes and announces it).
 */
export class Heartbeat {
  private readonly alive = new WeakSet<WebSocket>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly intervalMs: number,
    private readonly onTimeout: () => void,
  ) {}

  /** Starts watching a new connection. */
  watch(socket: WebSocket): void {
    this.alive.add(socket);
    socket.on('pong', () => this.alive.add(socket));
  }

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
    for (const socket of server.clients) {
      if (!this.alive.has(socket)) {
        this.onTimeout();
        socket.terminate();
        continue;
      }
      this.alive.delete(socket);
      socket.ping();
    }
  }
}

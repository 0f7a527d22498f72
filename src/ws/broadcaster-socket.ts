// The `ws` socket class of the broadcaster's server: data frames straight to the core.
import { WebSocket } from 'ws';

/** What the broadcaster does with each data frame a client sends. */
export type FrameListener = (data: Buffer, isBinary: boolean) => void;

/**
 * The `ws` socket class of the broadcaster's server (`ws` lets a server name its socket
 * class). Data frames go straight to the one listener set with {@link onFrame}: Nest's
 * `WsAdapter` also listens for `'message'`, to `JSON.parse` every frame for its own
 * `{event, data}` routing, and no frame may be parsed before the rate limiter has
 * admitted it.
 */
export class BroadcasterSocket extends WebSocket {
  /** Whether anything arrived from the client since the last heartbeat looked. */
  heard = true;
  private frameListener: FrameListener | null = null;

  onFrame(listener: FrameListener): void {
    this.frameListener = listener;
  }

  override emit(event: string | symbol, ...args: unknown[]): boolean {
    if (event === 'message' && this.frameListener !== null) {
      this.heard = true;
      this.frameListener(args[0] as Buffer, args[1] as boolean);
      return true;
    }
    return super.emit(event, ...args);
  }
}

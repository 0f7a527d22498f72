// A connection's handle before it is known what it is: what the client sends waits, within bounds.
import type { ClientSession } from '../conn.js';

/** What a client may send before its connection is settled; past it, the connection is closed. */
const MAX_EARLY_FRAMES = 128;
const MAX_EARLY_BYTES = 1024 * 1024;

/**
 * The handle of a connection whose session is still being looked for: frames the
 * client sends wait (at most 128, or 1 MiB: past that, `overflow` runs), and once the
 * connection is settled ({@link settle}) they go to the handle it turned out to have,
 * as does everything after. A connection lost meanwhile is settled as gone.
 */
export class DeferredSession {
  readonly handle: ClientSession;
  private inner: ClientSession | null = null;
  private readonly early: (string | Uint8Array)[] = [];
  private earlyBytes = 0;
  /** How the connection ended before it was settled (`ended`: closed normally), if it did. */
  private detached: { ended: boolean } | null = null;

  constructor(clientId: string, overflow: () => void) {
    const idOf = () => this.inner?.id ?? clientId;
    this.handle = {
      get id() {
        return idOf();
      },
      receive: (data) => {
        if (this.inner !== null) return this.inner.receive(data);
        if (this.detached !== null) return;
        this.early.push(data);
        this.earlyBytes += data.length;
        if (this.early.length > MAX_EARLY_FRAMES || this.earlyBytes > MAX_EARLY_BYTES) {
          this.detached = { ended: false };
          this.early.length = 0;
          overflow();
        }
      },
      control: () => this.inner?.control() ?? true,
      detach: (ended) => {
        if (this.inner !== null) return this.inner.detach(ended);
        this.detached ??= { ended: ended === true };
      },
    };
  }

  /** Whether the connection was lost (or closed for sending too much) before it was settled. */
  get gone(): boolean {
    return this.detached !== null;
  }

  /** The connection turned out to have `inner`: what waited goes to it. */
  settle(inner: ClientSession): void {
    this.inner = inner;
    for (const data of this.early.splice(0)) inner.receive(data);
  }
}

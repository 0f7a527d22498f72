// Test helper: a backplane that loses chosen messages.
import type { Backplane, BackplaneListener } from '../cluster/backplane';
import type { InMemoryBackplane } from '../cluster/in-memory-backplane';

/**
 * A backplane between a node and the hub that can lose chosen messages on their way in,
 * as Redis pub/sub does for a subscriber that falls behind, or hold everything back while
 * saying it is up, as a stalled Redis does.
 */
export class UnreliableBackplane implements Backplane {
  loseIncoming: (message: string) => boolean = () => false;
  stalled = false;
  private readonly held: string[] = [];
  private listener: BackplaneListener | null = null;

  constructor(private readonly inner: InMemoryBackplane) {}

  connect(listener: BackplaneListener): Promise<void> {
    this.listener = listener;
    return this.inner.connect({
      message: (message) => {
        if (this.stalled) this.held.push(message);
        else if (!this.loseIncoming(message)) listener.message(message);
      },
      up: () => listener.up(),
      down: (reason) => listener.down(reason),
    });
  }

  publish(message: string): boolean {
    return this.inner.publish(message);
  }

  resume(): void {
    this.stalled = false;
    for (const message of this.held.splice(0)) this.listener?.message(message);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

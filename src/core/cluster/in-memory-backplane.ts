// A backplane inside one process, for several broadcasters in one process and for tests.
import type { Backplane, BackplaneListener } from './backplane.js';

/**
 * A backplane inside one process: every broadcaster given a backplane of the same
 * `hub` is one cluster. Useful to run several broadcasters in one process, and in tests;
 * across processes use {@link RedisBackplane}.
 */
export class InMemoryBackplane implements Backplane {
  private listener: BackplaneListener | null = null;
  private linked = true;

  constructor(private readonly hub: InMemoryHub = new InMemoryHub()) {}

  async connect(listener: BackplaneListener): Promise<void> {
    this.listener = listener;
    this.hub.members.add(this);
    listener.up();
  }

  publish(message: string): boolean {
    if (!this.linked) return false;
    // Delivered on a later microtask, as a broker would, never inside the publisher's call.
    const members = [...this.hub.members];
    queueMicrotask(() => {
      for (const member of members) if (member.linked) member.listener?.message(message);
    });
    return true;
  }

  /** Cuts this member off the hub (`false`) or puts it back (`true`), as an outage would. */
  setLinked(linked: boolean): void {
    if (linked === this.linked) return;
    this.linked = linked;
    if (linked) this.listener?.up();
    else this.listener?.down('unlinked from the in-memory hub');
  }

  async close(): Promise<void> {
    this.hub.members.delete(this);
    this.listener = null;
  }
}

/** The shared medium of a set of {@link InMemoryBackplane}s. */
export class InMemoryHub {
  readonly members = new Set<InMemoryBackplane>();
}

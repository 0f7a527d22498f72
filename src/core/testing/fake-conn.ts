// Test helper: a Conn that records what the core wrote.
import type { Conn } from '../conn.js';

/** An in-memory {@link Conn} that records what the core wrote, for unit tests. */
export class FakeConn implements Conn {
  readonly frames: string[] = [];
  closedWith: { code?: number; reason?: string } | null = null;

  send(frame: string): void {
    this.frames.push(frame);
  }

  close(code?: number, reason?: string): void {
    this.closedWith = { code, reason };
  }

  json(): Array<Record<string, unknown>> {
    return this.frames.map((frame) => JSON.parse(frame) as Record<string, unknown>);
  }

  take(): Array<Record<string, unknown>> {
    const taken = this.json();
    this.frames.length = 0;
    return taken;
  }
}

// The session's side of a relayed connection: frames written to it go to the node that holds the socket.
import type { Conn } from '../conn.js';
import type { RelayEnvelope } from '../cluster/envelope.js';
import type { DistributiveOmit } from '../cluster/cluster.js';

/** How a relayed connection reaches the cluster. */
export type RelayPublish = (envelope: DistributiveOmit<RelayEnvelope, 'node'>) => void;

/**
 * A {@link Conn} whose socket is on another node (`to`, which knows it as `link`): the
 * frames of one event-loop turn go there in one numbered `session-out` message (more
 * when they would not fit in `maxBatchChars`). The other node watches the socket's
 * backlog; a gap in the numbering ends the connection there, and the client resumes
 * with what it counted.
 */
export class RelayedConn implements Conn {
  private queued: string[] = [];
  private queuedChars = 0;
  private scheduled = false;
  private seq = 0;
  private closed = false;

  constructor(
    readonly to: string,
    readonly link: string,
    private readonly publish: RelayPublish,
    private readonly maxBatchChars: number,
    private readonly onClosed: () => void,
  ) {}

  send(text: string): void {
    if (this.closed) return;
    if (this.queuedChars > 0 && this.queuedChars + text.length > this.maxBatchChars) this.flush();
    this.queued.push(text);
    this.queuedChars += text.length;
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** The server closes the connection: what is queued goes first, then the close. */
  close(code = 1000, reason = ''): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    this.publish({ kind: 'session-close', to: this.to, link: this.link, code, reason });
    this.onClosed();
  }

  /** The connection is gone at the other end: nothing more is sent. */
  drop(): void {
    this.closed = true;
    this.queued = [];
  }

  private flush(): void {
    this.scheduled = false;
    if (this.queued.length === 0 || this.closed) return;
    const frames = this.queued;
    this.queued = [];
    this.queuedChars = 0;
    this.seq += 1;
    this.publish({ kind: 'session-out', to: this.to, link: this.link, seq: this.seq, frames });
  }
}

// A connection here whose session is on another node: its frames go there, the session's come back.
import { OutgoingFrame, type ClientSession, type Conn, type BacklogLimits } from '../conn.js';
import type { RelayPublish } from './relayed-conn.js';

/** The close code of a relayed connection whose relay broke: the client resumes with what it counted. */
export const RELAY_INTERRUPTED = 1012;
/**
 * What a client may send before its resume is answered (it has no reason to send anything
 * then): past this many frames or bytes, the connection is closed as a policy violation.
 */
const MAX_WAITING_FRAMES = 128;
const MAX_WAITING_BYTES = 1024 * 1024;
const POLICY_VIOLATION = 1008;

/** What the relay does when the session's node cannot take the connection. */
export type FallBack = () => ClientSession;

/**
 * One connection on this node whose session the node `holder` holds. Until the holder
 * answers, what the client sends waits; then the connection is relayed (the session's
 * frames, numbered per message, are written here; the client's go there, numbered), or,
 * refused, it goes on here as a new client. A gap in the numbering, a holder that is
 * gone, or a socket past the backlog limits ends the relayed connection: the client
 * reconnects, and resumes with what it counted.
 */
export class RelayIn {
  private state: 'waiting' | 'relayed' | 'local' | 'closed' = 'waiting';
  private readonly waiting: (string | Uint8Array)[] = [];
  private waitingBytes = 0;
  private lastOut = 0;
  private lastIn = 0;
  private local: ClientSession | null = null;
  readonly handle: ClientSession;

  constructor(
    readonly holder: string,
    readonly link: string,
    clientId: string,
    private readonly conn: Conn,
    private readonly publish: RelayPublish,
    private readonly limits: BacklogLimits,
    private readonly fallBack: FallBack,
    /** Called once the connection no longer needs the relay (closed, or a client here). */
    private readonly done: () => void,
  ) {
    const idOf = () => this.local?.id ?? clientId;
    this.handle = {
      get id() {
        return idOf();
      },
      receive: (data) => this.receive(data),
      control: () => this.local?.control() ?? true,
      detach: (ended) => this.detach(ended === true),
    };
  }

  /** Whether the connection is still waiting for the holder's answer. */
  get isWaiting(): boolean {
    return this.state === 'waiting';
  }

  /** Frames of the session: the first message starts the relay. */
  out(seq: number, frames: readonly string[]): void {
    if (this.state === 'waiting') {
      this.state = 'relayed';
      for (const data of this.waiting.splice(0)) this.receive(data);
    }
    if (this.state !== 'relayed') return;
    if (seq !== this.lastOut + 1) return this.interrupt(`relayed frames out of sequence (${seq} after ${this.lastOut})`);
    this.lastOut = seq;
    for (const text of frames) this.conn.send(text, new OutgoingFrame(text));
    const unsent = this.conn.unsentBytes?.() ?? 0;
    if (unsent > this.limits.maxBufferedBytes) this.interrupt('the client fell too far behind reading');
  }

  /** The holder refused the resume (or never answered): the connection goes on here as a new client. */
  refused(): void {
    if (this.state !== 'waiting') return;
    this.state = 'local';
    this.done();
    this.local = this.fallBack();
    for (const data of this.waiting.splice(0)) this.local.receive(data);
  }

  /** The holder closes the connection. */
  closedByHolder(code: number, reason: string): void {
    if (this.state === 'local' || this.state === 'closed') return;
    this.close();
    this.conn.close(code, reason);
  }

  /** The holder is gone: a waiting connection goes on here; a relayed one ends (the client will come back). */
  holderGone(): void {
    if (this.state === 'waiting') this.refused();
    else if (this.state === 'relayed') this.interrupt('the instance holding its session is gone');
  }

  private receive(data: string | Uint8Array): void {
    if (this.state === 'local') return this.local!.receive(data);
    if (this.state === 'waiting') {
      this.waiting.push(data);
      this.waitingBytes += data.length;
      if (this.waiting.length > MAX_WAITING_FRAMES || this.waitingBytes > MAX_WAITING_BYTES) {
        this.publish({ kind: 'session-lost', to: this.holder, link: this.link, ended: false });
        this.close();
        this.conn.close(POLICY_VIOLATION, 'too much sent before the session was resumed');
      }
      return;
    }
    if (this.state !== 'relayed') return;
    this.lastIn += 1;
    const text = typeof data === 'string' ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8');
    this.publish({ kind: 'session-in', to: this.holder, link: this.link, seq: this.lastIn, data: text });
  }

  private detach(ended: boolean): void {
    if (this.state === 'local') return this.local!.detach(ended);
    const tell = this.state === 'waiting' || this.state === 'relayed';
    this.close();
    // Told even while waiting: a resume answered later must not leave the session held open.
    if (tell) this.publish({ kind: 'session-lost', to: this.holder, link: this.link, ended });
  }

  private close(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.done();
  }

  private interrupt(why: string): void {
    this.publish({ kind: 'session-lost', to: this.holder, link: this.link, ended: false });
    this.close();
    this.conn.close(RELAY_INTERRUPTED, `session relay interrupted: ${why}`.slice(0, 120));
  }
}

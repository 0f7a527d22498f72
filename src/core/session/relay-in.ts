// A connection here whose session is on another node: its frames go there, the session's come back.
import { withFacts } from '../log-facts.js';
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

/** What one relayed connection is given by the relay that made it. */
export interface RelayInContext {
  /** The node holding the session, and its name for this connection there. */
  holder: string;
  link: string;
  /** The session's client ID, until the connection is known to be relayed or not. */
  clientId: string;
  /** The resume asked for: the session's token, and the frames the client counted. */
  token: string;
  received: number;
  /** The connection here. */
  conn: Conn;
  publish: RelayPublish;
  limits: BacklogLimits;
  /** Makes the connection a new client here, when the holder will not take it. */
  fallBack: () => ClientSession;
  /** Called once the connection no longer needs the relay (closed, or a client here). */
  done: () => void;
  warn: (message: string) => void;
}

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
  readonly holder: string;
  private readonly conn: Conn;

  constructor(private readonly context: RelayInContext) {
    this.holder = context.holder;
    this.conn = context.conn;
    const idOf = () => this.local?.id ?? context.clientId;
    this.handle = {
      get id() {
        return idOf();
      },
      receive: (data) => this.receive(data),
      control: () => this.local?.control() ?? true,
      detach: (ended) => this.detach(ended === true),
    };
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
    if (unsent > this.context.limits.maxBufferedBytes) this.interrupt('the client fell too far behind reading');
  }

  /** The holder refused the resume (or never answered): the connection goes on here as a new client. */
  refused(): void {
    if (this.state !== 'waiting') return;
    this.state = 'local';
    this.context.done();
    this.local = this.context.fallBack();
    for (const data of this.waiting.splice(0)) this.local.receive(data);
  }

  /**
   * The holder handed the session over to this node instead: `take` resumes it here on
   * this connection (its handle, or `null` if it cannot), which is no longer relayed.
   */
  arrived(take: (conn: Conn, token: string, received: number) => ClientSession | null): void {
    if (this.state !== 'waiting') return;
    const local = take(this.conn, this.context.token, this.context.received);
    if (local === null) return this.refused();
    this.state = 'local';
    this.context.done();
    this.local = local;
    for (const data of this.waiting.splice(0)) local.receive(data);
  }

  /** The holder closes the connection. */
  closedByHolder(code: number, reason: string): void {
    if (this.state === 'local' || this.state === 'closed') return;
    this.close();
    this.conn.close(code, reason);
  }

  /** The holder never answered: it is told the connection is lost (should it answer late), which goes on here. */
  timedOut(): void {
    if (this.state !== 'waiting') return;
    this.context.warn(
      withFacts(`client ${this.context.clientId}: the instance holding its session did not answer a resume; it goes on as a new client`, {
        event: 'session_resume_unanswered',
        clientId: this.context.clientId,
      }),
    );
    this.tellLost(false);
    this.refused();
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
        this.context.warn(
          withFacts(`client ${this.context.clientId}: sent more than ${MAX_WAITING_FRAMES} frames or ${MAX_WAITING_BYTES} bytes before its resume was answered; closed`, {
            event: 'session_resume_flooded',
            clientId: this.context.clientId,
          }),
        );
        this.tellLost(false);
        this.close();
        this.conn.close(POLICY_VIOLATION, 'too much sent before the session was resumed');
      }
      return;
    }
    if (this.state !== 'relayed') return;
    this.lastIn += 1;
    const text = typeof data === 'string' ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8');
    this.context.publish({ kind: 'session-in', to: this.holder, link: this.context.link, seq: this.lastIn, data: text });
  }

  private detach(ended: boolean): void {
    if (this.state === 'local') return this.local!.detach(ended);
    const tell = this.state === 'waiting' || this.state === 'relayed';
    this.close();
    // Told even while waiting: a resume answered later must not leave the session held open.
    if (tell) this.tellLost(ended);
  }

  private tellLost(ended: boolean): void {
    this.context.publish({ kind: 'session-lost', to: this.holder, link: this.context.link, ended });
  }

  private close(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.context.done();
  }

  private interrupt(why: string): void {
    this.tellLost(false);
    this.close();
    this.conn.close(RELAY_INTERRUPTED, `session relay interrupted: ${why}`.slice(0, 120));
  }
}

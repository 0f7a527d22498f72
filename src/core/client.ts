// One connected client: its connection, identity, rooms, and the order of its outcomes.
import { withFacts } from './log-facts.js';
import type { BroadcasterLogger, ClientIdentity, HandlerContext } from './handlers.js';
import { exceedsBacklog, type BacklogLimits, type CastLane, type Conn, type LaneSeat, type OutgoingFrame } from './conn.js';
import type { ClientId } from './message.js';
import type { TokenBucket } from './rate-limiter.js';
import { abortCall } from './call-abort.js';
import { ClientGoneError } from './errors.js';
import { isPromiseLike } from './promise-like.js';
import { stackOf } from './thrown-text.js';
import type { EchoListener } from './cluster/pending-echoes.js';
import type { Appending } from './history/appending.js';
import { OwedAnswers } from './history/owed-answers.js';
import { NO_PRESENCE, type LocalPresence } from './presence/presence-info.js';

/** How a client's context changes the client's rooms: the core's room operations. */
export interface RoomMembership {
  join(client: Client, room: string): void;
  leave(client: Client, room: string): void;
}

/**
 * One connected client: its connection, who it is, its rooms, and the queue that keeps
 * the outcomes of its requests and events in arrival order while handlers run concurrently.
 */
export class Client {
  private tail: Promise<void> | null = null;
  /** Outcomes queued and not settled yet: requests in flight and refusals waiting their turn. */
  private queued = 0;
  /** The messages of handler calls still running, to give up when the client leaves. */
  private running: Set<object> | null = null;
  private broken = false;
  private closed = false;
  /** Acks owed for requests whose publications are going round the cluster's history; `null` until there are any. */
  private owed: OwedAnswers | null = null;
  readonly context: HandlerContext;
  /** The rooms it is in; `null` until it joins one, since most clients never do. */
  rooms: Set<string> | null = null;
  /** What presence shows of it: the app's info (as JSON), its user room, whether it is away. */
  presence: LocalPresence = NO_PRESENCE;

  constructor(
    readonly id: ClientId,
    private readonly conn: Conn,
    private readonly logger: BroadcasterLogger,
    identity: ClientIdentity,
    readonly rateLimiter: TokenBucket | null,
    membership: RoomMembership,
  ) {
    this.context = new ClientContext(this, identity, membership);
  }

  /** Writes a frame; a connection that throws is closed rather than retried. */
  send(frame: OutgoingFrame): void {
    if (this.broken || this.closed) return;
    try {
      this.conn.send(frame.text, frame);
    } catch (error) {
      this.sendingFailed(error);
    }
  }

  /**
   * Writes a frame unless one more would take the client past its backlog limits
   * (see {@link wouldOverflow}); false when it would. A closed client takes nothing and
   * is never over its limits.
   */
  sendWithin(frame: OutgoingFrame, limits: BacklogLimits): boolean {
    if (this.conn.sendWithin === undefined) {
      if (this.wouldOverflow(limits, frame.text.length)) return false;
      this.send(frame);
      return true;
    }
    if (this.broken || this.closed) return true;
    try {
      return this.conn.sendWithin(frame, limits);
    } catch (error) {
      this.sendingFailed(error);
      return true;
    }
  }

  /** Its connection threw while writing: it is closed rather than written to again. */
  sendingFailed(error: unknown): void {
    if (this.broken) return;
    this.broken = true;
    this.logger.error(withFacts(`client ${this.id}: sending failed, closing its connection`, { event: 'send_failed', clientId: this.id }), stackOf(error));
    this.close();
  }

  /** Joins its connection's cast lane, if it has one (see {@link Conn.joinLane}). */
  joinLane(seat: LaneSeat): CastLane | null {
    return this.conn.joinLane?.(seat) ?? null;
  }

  leaveLane(): void {
    this.conn.leaveLane?.();
  }

  /** Bytes the client has not taken yet, where the connection can tell. */
  unsentBytes(): number {
    return this.conn.unsentBytes?.() ?? 0;
  }

  /** Whether one more frame of `size` bytes would take the client past its backlog limits (see {@link exceedsBacklog}). */
  wouldOverflow(limits: BacklogLimits, size: number): boolean {
    if (this.conn.unsentBytes === undefined) return false;
    return exceedsBacklog(this.conn.unsentFrames?.() ?? 0, this.conn.unsentBytes(), size, limits);
  }

  /** Whether the server closed this client's connection: it is sent nothing more. */
  get isClosed(): boolean {
    return this.closed;
  }

  close(code?: number, reason?: string): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.conn.close(code, reason);
    } catch (error) {
      this.logger.error(withFacts(`client ${this.id}: closing its connection failed`, { event: 'close_failed', clientId: this.id }), stackOf(error));
    }
  }

  /** Whether no outcome of this client's is waiting to be settled (acks may still be owed: see {@link owe}). */
  get idle(): boolean {
    return this.tail === null;
  }

  /** How many outcomes wait to be settled or acked: what `maxRequestsInFlight` bounds. */
  get inFlight(): number {
    return this.queued + (this.owed?.size ?? 0);
  }

  /** Whether an ack is owed for a request whose publications are still going round the cluster. */
  get owesAnswers(): boolean {
    return this.owed !== null && this.owed.size > 0;
  }

  /**
   * Owes the answer to a request whose publications are going round the cluster's
   * history: `answer` is called once they and every earlier such request's are back.
   * Meanwhile the client's later outcomes wait, except publications (see `Dispatcher`).
   */
  owe(appending: Appending, answer: EchoListener): void {
    (this.owed ??= new OwedAnswers()).add(appending, answer);
  }

  /** Runs `task` now when no answer is owed, else once every owed answer was sent. */
  afterOwedAnswers(task: () => void | Promise<void>): void | Promise<void> {
    return this.owesAnswers ? this.owed!.drained().then(task) : task();
  }

  /**
   * Calls `settle` with the outcome once every earlier outcome of this client has been
   * settled and every answer owed has been sent (unless `settleMayPipeline`: then
   * `settle` sees to the answers owed itself). A plain value with nothing queued settles
   * at once, without a promise.
   */
  inOrder<T>(
    outcome: T | PromiseLike<T>,
    settle: (value: T) => void | Promise<void>,
    fail: (error: unknown) => void,
    settleMayPipeline = false,
  ): void {
    if (this.tail === null && !isPromiseLike(outcome) && (settleMayPipeline || !this.owesAnswers)) {
      const settling = settle(outcome);
      // Settling that must wait (for answers owed) holds the client's later outcomes too.
      if (isPromiseLike(settling)) this.inOrder(settling, () => undefined, () => undefined, true);
      return;
    }
    this.queued += 1;
    const previous = this.tail ?? Promise.resolve();
    const step: Promise<void> = previous
      .then(() => outcome)
      .then(
        (value) => (settleMayPipeline ? settle(value) : this.afterOwedAnswers(() => settle(value))),
        (error: unknown) => this.afterOwedAnswers(() => fail(error)),
      )
      .catch((error: unknown) => this.logger.error(withFacts(`client ${this.id}: delivering a result failed`, { event: 'delivery_failed', clientId: this.id }), stackOf(error)))
      .then(() => {
        this.queued -= 1;
        if (this.tail === step) this.tail = null;
      });
    this.tail = step;
  }

  /** Notes a handler call still running for this client, given `message`. */
  callStarted(message: object): void {
    (this.running ??= new Set()).add(message);
  }

  callEnded(message: object): void {
    this.running?.delete(message);
  }

  /** The client left: every call still running for it is given up (see `abortCall`). */
  abandonCalls(): void {
    if (this.running === null) return;
    for (const message of this.running) abortCall(message, new ClientGoneError(this.id));
    this.running = null;
  }

  /** Runs `task` after every outcome queued so far has been settled. */
  whenSettled(task: () => void): void {
    this.inOrder(undefined, task, () => undefined);
  }

  /** Resolves once everything queued so far has been settled. */
  settled(): Promise<void> {
    return (this.tail ?? Promise.resolve()).then(() => this.owed?.drained());
  }
}

/** What handlers see of a client; see {@link HandlerContext}. */
class ClientContext implements HandlerContext {
  readonly clientId: ClientId;
  readonly principal: unknown;
  readonly request: ClientIdentity['request'];
  // Private fields stay out of logs, JSON and test snapshots of the context.
  readonly #client: Client;
  readonly #membership: RoomMembership;

  constructor(client: Client, identity: ClientIdentity, membership: RoomMembership) {
    this.clientId = client.id;
    this.principal = identity.principal;
    this.request = identity.request;
    this.#client = client;
    this.#membership = membership;
  }

  get rooms(): string[] {
    return this.#client.rooms === null ? [] : [...this.#client.rooms];
  }

  join(room: string): void {
    this.#membership.join(this.#client, room);
  }

  leave(room: string): void {
    this.#membership.leave(this.#client, room);
  }
}

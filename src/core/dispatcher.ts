// From a client's frame to an outcome: refusals, decoding, running the handler, settling in order.
import { withFacts } from './log-facts.js';
import type { Client } from './client.js';
import { isPromiseLike } from './promise-like.js';
import { stackOf } from './thrown-text.js';
import { decodeRequest, encodeAck, encodeError, type RequestId } from './codec.js';
import { OutgoingFrame } from './conn.js';
import { BroadcasterException, ClientGoneError, CloseCode, ErrorCode, FrameRejection, HandlerTimeoutError } from './errors.js';
import type {
  BroadcasterLogger,
  EventHandlerFn,
  EventHandlers,
  HandlerContext,
  MessageHandlerFn,
  MessageHandlers,
} from './handlers.js';
import { withDeadline } from './handler-deadline.js';
import type { HandlerMeter } from './handler-meter.js';
import type { Appending } from './history/appending.js';
import type { RecoverRequest } from './history/recover-request.js';
import type { EventMessage, EventType, RequestMessage, ResponseMessage } from './message.js';
import { toResponses } from './response-validation.js';
import type { Hub } from './hub.js';
import type { ThrottledLog } from './throttled-log.js';
import { countInto, type CoreStats } from './stats.js';

const INTERNAL_ERROR = 'internal error';
export const NO_HANDLER_ID = 0;

/** Casts a handler's responses (see `Caster`). */
export interface OutcomeCaster {
  /** Casts them all, or throws before casting any; returns the publications going round the cluster's history. */
  castAll(senderId: string, handlerId: number, responses: readonly ResponseMessage[]): Appending | undefined;
  /** Casts them only when all are publications going round the cluster's history; else casts nothing and returns `null`. */
  castPublications(senderId: string, handlerId: number, responses: readonly ResponseMessage[]): Appending | null;
}

/** Disconnects a misbehaving client: its leave is announced, then it is closed with `code` and `reason`. */
export type EvictFn = (client: Client, code: number, reason: string, why: string) => void;

/**
 * Turns what a client sends into outcomes: it refuses what must be refused before a frame
 * is read (shutdown, rate limit), decodes the rest, runs the handler, and settles the
 * outcome in the client's order — its responses are cast, or the client gets one error
 * frame and nothing is cast. The one place where a handler is run.
 */
export class Dispatcher {
  private messageHandlers: MessageHandlers = new Map();
  private eventHandlers: EventHandlers = new Map();
  /** Per-handler counts and durations, when metrics are on. */
  private meter: HandlerMeter | null = null;

  constructor(
    private readonly hub: Hub,
    private readonly evict: EvictFn,
    private readonly caster: OutcomeCaster,
    private readonly counters: CoreStats,
    private readonly logger: BroadcasterLogger,
    private readonly handlerTimeout: number,
    private readonly maxRequestsInFlight: number,
    private readonly warnings: ThrottledLog,
    private readonly isClosing: () => boolean,
    private readonly recover: (client: Client, request: RecoverRequest) => Promise<void>,
  ) {}

  setHandlers(messageHandlers: MessageHandlers, eventHandlers: EventHandlers): void {
    this.messageHandlers = messageHandlers;
    this.eventHandlers = eventHandlers;
  }

  /** Starts counting per handler (metrics); nothing is measured until then. */
  measureWith(meter: HandlerMeter): void {
    this.meter = meter;
  }

  /** One frame from `client`. */
  receive(client: Client, data: string | Uint8Array): void {
    if (!this.hub.has(client)) return;
    this.counters.messagesIn += 1;
    // Refusals are decided before the frame is read at all, and keep their place in the
    // client's order behind the replies to its earlier requests.
    if (this.isClosing()) {
      client.whenSettled(() => this.sendError(client, 0, ErrorCode.ShuttingDown, 'the server is shutting down'));
      return;
    }
    const verdict = client.rateLimiter?.take() ?? 'accept';
    if (verdict !== 'accept') {
      this.refuseOverRate(client, verdict === 'disconnect');
      return;
    }
    if (client.inFlight >= this.maxRequestsInFlight) {
      this.refuseOverInFlight(client);
      return;
    }
    const decoded = decodeRequest(data);
    if (decoded instanceof FrameRejection) {
      const { handlerId, code, message, requestId } = decoded;
      client.whenSettled(() => this.sendError(client, handlerId, code, message, requestId));
      return;
    }
    if ('rooms' in decoded) {
      if (this.meter !== null) this.meter.recoveries += 1;
      // Answered in the client's order, after its earlier requests; its later ones wait for
      // the answer (a promise as the outcome makes the order wait for what settling returns).
      client.inOrder(Promise.resolve(), () => (this.hub.has(client) ? this.recover(client, decoded) : undefined), () => undefined);
      return;
    }
    const { handlerId, body, requestId } = decoded;
    const handler = this.messageHandlers.get(handlerId);
    if (handler === undefined) {
      client.whenSettled(() =>
        this.sendError(client, handlerId, ErrorCode.UnknownHandler, `no handler for HandlerID ${handlerId}`, requestId),
      );
      return;
    }
    this.run(client, handlerId, handler, { senderId: client.id, handlerId, body }, requestId);
  }

  /**
   * A control frame (a ping) from `client`: it counts against the rate limit, and is
   * answered only while the client reads what it is sent, so that a client that never
   * reads cannot make the server queue answers without bound.
   */
  receiveControl(client: Client): boolean {
    if (!this.hub.has(client)) return false;
    const verdict = client.rateLimiter?.take() ?? 'accept';
    if (verdict === 'disconnect') {
      this.refuseOverRate(client, true);
      return false;
    }
    if (verdict === 'refuse') return false;
    return this.hub.hasRoomFor(client, 0);
  }

  /** Runs the handler of a join or leave (of the server, or of `room`), if there is one. */
  runEventHandler(client: Client, eventType: EventType, room?: string): void {
    const handler: EventHandlerFn | undefined = this.eventHandlers.get(eventType);
    if (handler === undefined) return;
    const event = room === undefined ? { eventType, clientId: client.id } : { eventType, clientId: client.id, room };
    this.run(client, NO_HANDLER_ID, handler, event);
  }

  private refuseOverRate(client: Client, flooding: boolean): void {
    if (!flooding) {
      client.whenSettled(() => this.sendError(client, 0, ErrorCode.RateLimited, 'too many messages: slow down'));
      return;
    }
    this.counters.floodDisconnects += 1;
    this.evict(client, CloseCode.PolicyViolation, 'rate limit exceeded', 'kept flooding past its rate limit');
  }

  /**
   * A client with `maxRequestsInFlight` outcomes unsettled is refused like one over its
   * rate limit (the refusal waits its turn, so it is bounded too); one that keeps
   * sending until twice that many wait is flooding, and is disconnected.
   */
  private refuseOverInFlight(client: Client): void {
    if (client.inFlight < 2 * this.maxRequestsInFlight) {
      client.whenSettled(() =>
        this.sendError(client, 0, ErrorCode.RateLimited, `too many requests in flight (at most ${this.maxRequestsInFlight})`),
      );
      return;
    }
    this.counters.floodDisconnects += 1;
    this.evict(client, CloseCode.PolicyViolation, 'too many requests in flight', `kept ${client.inFlight} requests in flight`);
  }

  /**
   * Runs a handler now and settles its outcome in the client's order. A request with a
   * `RequestID` is then acked, after every frame it produced for its sender, or answered
   * by the one error frame.
   */
  private run(
    client: Client,
    handlerId: number,
    handler: MessageHandlerFn | EventHandlerFn,
    message: RequestMessage | EventMessage,
    requestId?: RequestId,
  ): void {
    const meter = handlerId === NO_HANDLER_ID ? null : this.meter;
    const started = meter === null ? 0 : performance.now();
    let outcome: unknown;
    try {
      outcome = (handler as (message: unknown, ctx: HandlerContext) => unknown)(message, client.context);
    } catch (error) {
      meter?.callReturned(handlerId, started);
      client.whenSettled(() => this.reportFailure(client, handlerId, handler, error, requestId));
      return;
    }
    meter?.callReturned(handlerId, started, outcome);
    // The common case, a plain result with nothing of this client's still pending, is
    // settled at once, without a closure or a promise.
    if (client.idle && !isPromiseLike(outcome)) {
      const waiting = this.settle(client, handlerId, handler, outcome, requestId);
      // Its frames wait for the acks owed before it: the client's next outcomes wait too.
      if (waiting !== undefined) client.inOrder(waiting, () => undefined, () => undefined, true);
      return;
    }
    if (isPromiseLike(outcome)) {
      // A call still running is given up at its deadline, or when its client leaves.
      client.callStarted(message);
      const ended = () => client.callEnded(message);
      outcome.then(ended, ended);
      if (this.handlerTimeout > 0) {
        const where = handler.name || `handler ${handlerId}`;
        outcome = withDeadline(outcome, this.handlerTimeout, message, (why) => this.logger.warn(withFacts(`${where} for client ${client.id} ${why}`, { event: 'handler_overdue', clientId: client.id, handlerId })));
      }
    }
    client.inOrder(
      outcome,
      (result) => this.settle(client, handlerId, handler, result, requestId),
      (error) => this.reportFailure(client, handlerId, handler, error, requestId),
      true,
    );
  }

  /**
   * Casts what a handler returned, then acks; a result that breaks the rules casts
   * nothing. Publications that go round the cluster's history are acked when they come
   * back (the client owes nothing else meanwhile: see `Client.owe`), so one client's
   * publications are appended without waiting for each other. While acks are owed, any
   * other outcome waits for them: the promise returned settles once it was sent.
   */
  private settle(
    client: Client,
    handlerId: number,
    handler: MessageHandlerFn | EventHandlerFn,
    result: unknown,
    requestId: RequestId | undefined,
  ): void | Promise<void> {
    let appending: Appending | null | undefined;
    try {
      const responses = toResponses(result);
      appending = client.owesAnswers
        ? this.caster.castPublications(client.id, handlerId, responses)
        : this.caster.castAll(client.id, handlerId, responses);
    } catch (error) {
      return client.afterOwedAnswers(() => this.reportFailure(client, handlerId, handler, error, requestId));
    }
    if (appending === null) return client.afterOwedAnswers(() => this.settle(client, handlerId, handler, result, requestId));
    if (appending === undefined) return this.ack(client, handlerId, requestId);
    client.owe(appending, (failure) =>
      failure === undefined ? this.ack(client, handlerId, requestId) : this.reportFailure(client, handlerId, handler, failure, requestId),
    );
  }

  private ack(client: Client, handlerId: number, requestId: RequestId | undefined): void {
    if (requestId !== undefined && this.hub.has(client)) {
      this.hub.send(client, new OutgoingFrame(encodeAck(client.id, handlerId, requestId)));
    }
  }

  private reportFailure(
    client: Client,
    handlerId: number,
    handler: MessageHandlerFn | EventHandlerFn,
    error: unknown,
    requestId: RequestId | undefined,
  ): void {
    const where = handler.name || `handler ${handlerId}`;
    // Given up because the client left: nobody is left to tell, and the leave is logged.
    if (error instanceof ClientGoneError) return;
    if (error instanceof HandlerTimeoutError) {
      this.warnings.warn('handler-timeout', `${where} did not settle within ${error.timeoutMs} ms for client ${client.id}`, { clientId: client.id, handlerId, code: ErrorCode.HandlerTimeout });
      this.sendError(client, handlerId, ErrorCode.HandlerTimeout, error.message, requestId);
      return;
    }
    if (error instanceof BroadcasterException) {
      this.warnings.warn('refused', `${where} refused client ${client.id}: ${error.message}`, { clientId: client.id, handlerId, code: error.code });
    } else {
      this.logger.error(withFacts(`${where} failed for client ${client.id}`, { event: 'handler_failed', clientId: client.id, handlerId, code: ErrorCode.HandlerError }), stackOf(error));
    }
    if (error instanceof BroadcasterException) {
      this.sendError(client, handlerId, error.code, error.message, requestId);
      return;
    }
    this.sendError(client, handlerId, ErrorCode.HandlerError, INTERNAL_ERROR, requestId);
  }

  private sendError(client: Client, handlerId: number, code: ErrorCode, message: string, requestId?: RequestId): void {
    if (!this.hub.has(client)) return;
    countInto(this.counters.errors, code);
    this.hub.send(client, new OutgoingFrame(encodeError(client.id, handlerId, code, message, requestId)));
  }
}

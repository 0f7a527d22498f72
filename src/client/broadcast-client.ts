import type { HandlerIdOf, RequestBodyOf, ResponseBodyOf, UntypedApi } from './api-types.js';
import { reconnectDelay, type Backoff } from './backoff.js';
import { BroadcastError } from './broadcast-error.js';
import { readFrame, type ServerFrame } from './frames.js';
import { encodeBody, type OutgoingBody, type Response } from './messages.js';

/** `connecting` until the first join, `open`, `reconnecting` after a loss, `closed` for good. */
export type ClientState = 'connecting' | 'open' | 'reconnecting' | 'closed';

/** What the client needs of a WebSocket: the browser's, Node 22's global one, or `ws`'s. */
export interface WebSocketLike {
  readonly readyState: number;
  binaryType: string;
  onopen: EventHandler<unknown> | null;
  onmessage: EventHandler<{ data: unknown }> | null;
  onclose: EventHandler<{ code: number; reason: string }> | null;
  onerror: EventHandler<unknown> | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  /** Node's `ws` only: lets the watchdog count the server's pings. */
  on?(event: 'ping', listener: () => void): unknown;
}

/**
 * A handler property of a WebSocket. Checked like a method (its parameter either way), so
 * that a class whose events carry more than the client reads — `ws`'s, typed by
 * `@types/ws` — is accepted as it is.
 */
type EventHandler<E> = { bivarianceHack(event: E): void }['bivarianceHack'];

export type WebSocketConstructor = new (url: string) => WebSocketLike;

/** Options of {@link connect}. */
export interface ClientOptions {
  /** The WebSocket class; required where there is no global one (Node 20: `ws`'s). */
  WebSocket?: WebSocketConstructor;
  /** Reconnect after a lost connection, with this backoff (`false`: never). @default { min: 500, max: 20000 } */
  reconnect?: Backoff | false;
  /** A connection open this long resets the backoff, in milliseconds. @default 10000 */
  stableAfter?: number;
  /** Called after each reconnection, once the new connection has its (new) `id`. */
  onReconnect?: () => void;
  /** Messages `send()` keeps while disconnected, sent once connected; beyond, it throws. @default 0 */
  offlineQueue?: number;
  /**
   * A connection whose server has not sent its join this long after the connection was
   * made is given up, and another is tried (a server that accepts and never speaks).
   * In milliseconds; `0` waits forever. @default 10000
   */
  openTimeout?: number;
  /** Default timeout of `request()`, in milliseconds. @default 10000 */
  requestTimeout?: number;
  /**
   * Closes and reconnects a connection that has received no frame (and, with `ws`, no
   * ping) for this long, in milliseconds. Browsers hide pings: set it above the longest
   * quiet time of your app there. `0` turns it off. @default 0
   */
  heartbeatTimeout?: number;
}

type Listener<T> = (value: T) => void;

/**
 * A frame sent with a `RequestID`, waiting for its answer: a `request()` (with a promise)
 * or a `send()` (`settled` null: its errors go to `onError`). Every frame carries an ID,
 * so that answers without one (rate-limit and shutdown refusals) can be matched by order.
 */
interface PendingRequest {
  id: number;
  handlerId: number;
  frame: string;
  /** Order of sending; 0 while not sent. */
  sentSeq: number;
  responses: Response[];
  settled: { resolve(responses: Response[]): void; reject(error: BroadcastError): void } | null;
  timer: ReturnType<typeof setTimeout> | undefined;
}

const OPEN = 1;
/** Refusals that carry no `RequestID` (the server decides them before reading the frame). */
const REFUSALS = new Set(['rate_limited', 'shutting_down']);

/** Close codes after which reconnecting cannot help: a policy violation, a too-big frame, the app's own. */
const isFinal = (code: number) => code === 1008 || code === 1009 || (code >= 4000 && code < 5000);

/**
 * A connection to a broadcaster that keeps itself connected. Create it with {@link connect}.
 */
export class BroadcastClient<Api = UntypedApi> {
  /** This connection's client ID, from its own join; a new one after each reconnection. */
  id: string | undefined;
  state: ClientState = 'connecting';
  private socket: WebSocketLike | null = null;
  private attempt = 0;
  private openedAt = 0;
  private everAcked = false;
  private nextRequestId = 1;
  private sentCount = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private watchdog: ReturnType<typeof setTimeout> | undefined;
  private openTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly pending = new Map<number, PendingRequest>();
  private readonly handlers = new Map<number, Set<Listener<Response>>>();
  private readonly stateListeners = new Set<Listener<ClientState>>();
  private readonly joinListeners = new Set<Listener<string>>();
  private readonly leaveListeners = new Set<Listener<string>>();
  private readonly errorListeners = new Set<Listener<BroadcastError>>();
  private readonly WebSocketClass: WebSocketConstructor;

  constructor(
    readonly url: string,
    private readonly options: ClientOptions = {},
  ) {
    const global = (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    const WebSocketClass = options.WebSocket ?? global;
    if (WebSocketClass === undefined) {
      throw new TypeError('no WebSocket here: pass one as the WebSocket option (in Node 20, the ws package)');
    }
    this.WebSocketClass = WebSocketClass;
    this.open();
  }

  /** Listens to state changes; returns the function that stops listening. */
  onState(listener: Listener<ClientState>): () => void {
    return subscribe(this.stateListeners, listener);
  }

  /** Listens to the responses cast to this client with that HandlerID. */
  on<K extends HandlerIdOf<Api>>(handlerId: K, listener: Listener<Response<ResponseBodyOf<Api, K>>>): () => void {
    let listeners = this.handlers.get(handlerId);
    if (listeners === undefined) this.handlers.set(handlerId, (listeners = new Set()));
    return subscribe(listeners, listener as Listener<Response>);
  }

  /** Listens to other clients joining (their IDs). */
  onJoin(listener: Listener<string>): () => void {
    return subscribe(this.joinListeners, listener);
  }

  /** Listens to clients leaving (their IDs). */
  onLeave(listener: Listener<string>): () => void {
    return subscribe(this.leaveListeners, listener);
  }

  /** Listens to error frames that answer no `request()` (a `send()` that failed, a rate limit…). */
  onError(listener: Listener<BroadcastError>): () => void {
    return subscribe(this.errorListeners, listener);
  }

  /**
   * Sends a request and forgets it. While disconnected it is queued, up to `offlineQueue`
   * messages; beyond that, or once closed, it throws a {@link BroadcastError}.
   */
  send<K extends HandlerIdOf<Api>>(handlerId: K, body?: RequestBodyOf<Api, K>): void {
    if (this.state === 'closed') throw new BroadcastError('closed', 'the client is closed', handlerId);
    if (this.state !== 'open') {
      const limit = this.options.offlineQueue ?? 0;
      let queued = 0;
      for (const request of this.pending.values()) if (request.settled === null && request.sentSeq === 0) queued += 1;
      if (queued >= limit) {
        const why = limit === 0 ? 'send() keeps nothing while offline (offlineQueue is 0)' : `the offline queue is full (${limit})`;
        throw new BroadcastError('offline', `not connected (state: ${this.state}): ${why}`, handlerId);
      }
    }
    this.track(handlerId, body as OutgoingBody, null);
  }

  /**
   * Sends a request and resolves, once the server acked it (protocol 1.1), with the
   * responses it cast to this client. Rejects with a {@link BroadcastError}: the server's
   * error code, `timeout`, `disconnected` (the connection dropped before the ack) or
   * `closed`. While disconnected it waits for the connection, within its timeout.
   * Responses are matched by HandlerID: do not mix `send()` and `request()` on one
   * HandlerID at the same time.
   */
  request<K extends HandlerIdOf<Api>>(
    handlerId: K,
    body?: RequestBodyOf<Api, K>,
    { timeout = this.options.requestTimeout ?? 10_000 }: { timeout?: number } = {},
  ): Promise<Array<Response<ResponseBodyOf<Api, K>>>> {
    if (this.state === 'closed') return Promise.reject(new BroadcastError('closed', 'the client is closed', handlerId));
    return new Promise((resolve, reject) => {
      const request = this.track(handlerId, body as OutgoingBody, { resolve: resolve as (responses: Response[]) => void, reject });
      request.timer = setTimeout(() => {
        this.pending.delete(request.id);
        const hint = this.everAcked ? '' : ': the server has acked nothing, so it may speak only protocol v1 (request() needs 1.1)';
        reject(new BroadcastError('timeout', `no answer to HandlerID ${handlerId} within ${timeout} ms${hint}`, handlerId));
      }, timeout);
    });
  }

  /** Numbers a frame, keeps it until it is answered, and sends it now if connected. */
  private track(handlerId: number, body: OutgoingBody, settled: PendingRequest['settled']): PendingRequest {
    const id = this.nextRequestId++;
    const frame = JSON.stringify({ HandlerID: handlerId, Body: encodeBody(body), RequestID: id });
    const request: PendingRequest = { id, handlerId, frame, sentSeq: 0, responses: [], settled, timer: undefined };
    this.pending.set(id, request);
    if (this.state === 'open') this.sendPending(request);
    return request;
  }

  /** Closes the connection for good: no reconnection, pending requests are rejected. */
  close(): void {
    if (this.state === 'closed') return;
    clearTimeout(this.retryTimer);
    this.setState('closed');
    this.dropSocket(1000);
    this.failPending('closed', 'the client was closed', () => true);
  }

  private open(): void {
    const socket = new this.WebSocketClass(this.url);
    this.socket = socket;
    socket.binaryType = 'arraybuffer';
    socket.onmessage = (event) => this.receive(event.data);
    socket.onclose = (event) => this.lost(event.code);
    socket.onerror = () => undefined;
    socket.on?.('ping', () => this.alive());
    this.alive();
    const openTimeout = this.options.openTimeout ?? 10_000;
    if (openTimeout > 0) {
      this.openTimer = setTimeout(() => {
        // Connected, or not, but no join: the server is not serving; try again.
        this.dropSocket(4000);
        this.lost(1006);
      }, openTimeout);
    }
  }

  private receive(data: unknown): void {
    this.alive();
    let frame: ServerFrame;
    try {
      frame = readFrame(data);
    } catch (error) {
      // A broken or hostile server must not throw from inside the client.
      const why = error instanceof SyntaxError ? 'a frame that is not JSON' : (error as Error).message;
      emit(this.errorListeners, new BroadcastError('invalid_frame', `dropped ${why} from the server`, 0));
      return;
    }
    switch (frame.kind) {
      case 'response':
        if (frame.goEvent !== undefined) this.joinedOrLeft(frame.goEvent, frame.response.senderId);
        return this.deliver(frame.response);
      case 'join':
      case 'leave':
        return this.joinedOrLeft(frame.kind, frame.clientId);
      case 'ack':
        this.settle(frame.requestId, (request) => request.settled?.resolve(request.responses));
        return;
      case 'error': {
        const error = new BroadcastError(frame.code, frame.message, frame.handlerId);
        // A refusal decided before the frame was read has no RequestID, but keeps its
        // place in order: it answers the oldest frame still unanswered.
        const requestId = frame.requestId === undefined && REFUSALS.has(frame.code) ? this.oldestSent()?.id : frame.requestId;
        const settled = this.settle(requestId, (request) => (request.settled === null ? emit(this.errorListeners, error) : request.settled.reject(error)));
        if (!settled) emit(this.errorListeners, error);
      }
    }
  }

  private joinedOrLeft(event: 'join' | 'leave', clientId: string): void {
    if (event === 'leave') return emit(this.leaveListeners, clientId);
    if (this.state !== 'open') return this.joined(clientId);
    emit(this.joinListeners, clientId);
  }

  private oldestSent(): PendingRequest | undefined {
    let oldest: PendingRequest | undefined;
    for (const request of this.pending.values()) {
      if (request.sentSeq > 0 && (oldest === undefined || request.sentSeq < oldest.sentSeq)) oldest = request;
    }
    return oldest;
  }

  /** Its own join: the connection is ready, under a new ID. */
  private joined(clientId: string): void {
    const reconnected = this.id !== undefined;
    this.id = clientId;
    this.openedAt = Date.now();
    clearTimeout(this.openTimer);
    this.setState('open');
    for (const request of this.pending.values()) if (request.sentSeq === 0) this.sendPending(request);
    if (reconnected) this.options.onReconnect?.();
  }

  private deliver(response: Response): void {
    if (response.senderId === this.id) {
      // Replies come in request order: a response to this HandlerID belongs to the oldest
      // request of it still waiting for its ack.
      for (const request of this.pending.values()) {
        if (request.sentSeq > 0 && request.handlerId === response.handlerId) {
          // A send()'s responses are nobody's to collect: they only go to on() listeners.
          if (request.settled !== null) request.responses.push(response);
          break;
        }
      }
    }
    emit(this.handlers.get(response.handlerId), response);
  }

  private settle(requestId: unknown, done: (request: PendingRequest) => void): boolean {
    const request = typeof requestId === 'number' ? this.pending.get(requestId) : undefined;
    if (request === undefined) return false;
    this.everAcked = true;
    clearTimeout(request.timer);
    this.pending.delete(request.id);
    done(request);
    return true;
  }

  private sendPending(request: PendingRequest): void {
    request.sentSeq = ++this.sentCount;
    // A send() is forgotten after the request timeout if never answered (a v1 server acks nothing).
    if (request.settled === null) {
      request.timer = setTimeout(() => this.pending.delete(request.id), this.options.requestTimeout ?? 10_000);
    }
    this.write(request.frame);
  }

  private write(frame: string): void {
    if (this.socket?.readyState === OPEN) this.socket.send(frame);
  }

  private lost(code: number): void {
    this.socket = null;
    clearTimeout(this.watchdog);
    clearTimeout(this.openTimer);
    // Requests already sent can no longer be acked: the server may or may not have run them.
    this.failPending('disconnected', 'the connection dropped before the server answered', (request) => request.sentSeq > 0);
    if (this.state === 'closed') return;
    const { reconnect } = this.options;
    if (reconnect === false || isFinal(code)) {
      this.close();
      return;
    }
    if (this.openedAt > 0 && Date.now() - this.openedAt >= (this.options.stableAfter ?? 10_000)) this.attempt = 0;
    this.openedAt = 0;
    this.setState('reconnecting');
    this.retryTimer = setTimeout(() => this.open(), reconnectDelay(this.attempt++, reconnect));
  }

  /** Restarts the watchdog: this connection just showed it is alive. */
  private alive(): void {
    const timeout = this.options.heartbeatTimeout ?? 0;
    if (timeout <= 0) return;
    clearTimeout(this.watchdog);
    this.watchdog = setTimeout(() => {
      // A dead link may never deliver a close: give up on the socket and reconnect now.
      this.dropSocket(4000);
      this.lost(1006);
    }, timeout);
  }

  private dropSocket(code: number): void {
    clearTimeout(this.openTimer);
    const socket = this.socket;
    if (socket === null) return;
    this.socket = null;
    socket.onclose = null;
    socket.onmessage = null;
    clearTimeout(this.watchdog);
    try {
      socket.close(code);
    } catch {
      // Closing a socket that never opened can throw; it is gone either way.
    }
  }

  private failPending(code: string, message: string, which: (request: PendingRequest) => boolean): void {
    for (const request of [...this.pending.values()]) {
      if (!which(request)) continue;
      clearTimeout(request.timer);
      this.pending.delete(request.id);
      request.settled?.reject(new BroadcastError(code, message, request.handlerId));
    }
  }

  private setState(state: ClientState): void {
    if (this.state === state) return;
    this.state = state;
    emit(this.stateListeners, state);
  }
}

function subscribe<T>(listeners: Set<Listener<T>>, listener: Listener<T>): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function emit<T>(listeners: Set<Listener<T>> | undefined, value: T): void {
  for (const listener of listeners ?? []) listener(value);
}

/**
 * Connects to a broadcaster at `url` (`ws://` or `wss://`) and keeps the connection up.
 * Give `Api` to have HandlerIDs and bodies checked at compile time; see `ApiShape`.
 */
export function connect<Api = UntypedApi>(url: string, options?: ClientOptions): BroadcastClient<Api> {
  return new BroadcastClient<Api>(url, options);
}

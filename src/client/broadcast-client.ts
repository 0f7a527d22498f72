// The client SDK's connection: it connects, keeps itself connected, and routes what the server sends.
import { isFinalClose, NORMAL_CLOSURE } from '../protocol/close-code.js';
import { REFUSED_UNREAD } from '../protocol/error-code.js';
import type { HandlerIdOf, RequestBodyOf, ResponseBodyOf, UntypedApi } from './api-types.js';
import { reconnectDelay } from './backoff.js';
import { BroadcastError } from './broadcast-error.js';
import type { ClientOptions, ClientState, ReconnectInfo, WebSocketConstructor } from './client-options.js';
import { readFrame, type ServerFrame } from './frames.js';
import { emit } from './listeners.js';
import type { OutgoingBody, Response } from './messages.js';
import { PendingRequests, type PendingRequest } from './pending-requests.js';
import { ClientEvents } from './client-events.js';
import { RoomRecovery } from './room-recovery.js';
import { SessionState } from './session-state.js';
import { SocketLink } from './socket-link.js';

/** Refusals that carry no `RequestID` (the server decides them before reading the frame). */
const REFUSALS = new Set(REFUSED_UNREAD);

/**
 * A connection to a broadcaster that keeps itself connected. Create it with {@link connect}.
 */
export class BroadcastClient<Api = UntypedApi> extends ClientEvents<Api> {
  /** This connection's client ID, from its own join; a new one after each reconnection that did not take its session back. */
  id: string | undefined;
  state: ClientState = 'connecting';
  private link: SocketLink | null = null;
  private attempt = 0;
  private openedAt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly pending = new PendingRequests();
  private readonly WebSocketClass: WebSocketConstructor;
  private readonly session: SessionState;
  private readonly history: RoomRecovery;

  constructor(
    readonly url: string,
    private readonly options: ClientOptions = {},
  ) {
    super();
    const global = (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    const WebSocketClass = options.WebSocket ?? global;
    if (WebSocketClass === undefined) {
      throw new TypeError('no WebSocket here: pass one as the WebSocket option (in Node 20, the ws package)');
    }
    this.WebSocketClass = WebSocketClass;
    this.session = new SessionState(options.session ?? true);
    this.history = new RoomRecovery(
      {
        write: (frame) => this.state === 'open' && (this.write(frame), true),
        deliver: (response) => emit(this.handlers.get(response.handlerId), response),
        recovered: (room, recovered) => {
          for (const listener of this.recoveredListeners) listener(room, recovered);
        },
      },
      () => this.options.requestTimeout ?? 10_000,
    );
    this.open();
  }

  /**
   * Sends a request and forgets it. While disconnected it is queued, up to `offlineQueue`
   * messages; beyond that, or once closed, it throws a {@link BroadcastError}.
   */
  send<K extends HandlerIdOf<Api>>(handlerId: K, body?: RequestBodyOf<Api, K>): void {
    if (this.state === 'closed') throw new BroadcastError('closed', 'the client is closed', handlerId);
    if (this.state !== 'open') {
      const limit = this.options.offlineQueue ?? 0;
      if (this.pending.queuedSends() >= limit) {
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
        this.pending.forget(request);
        const hint = this.pending.answeredAny ? '' : ': the server has acked nothing, so it may speak only protocol v1 (request() needs 1.1)';
        reject(new BroadcastError('timeout', `no answer to HandlerID ${handlerId} within ${timeout} ms${hint}`, handlerId));
      }, timeout);
    });
  }

  /** Numbers a frame, keeps it until it is answered, and sends it now if connected. */
  private track(handlerId: number, body: OutgoingBody, settled: PendingRequest['settled']): PendingRequest {
    const request = this.pending.add(handlerId, body, settled);
    if (this.state === 'open') this.sendPending(request);
    return request;
  }

  /**
   * Recovers what this client missed in `rooms` with history (protocol 1.2; default: every
   * room it got publications from), and resolves with whether each was recovered (see
   * `onRecovered`). A room it has had nothing from yet gets its `last` latest publications
   * (a page's first screen), or without `last` only where it stands. After a reconnection
   * that did not take the session back, this is done by itself once `onReconnect` has returned.
   */
  recover(rooms?: readonly string[], { last }: { last?: number } = {}): Promise<Record<string, boolean>> {
    if (this.state !== 'open') return Promise.reject(new BroadcastError('offline', `not connected (state: ${this.state})`, 0));
    return this.history.recover(rooms, last);
  }

  /** Closes the connection for good: no reconnection, pending requests are rejected. */
  close(): void {
    if (this.state === 'closed') return;
    clearTimeout(this.retryTimer);
    this.setState('closed');
    this.link?.drop(NORMAL_CLOSURE);
    this.link = null;
    this.session.forget();
    this.history.abandon(new BroadcastError('closed', 'the client was closed', 0));
    this.history.positions.clear();
    this.failPending('closed', 'the client was closed', () => true);
  }

  private open(): void {
    const timeouts = { openTimeout: this.options.openTimeout ?? 10_000, heartbeatTimeout: this.options.heartbeatTimeout ?? 0 };
    this.link = new SocketLink(this.WebSocketClass, this.session.nextUrl(this.url), timeouts, {
      data: (data) => this.receive(data),
      lost: (code) => this.lost(code),
    });
  }

  private receive(data: unknown): void {
    let frame: ServerFrame;
    try {
      frame = readFrame(data);
    } catch (error) {
      // A broken or hostile server must not throw from inside the client.
      this.session.counted();
      const why = error instanceof SyntaxError ? 'a frame that is not JSON' : (error as Error).message;
      emit(this.errorListeners, new BroadcastError('invalid_frame', `dropped ${why} from the server`, 0));
      return;
    }
    if (frame.kind !== 'session') this.session.counted();
    switch (frame.kind) {
      case 'session':
        return this.sessionFrame(frame.token, frame.resumed);
      case 'response':
        if (frame.goEvent !== undefined) this.joinedOrLeft(frame.goEvent, frame.response.senderId);
        return this.deliver(frame.response);
      case 'join':
      case 'leave':
        return this.joinedOrLeft(frame.kind, frame.clientId);
      case 'ack':
        if (frame.recovered !== undefined && this.history.answered(frame.requestId, frame.recovered, frame.positions ?? {})) return;
        this.settle(frame.requestId, (request) => request.settled?.resolve(request.responses));
        return;
      case 'error': {
        const error = new BroadcastError(frame.code, frame.message, frame.handlerId);
        if (this.history.failed(frame.requestId, error)) return;
        // A refusal decided before the frame was read has no RequestID, but keeps its
        // place in order: it answers the oldest frame still unanswered.
        const requestId = frame.requestId === undefined && REFUSALS.has(frame.code) ? this.pending.oldestSent()?.id : frame.requestId;
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

  /** Its own join: the connection is ready, under a new ID. */
  private joined(clientId: string): void {
    const reconnected = this.id !== undefined;
    this.id = clientId;
    // Requests sent on an earlier connection will not be answered on this new client's.
    this.failPending('disconnected', 'the connection dropped before the server answered', (request) => request.sentSeq > 0);
    if (!reconnected) {
      this.ready(null);
      return;
    }
    // A new client: the rooms it followed are recovered once the app has rejoined them;
    // their publications meanwhile are held, to be delivered in order with what was missed.
    const rooms = this.history.holdAll();
    const rejoined = this.ready({ resumed: false });
    if (rooms.length === 0) return;
    Promise.resolve(rejoined)
      .then(() => (this.state === 'open' ? this.history.recover(rooms) : undefined))
      .catch((error: unknown) => emit(this.errorListeners, error instanceof BroadcastError ? error : new BroadcastError('recovery_failed', String(error), 0)));
  }

  /**
   * A session frame: the session's token to keep; when it took the session back, the
   * connection is ready under the same ID, and the frames missed follow.
   */
  private sessionFrame(token: string, resumed: boolean): void {
    this.session.started(token, resumed);
    if (resumed) this.ready({ resumed: true });
  }

  /** The connection is ready; returns what `onReconnect` returned, if it was called. */
  private ready(reconnect: ReconnectInfo | null): unknown {
    this.openedAt = Date.now();
    this.link?.opened();
    this.setState('open');
    for (const request of this.pending.unsent()) this.sendPending(request);
    if (reconnect !== null) return (this.options.onReconnect as ((info: ReconnectInfo) => unknown) | undefined)?.(reconnect);
  }

  private deliver(response: Response): void {
    if (response.senderId === this.id) this.pending.collect(response);
    // A publication it has already, or one held while its room is recovered, waits or goes.
    if (response.offset !== undefined && !this.history.take(response)) return;
    emit(this.handlers.get(response.handlerId), response);
  }

  private settle(requestId: unknown, done: (request: PendingRequest) => void): boolean {
    const request = this.pending.answered(requestId);
    if (request === undefined) return false;
    done(request);
    return true;
  }

  private sendPending(request: PendingRequest): void {
    this.pending.markSent(request);
    // A send() is forgotten after the request timeout if never answered (a v1 server acks nothing).
    if (request.settled === null) {
      request.timer = setTimeout(() => this.pending.forget(request), this.options.requestTimeout ?? 10_000);
    }
    this.write(request.frame);
  }

  private write(frame: string): void {
    this.link?.write(frame);
  }

  private lost(code: number): void {
    this.link = null;
    this.history.abandon(new BroadcastError('disconnected', 'the connection dropped before the recovery was answered', 0));
    // Requests already sent can no longer be acked, unless the session is taken back (the
    // frames missed then include their answers): the server may or may not have run them.
    if (!this.session.canResume) {
      this.failPending('disconnected', 'the connection dropped before the server answered', (request) => request.sentSeq > 0);
    }
    if (this.state === 'closed') return;
    const { reconnect } = this.options;
    if (reconnect === false || isFinalClose(code)) {
      this.close();
      return;
    }
    if (this.openedAt > 0 && Date.now() - this.openedAt >= (this.options.stableAfter ?? 10_000)) this.attempt = 0;
    this.openedAt = 0;
    this.setState('reconnecting');
    this.retryTimer = setTimeout(() => this.open(), reconnectDelay(this.attempt++, reconnect));
  }

  private failPending(code: string, message: string, which: (request: PendingRequest) => boolean): void {
    this.pending.fail(which, (request) => new BroadcastError(code, message, request.handlerId));
  }

  private setState(state: ClientState): void {
    if (this.state === state) return;
    this.state = state;
    emit(this.stateListeners, state);
  }
}

/**
 * Connects to a broadcaster at `url` (`ws://` or `wss://`) and keeps the connection up.
 * Give `Api` to have HandlerIDs and bodies checked at compile time; see `ApiShape`.
 */
export function connect<Api = UntypedApi>(url: string, options?: ClientOptions): BroadcastClient<Api> {
  return new BroadcastClient<Api>(url, options);
}

import { v4 as uuidv4 } from 'uuid';
import { Client, isPromiseLike, stackOf, type BacklogLimits } from './client.js';
import { assembleResponse, decodeRequest, encodeBody, encodeError, encodeEvent } from './codec.js';
import type { ClientSession, Conn } from './conn.js';
import {
  BroadcasterException,
  CloseCode,
  ErrorCode,
  FrameError,
  HandlerTimeoutError,
  InvalidResponseError,
} from './errors.js';
import type {
  BroadcasterLogger,
  ClientIdentity,
  EventHandlerFn,
  EventHandlers,
  MessageHandlerFn,
  MessageHandlers,
} from './handlers.js';
import type { Backplane } from './cluster/backplane.js';
import { Cluster, type ClusterHost } from './cluster/cluster.js';
import { resolveSettings, type BroadcasterCoreOptions, type ResolvedSettings, type SlowClientPolicy } from './core-options.js';
import { TokenBucket, type RateLimit } from './rate-limiter.js';
import { countInto, emptyStats, type CoreStats } from './stats.js';
import { CastType, EventType, type ClientId, type EventMessage, type ResponseMessage } from './message.js';
import { selectRecipients } from './recipients.js';
import { describeValue, toResponses } from './response-validation.js';

const CLUSTER_CONNECT_TIMEOUT = 5000;

const INTERNAL_ERROR = 'internal error';
const NO_HANDLER_ID = 0;

/**
 * The transport-agnostic routing core: it owns the client table, decodes requests,
 * runs handlers and casts their responses. Attach any {@link Conn} to it.
 */
export class BroadcasterCore {
  private readonly clients = new Map<ClientId, Client>();
  private messageHandlers: MessageHandlers;
  private eventHandlers: EventHandlers;
  private readonly announceClients: boolean;
  private readonly logger: BroadcasterLogger;
  private readonly limits: BacklogLimits;
  private readonly slowClientPolicy: SlowClientPolicy;
  private readonly rateLimit: RateLimit | undefined;
  private readonly counters = emptyStats();
  private readonly handlerTimeout: number;
  private closing = false;
  private onEmpty: (() => void) | null = null;
  private readonly cluster: Cluster | null;
  /** Clients whose leave is still to be announced, in order; see {@link announceLeave}. */
  private readonly leaving: Client[] = [];
  private announcingLeaves = false;

  constructor(options: BroadcasterCoreOptions = {}) {
    const settings = resolveSettings(options);
    this.messageHandlers = options.messageHandlers ?? new Map();
    this.eventHandlers = options.eventHandlers ?? new Map();
    this.logger = options.logger ?? consoleLogger;
    this.announceClients = settings.announceClients;
    this.limits = { maxBufferedBytes: settings.maxBufferedBytes, maxBufferedMessages: settings.maxBufferedMessages };
    this.slowClientPolicy = settings.slowClientPolicy;
    this.rateLimit = settings.rateLimit;
    this.handlerTimeout = settings.handlerTimeout;
    this.cluster = settings.backplane === undefined ? null : this.createCluster(settings.backplane, settings);
  }

  /** Joins the cluster, when there is a backplane; resolves at once for a single node. */
  async start(): Promise<void> {
    await this.cluster?.start();
  }

  /** Replaces the handler maps (the Nest module sets them once discovery is done). */
  setHandlers(messageHandlers: MessageHandlers, eventHandlers: EventHandlers): void {
    this.messageHandlers = messageHandlers;
    this.eventHandlers = eventHandlers;
  }

  /**
   * Adds a client on `conn`: it is given an ID, receives its own OnAddClient first, is
   * announced to the others, and the OnAddClient handler runs.
   */
  attach(conn: Conn, identity: ClientIdentity = {}): ClientSession {
    const rateLimiter = this.rateLimit === undefined ? null : new TokenBucket(this.rateLimit);
    const client = new Client(uuidv4(), conn, this.logger, identity, rateLimiter);
    this.clients.set(client.id, client);
    this.counters.clientsJoined += 1;

    const joined = encodeEvent(EventType.OnAddClient, client.id);
    this.deliver(client, joined);
    if (this.announceClients) {
      for (const other of this.clients.values()) {
        if (other !== client) this.deliver(other, joined);
      }
    }
    this.cluster?.publishJoin(client.id);
    this.runEventHandler(client, EventType.OnAddClient);

    let detached = false;
    return {
      id: client.id,
      receive: (data) => this.receive(client, data),
      control: () => this.receiveControl(client),
      detach: () => {
        if (detached) return;
        detached = true;
        this.remove(client);
      },
    };
  }

  /**
   * IDs of the connected clients: this node's in order of joining, then those of the
   * other nodes of the cluster.
   */
  clientIds(): ClientId[] {
    const local = [...this.clients.keys()];
    return this.cluster === null ? local : [...local, ...this.cluster.remoteClientIds()];
  }

  /** How many clients are connected to this node now. */
  get localClientCount(): number {
    return this.clients.size;
  }

  /** The counters an operator needs; a fresh copy on each call. */
  stats(): CoreStats {
    const { errors } = this.counters;
    let bufferedBytes = 0;
    for (const client of this.clients.values()) bufferedBytes += client.backlog()?.bytes ?? 0;
    return {
      ...this.counters,
      clients: this.clients.size,
      bufferedBytes,
      errors: { ...errors },
      ...(this.cluster === null ? {} : { cluster: this.cluster.stats() }),
    };
  }

  /** Whether {@link shutdown} has begun; a transport stops accepting clients then. */
  get isShuttingDown(): boolean {
    return this.closing;
  }

  /**
   * Shuts down gracefully: new frames are refused with `shutting_down`, leaves are no
   * longer announced, handlers in flight may finish and their responses go out, then
   * every client is closed with 1001, and the node leaves its cluster. Each wait is
   * bounded by `timeoutMs`.
   */
  async shutdown(timeoutMs: number): Promise<void> {
    this.closing = true;
    await withTimeout(Promise.all([...this.clients.values()].map((client) => client.settled())), timeoutMs);
    if (this.clients.size > 0) {
      const emptied = new Promise<void>((resolve) => (this.onEmpty = resolve));
      for (const client of this.clients.values()) client.close(CloseCode.GoingAway, 'server shutting down');
      await withTimeout(emptied, timeoutMs);
    }
    await withTimeout(this.cluster?.stop() ?? Promise.resolve(), timeoutMs);
  }

  /**
   * Casts server-originated responses: `SenderID` is `""`, `HandlerID` is the response's
   * `handlerId` or 0. Self has no sender here and is refused, as are malformed responses.
   */
  cast(responses: ResponseMessage | readonly ResponseMessage[]): void {
    const list = toResponses(responses, 'a server cast');
    for (const { castType, handlerId } of list) {
      if (castType === CastType.Self) {
        throw new InvalidResponseError('a server cast has no sender, so it cannot use CastType.Self');
      }
      if (handlerId !== undefined && !Number.isSafeInteger(handlerId)) {
        throw new InvalidResponseError(`a server cast needs an integer handlerId, got ${describeValue(handlerId)}`);
      }
    }
    for (const response of list) {
      this.castOne('', response.handlerId ?? NO_HANDLER_ID, response);
    }
  }

  private receive(client: Client, data: string | Uint8Array): void {
    if (this.clients.get(client.id) !== client) return;
    this.counters.messagesIn += 1;
    // Refusals are decided before the frame is read at all, and keep their place in the
    // client's order behind the replies to its earlier requests.
    if (this.closing) {
      client.whenSettled(() => this.sendError(client, 0, ErrorCode.ShuttingDown, 'the server is shutting down'));
      return;
    }
    const verdict = client.rateLimiter?.take() ?? 'accept';
    if (verdict !== 'accept') {
      this.refuseOverRate(client, verdict === 'disconnect');
      return;
    }
    const decoded = decodeRequest(data);
    if (decoded instanceof FrameError) {
      client.whenSettled(() => this.sendError(client, decoded.handlerId, decoded.code, decoded.message));
      return;
    }
    const { handlerId, body } = decoded;
    const handler = this.messageHandlers.get(handlerId);
    if (handler === undefined) {
      client.whenSettled(() =>
        this.sendError(client, handlerId, ErrorCode.UnknownHandler, `no handler for HandlerID ${handlerId}`),
      );
      return;
    }
    this.runHandler(client, handlerId, handler, () =>
      handler({ senderId: client.id, handlerId, body }, client.context),
    );
  }

  /**
   * A control frame (a ping) arrived: it counts against the rate limit, and is answered
   * only while the client reads what it is sent, so that a client that never reads
   * cannot make the server queue answers without bound.
   */
  private receiveControl(client: Client): boolean {
    if (this.clients.get(client.id) !== client) return false;
    const verdict = client.rateLimiter?.take() ?? 'accept';
    if (verdict === 'disconnect') {
      this.refuseOverRate(client, true);
      return false;
    }
    if (verdict === 'refuse') return false;
    return this.hasRoomFor(client, 0);
  }

  private refuseOverRate(client: Client, flooding: boolean): void {
    if (!flooding) {
      client.whenSettled(() => this.sendError(client, 0, ErrorCode.RateLimited, 'too many messages: slow down'));
      return;
    }
    this.counters.floodDisconnects += 1;
    this.evict(client, CloseCode.PolicyViolation, 'rate limit exceeded', 'kept flooding past its rate limit');
  }

  /** Removes (and announces) a misbehaving client at once, then closes its connection. */
  private evict(client: Client, code: CloseCode, reason: string, why: string): void {
    this.logger.warn(`client ${client.id} ${why}: disconnecting it`);
    this.remove(client);
    client.close(code, reason);
  }

  /** Takes a client out of the table, then announces its leave after its pending replies. */
  private remove(client: Client): void {
    if (this.clients.get(client.id) !== client) return;
    this.clients.delete(client.id);
    if (this.clients.size === 0) this.onEmpty?.();
    client.whenSettled(() => this.announceLeave(client));
  }

  /**
   * Announces a leave. Announcing can evict other clients that are too far behind, whose
   * leaves are announced in turn: they are queued and announced one after another here,
   * never from inside the delivery that caused them, so that a burst of thousands of slow
   * clients cannot nest calls as deep as it is long.
   */
  private announceLeave(client: Client): void {
    this.leaving.push(client);
    if (this.announcingLeaves) return;
    this.announcingLeaves = true;
    try {
      for (let next = 0; next < this.leaving.length; next++) {
        const leaver = this.leaving[next];
        try {
          this.announceToLocals(EventType.OnDelClient, leaver.id);
          this.cluster?.publishLeave(leaver.id);
          this.runEventHandler(leaver, EventType.OnDelClient);
        } catch (error) {
          this.logger.error(`announcing that client ${leaver.id} left failed`, stackOf(error));
        }
      }
    } finally {
      this.leaving.length = 0;
      this.announcingLeaves = false;
    }
  }

  /** Tells every local client of a join or leave, if joins and leaves are announced. */
  private announceToLocals(eventType: EventType, clientId: ClientId): void {
    if (!this.announceClients || this.closing) return;
    const frame = encodeEvent(eventType, clientId);
    for (const client of this.clients.values()) this.deliver(client, frame);
  }

  /** Writes one frame to one client, unless the client is too far behind. */
  private deliver(target: Client, frame: string): void {
    if (!this.hasRoomFor(target, frame.length)) return;
    this.counters.messagesOut += 1;
    target.send(frame);
  }

  /**
   * Whether `size` more bytes may be written to `target`. A client too far behind is
   * dealt with by the slow-client policy: evicted, or the write is dropped and counted.
   */
  private hasRoomFor(target: Client, size: number): boolean {
    if (!target.wouldOverflow(this.limits, size)) return true;
    if (this.slowClientPolicy === 'drop') {
      this.counters.drops += 1;
      return false;
    }
    this.counters.slowClientDisconnects += 1;
    this.evict(target, CloseCode.TryAgainLater, 'slow client', 'fell too far behind reading');
    return false;
  }

  private runEventHandler(client: Client, eventType: EventType): void {
    const handler: EventHandlerFn | undefined = this.eventHandlers.get(eventType);
    if (handler === undefined) return;
    const event: EventMessage = { eventType, clientId: client.id };
    this.runHandler(client, NO_HANDLER_ID, handler, () => handler(event, client.context));
  }

  /**
   * Runs a handler now and settles its outcome in the client's order: its responses are
   * cast, or the client gets a `handler_error` and nothing is cast.
   */
  private runHandler(
    client: Client,
    handlerId: number,
    handler: MessageHandlerFn | EventHandlerFn,
    invoke: () => unknown,
  ): void {
    const failed = (error: unknown) => this.reportHandlerFailure(client, handlerId, handler, error);
    let outcome: unknown;
    try {
      outcome = invoke();
    } catch (error) {
      client.whenSettled(() => failed(error));
      return;
    }
    if (this.handlerTimeout > 0 && isPromiseLike(outcome)) {
      outcome = this.withDeadline(outcome, handler.name || `handler ${handlerId}`, client.id);
    }
    client.inOrder(
      outcome,
      (result) => {
        let responses: ResponseMessage[];
        try {
          responses = toResponses(result);
        } catch (error) {
          failed(error);
          return;
        }
        for (const response of responses) this.castOne(client.id, handlerId, response);
      },
      failed,
    );
  }

  /**
   * Settles like `outcome`, or rejects with {@link HandlerTimeoutError} once the handler
   * timeout has passed; a result that comes later is logged and dropped.
   */
  private withDeadline(outcome: PromiseLike<unknown>, where: string, clientId: ClientId): Promise<unknown> {
    const timeoutMs = this.handlerTimeout;
    return new Promise((resolve, reject) => {
      let late = false;
      const timer = setTimeout(() => {
        late = true;
        reject(new HandlerTimeoutError(timeoutMs));
      }, timeoutMs);
      timer.unref();
      const settle = (done: () => void) => {
        if (!late) {
          clearTimeout(timer);
          done();
          return;
        }
        this.logger.warn(`${where} for client ${clientId} settled after its ${timeoutMs} ms timeout: its outcome was dropped`);
      };
      outcome.then(
        (value) => settle(() => resolve(value)),
        (error: unknown) => settle(() => reject(error)),
      );
    });
  }

  private castOne(senderId: ClientId, handlerId: number, response: ResponseMessage): void {
    const { castType } = response;
    const castFor = response.castFor ?? [];
    const body = encodeBody(response.body ?? null);
    const frame = assembleResponse(senderId, handlerId, castType, castFor, body);
    for (const target of selectRecipients(castType, senderId, castFor, this.clients)) {
      this.deliver(target, frame);
    }
    if (this.cluster !== null && this.reachesOtherNodes(castType, castFor)) {
      this.cluster.publishCast(castType, senderId, handlerId, castType === CastType.Exclusive ? castFor : null, body);
    }
  }

  private reachesOtherNodes(castType: CastType, castFor: readonly ClientId[]): boolean {
    if (castType === CastType.Self) return false;
    if (castType !== CastType.Exclusive) return true;
    return castFor.some((id) => !this.clients.has(id));
  }

  private createCluster(backplane: Backplane, settings: ResolvedSettings): Cluster {
    const host: ClusterHost = {
      localClientIds: () => [...this.clients.keys()],
      deliverRemoteCast: (castType, senderId, castFor, frame) => {
        for (const target of selectRecipients(castType, senderId, castFor ?? [], this.clients)) {
          this.deliver(target, frame);
        }
      },
      remoteClientJoined: (clientId) => this.announceToLocals(EventType.OnAddClient, clientId),
      remoteClientLeft: (clientId) => this.announceToLocals(EventType.OnDelClient, clientId),
    };
    return new Cluster(host, {
      backplane,
      heartbeatInterval: settings.clusterHeartbeatInterval,
      nodeTimeout: settings.nodeTimeout,
      connectTimeout: CLUSTER_CONNECT_TIMEOUT,
      logger: this.logger,
      secret: settings.clusterSecret,
      maxNodes: settings.maxClusterNodes,
    });
  }

  private reportHandlerFailure(
    client: Client,
    handlerId: number,
    handler: MessageHandlerFn | EventHandlerFn,
    error: unknown,
  ): void {
    const where = handler.name || `handler ${handlerId}`;
    if (error instanceof HandlerTimeoutError) {
      this.logger.warn(`${where} did not settle within ${error.timeoutMs} ms for client ${client.id}`);
      this.sendError(client, handlerId, ErrorCode.HandlerTimeout, error.message);
      return;
    }
    if (error instanceof BroadcasterException) {
      this.logger.warn(`${where} refused client ${client.id}: ${error.message}`);
    } else {
      this.logger.error(`${where} failed for client ${client.id}`, stackOf(error));
    }
    const message = error instanceof BroadcasterException ? error.message : INTERNAL_ERROR;
    this.sendError(client, handlerId, ErrorCode.HandlerError, message);
  }

  private sendError(client: Client, handlerId: number, code: ErrorCode, message: string): void {
    if (this.clients.get(client.id) !== client) return;
    countInto(this.counters.errors, code);
    this.deliver(client, encodeError(client.id, handlerId, code, message));
  }
}

/** Waits for `promise`, or `ms` at most; leaves no timer behind. */
async function withTimeout(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const elapsed = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  try {
    await Promise.race([promise, elapsed]);
  } finally {
    clearTimeout(timer);
  }
}

const consoleLogger: BroadcasterLogger = {
  log: (message) => console.log(message),
  warn: (message) => console.warn(message),
  error: (message, stack) => console.error(stack === undefined ? message : `${message}\n${stack}`),
};


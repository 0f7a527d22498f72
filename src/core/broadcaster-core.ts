import { v4 as uuidv4 } from 'uuid';
import { Client, stackOf } from './client.js';
import { decodeRequest, encodeError, encodeEvent, encodeResponse } from './codec.js';
import type { ClientSession, Conn } from './conn.js';
import { BroadcasterException, ErrorCode, FrameError, InvalidResponseError } from './errors.js';
import type {
  BroadcasterLogger,
  EventHandlerFn,
  EventHandlers,
  HandlerContext,
  MessageHandlerFn,
  MessageHandlers,
} from './handlers.js';
import { CastType, EventType, type ClientId, type EventMessage, type ResponseMessage } from './message.js';
import { selectRecipients } from './recipients.js';
import { toResponses } from './response-validation.js';

/** Options of the routing core. */
export interface BroadcasterCoreOptions {
  /** Message handlers by HandlerID. */
  messageHandlers?: MessageHandlers;
  /** Event handlers by event type. */
  eventHandlers?: EventHandlers;
  /**
   * Announce every join and leave to every client. When `false`, a joining client still
   * receives its own OnAddClient (so it learns its ID), and nobody learns of anyone else.
   * @default true
   */
  announceClients?: boolean;
  /** Where failures are reported. @default console */
  logger?: BroadcasterLogger;
}

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

  constructor(options: BroadcasterCoreOptions = {}) {
    this.messageHandlers = options.messageHandlers ?? new Map();
    this.eventHandlers = options.eventHandlers ?? new Map();
    this.announceClients = options.announceClients ?? true;
    this.logger = options.logger ?? consoleLogger;
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
  attach(conn: Conn): ClientSession {
    const client = new Client(uuidv4(), conn, this.logger);
    this.clients.set(client.id, client);

    const joined = encodeEvent(EventType.OnAddClient, client.id);
    client.send(joined);
    if (this.announceClients) {
      for (const other of this.clients.values()) {
        if (other !== client) other.send(joined);
      }
    }
    this.runEventHandler(client, EventType.OnAddClient);

    let detached = false;
    return {
      id: client.id,
      receive: (data) => this.receive(client, data),
      detach: () => {
        if (detached) return;
        detached = true;
        this.detach(client);
      },
    };
  }

  /** IDs of the connected clients, in order of joining. */
  clientIds(): ClientId[] {
    return [...this.clients.keys()];
  }

  /**
   * Casts server-originated responses: `SenderID` is `""`, `HandlerID` is the response's
   * `handlerId` or 0. Self has no sender here and is refused, as are malformed responses.
   */
  cast(responses: ResponseMessage | readonly ResponseMessage[]): void {
    const list = toResponses(responses);
    if (list.some((response) => response.castType === CastType.Self)) {
      throw new InvalidResponseError('a server cast has no sender, so it cannot use CastType.Self');
    }
    for (const response of list) {
      this.castOne('', response.handlerId ?? NO_HANDLER_ID, response);
    }
  }

  private receive(client: Client, data: string | Uint8Array): void {
    if (!this.clients.has(client.id)) return;
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
    const ctx: HandlerContext = { clientId: client.id };
    this.runHandler(client, handlerId, handler, () => handler({ senderId: client.id, handlerId, body }, ctx));
  }

  private detach(client: Client): void {
    if (!this.clients.delete(client.id)) return;
    client.whenSettled(() => {
      if (this.announceClients) {
        const left = encodeEvent(EventType.OnDelClient, client.id);
        for (const other of this.clients.values()) other.send(left);
      }
      this.runEventHandler(client, EventType.OnDelClient);
    });
  }

  private runEventHandler(client: Client, eventType: EventType): void {
    const handler: EventHandlerFn | undefined = this.eventHandlers.get(eventType);
    if (handler === undefined) return;
    const event: EventMessage = { eventType, clientId: client.id };
    this.runHandler(client, NO_HANDLER_ID, handler, () => handler(event, { clientId: client.id }));
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

  private castOne(senderId: ClientId, handlerId: number, response: ResponseMessage): void {
    const castFor = response.castFor ?? [];
    const frame = encodeResponse(senderId, handlerId, response.castType, castFor, response.body ?? null);
    for (const target of selectRecipients(response.castType, senderId, castFor, this.clients)) {
      target.send(frame);
    }
  }

  private reportHandlerFailure(
    client: Client,
    handlerId: number,
    handler: MessageHandlerFn | EventHandlerFn,
    error: unknown,
  ): void {
    const where = handler.name || `handler ${handlerId}`;
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
    client.send(encodeError(client.id, handlerId, code, message));
  }
}

const consoleLogger: BroadcasterLogger = {
  log: (message) => console.log(message),
  warn: (message) => console.warn(message),
  error: (message, stack) => console.error(stack === undefined ? message : `${message}\n${stack}`),
};


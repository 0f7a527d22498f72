// Broadcaster: the service an app injects to cast, list clients and rooms, and read stats.
import { Inject, Injectable } from '@nestjs/common';
import { BroadcasterCore } from '../core/broadcaster-core.js';
import type { HistoryOptions, HistoryPage } from '../core/history/history-page.js';
import type { Presence } from '../core/presence/presence.js';
import type { ClientId, ResponseMessage } from '../core/message.js';
import type { CoreStats } from '../core/stats.js';
import type { DisconnectOptions } from '../core/disconnect.js';
import type { TransportStats, WsTransport } from '../ws/ws-transport.js';
import { BROADCASTER_CORE, RESOLVED_OPTIONS, TRACER, WS_TRANSPORT } from './broadcaster.constants.js';
import { BroadcasterExplorer } from './broadcaster.explorer.js';
import type { ResolvedBroadcasterOptions } from './options-validation.js';
import { buildAsyncApiDocument, type AsyncApiDocument } from '../asyncapi/asyncapi-document.js';
import type { AsyncApiInfo } from '../asyncapi/asyncapi-options.js';
import { clientTypes } from '../asyncapi/client-types.js';
import { tracedCast } from '../tracing/traced-cast.js';
import type { Tracer } from '../tracing/tracer.js';

/** Counters an operator watches, of the core and of the WebSocket transport. */
export type BroadcasterStats = CoreStats & TransportStats;

/**
 * Casts server-originated messages and lists clients. Inject it anywhere: a
 * controller, a scheduled job, another provider.
 */
@Injectable()
export class Broadcaster {
  constructor(
    @Inject(BROADCASTER_CORE) private readonly core: BroadcasterCore,
    @Inject(WS_TRANSPORT) private readonly transport: WsTransport,
    @Inject(TRACER) private readonly tracer: Tracer | null,
    @Inject(RESOLVED_OPTIONS) private readonly options: ResolvedBroadcasterOptions,
    private readonly explorer: BroadcasterExplorer,
  ) {}

  /**
   * The endpoint's handlers as TypeScript source for the client SDK: `export interface
   * <name>` mapping each HandlerID to its request and response bodies, for
   * `connect<name>(url)` (from `@MessageHandler`'s `body`, `schema` and `responds`).
   * Available once the app is initialized.
   */
  clientTypes(name = 'Api'): string {
    return clientTypes(this.explorer.contracts, name, this.options.asyncapi?.title ?? 'this endpoint', this.explorer.dtoSchemas);
  }

  /**
   * The endpoint's contract as an AsyncAPI 3.0 document: every `@MessageHandler` (its
   * request, and as its reply the ack, the error and the casts it declares with
   * `responds`), the join, leave, session and recovery frames, and the schema of every
   * frame of the protocol. Summaries and body schemas come from `@MessageHandler`'s
   * options. Available once the app is initialized.
   */
  asyncapi(info: AsyncApiInfo = {}): AsyncApiDocument {
    const given = { ...this.options.asyncapi, ...definedOnly(info) };
    return buildAsyncApiDocument({
      title: given.title ?? 'nestjs-message-broadcaster endpoint',
      version: given.version ?? '1.0.0',
      description: given.description,
      host: given.host ?? 'localhost',
      path: this.options.path,
      handlers: this.explorer.contracts,
      schemas: this.explorer.dtoSchemas,
    });
  }

  /**
   * Casts one or more responses from the server itself: `SenderID` is `""` and
   * `HandlerID` is the response's `handlerId` (default 0). Rejects a malformed response,
   * or one cast to `Self` (the server is nobody's sender), before anything is sent.
   * With a backplane, the cast reaches the clients of every node.
   */
  async cast(responses: ResponseMessage | readonly ResponseMessage[]): Promise<void> {
    if (this.tracer !== null) return tracedCast(this.tracer, responses, async () => void (await this.core.cast(responses)));
    await this.core.cast(responses);
  }

  /**
   * IDs of the connected clients: this node's in order of joining, then the rest of the
   * cluster's. Given a room, only its members (on every node), the same way.
   * Throws `TypeError` on a bad room name.
   */
  clientIds(room?: string): ClientId[] {
    return this.core.clientIds(room);
  }

  /**
   * Puts a client in a room; a client of another instance is put there by its instance,
   * through the backplane. Returns false when no instance is known to hold the client.
   * Throws `TypeError` on a bad room name (1 to 200 characters).
   */
  join(clientId: ClientId, room: string): boolean {
    return this.core.join(clientId, room);
  }

  /** Takes a client out of a room, like {@link join}. */
  leave(clientId: ClientId, room: string): boolean {
    return this.core.leave(clientId, room);
  }

  /**
   * Disconnects a client of any instance (a kick): it is announced as left and its
   * connection closed with `code` (default 4000, after which the client SDK does not
   * reconnect) and `reason`; a client of another instance is disconnected by its
   * instance, through the backplane. Returns false when no instance is known to hold
   * the client. Throws `TypeError` on a code other than 1000 or 3000–4999, or a reason
   * longer than 123 bytes.
   */
  disconnect(clientId: ClientId, options?: DisconnectOptions): boolean {
    return this.core.disconnect(clientId, options);
  }

  /** The rooms a client of any instance is in; empty for an unknown client. */
  roomsOf(clientId: ClientId): string[] {
    return this.core.roomsOf(clientId);
  }

  /** Rooms with at least one member, on any instance. */
  rooms(): string[] {
    return this.core.rooms();
  }

  /**
   * Who is connected on every instance (or in `room`): each client with what
   * `presenceInfo` said of it and whether it is away (a session client that lost its
   * connection, within its grace period); and how many clients each user (`userRoom`) has.
   */
  presence(room?: string): Presence {
    return this.core.presence(room);
  }

  /**
   * Reads a room's history (rooms the `history` option gives one): the publications after
   * `since` (an offset and epoch, as a client saw them), or the latest `last` (default:
   * every one kept), oldest first, with the room's current position — e.g. for an HTTP
   * endpoint that serves a page its first screen. `complete` is false when they cannot all
   * be had (another epoch, or no longer kept). Rejects with `TypeError` on a bad room name
   * or options.
   */
  async history(room: string, options?: HistoryOptions): Promise<HistoryPage> {
    return this.core.history(room, options);
  }

  /** Counters an operator needs: clients, messages in and out, errors by code, drops, disconnects. */
  stats(): BroadcasterStats {
    return { ...this.core.stats(), ...this.transport.stats() };
  }
}

/** `info` without its undefined keys (they do not override the option's). */
function definedOnly(info: AsyncApiInfo): AsyncApiInfo {
  return Object.fromEntries(Object.entries(info).filter(([, value]) => value !== undefined));
}

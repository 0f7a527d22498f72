import { Inject, Injectable } from '@nestjs/common';
import { BroadcasterCore } from '../core/broadcaster-core.js';
import type { ClientId, ResponseMessage } from '../core/message.js';
import type { CoreStats } from '../core/stats.js';
import type { TransportStats, WsTransport } from '../ws/ws-transport.js';
import { BROADCASTER_CORE, WS_TRANSPORT } from './broadcaster.constants.js';

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
  ) {}

  /**
   * Casts one or more responses from the server itself: `SenderID` is `""` and
   * `HandlerID` is the response's `handlerId` (default 0). Rejects a malformed response,
   * or one cast to `Self` (the server is nobody's sender), before anything is sent.
   * With a backplane, the cast reaches the clients of every node.
   */
  async cast(responses: ResponseMessage | readonly ResponseMessage[]): Promise<void> {
    this.core.cast(responses);
  }

  /** IDs of the connected clients: this node's in order of joining, then the rest of the cluster's. */
  clientIds(): ClientId[] {
    return this.core.clientIds();
  }

  /** Counters an operator needs: clients, messages in and out, errors by code, drops, disconnects. */
  stats(): BroadcasterStats {
    return { ...this.core.stats(), ...this.transport.stats() };
  }
}

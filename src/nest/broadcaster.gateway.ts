import { Inject, type Type } from '@nestjs/common';
import { WebSocketGateway, type OnGatewayConnection } from '@nestjs/websockets';
import type { WebSocket } from 'ws';
import { BroadcasterCore } from '../core/broadcaster-core.js';
import { BROADCASTER_CORE, RESOLVED_OPTIONS } from './broadcaster.constants.js';
import type { ResolvedBroadcasterOptions } from './options-validation.js';
import { WsConn } from './ws-conn.js';

/**
 * Creates the gateway class that carries the routing core over `ws` sockets.
 * A fresh class per module registration, decorated once its options are known.
 */
export function createBroadcasterGateway(): Type<OnGatewayConnection> {
  class BroadcasterGateway implements OnGatewayConnection {
    constructor(
      @Inject(RESOLVED_OPTIONS) options: ResolvedBroadcasterOptions,
      @Inject(BROADCASTER_CORE) private readonly core: BroadcasterCore,
    ) {
      // forRootAsync options exist only now, and Nest reads gateway metadata later, in
      // app.init(): decorating here serves forRoot and forRootAsync alike.
      WebSocketGateway(options.port ?? 0, {
        path: options.path,
        maxPayload: options.maxPayload,
        // Frames are built once per cast and written as they are.
        perMessageDeflate: false,
      })(BroadcasterGateway);
    }

    handleConnection(socket: WebSocket): void {
      const session = this.core.attach(new WsConn(socket));
      socket.on('message', (data: Buffer, isBinary: boolean) => {
        session.receive(isBinary ? data : data.toString('utf8'));
      });
      socket.on('close', () => session.detach());
    }
  }
  return BroadcasterGateway;
}

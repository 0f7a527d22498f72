// The gateway Nest runs, handing its `ws` server and connections to the transport.
import { Inject, type Type } from '@nestjs/common';
import { WebSocketGateway, type OnGatewayInit } from '@nestjs/websockets';
import type { IncomingMessage } from 'node:http';
import type { WebSocketServer } from 'ws';
import type { BroadcasterSocket } from '../ws/broadcaster-socket.js';
import type { WsTransport } from '../ws/ws-transport.js';
import { RESOLVED_OPTIONS, WS_TRANSPORT } from './broadcaster.constants.js';
import type { ResolvedBroadcasterOptions } from './options-validation.js';

/** The gateway Nest runs: it hands Nest's `ws` server and its connections to the transport. */
export type BroadcasterGateway = OnGatewayInit;

type ConnectionListener = (socket: BroadcasterSocket, request: IncomingMessage) => void;

/**
 * Creates the gateway class. A fresh class per module registration, decorated once its
 * options are known.
 */
export function createBroadcasterGateway(): Type<BroadcasterGateway> {
  class WsBroadcasterGateway implements BroadcasterGateway {
    constructor(
      @Inject(RESOLVED_OPTIONS) options: ResolvedBroadcasterOptions,
      @Inject(WS_TRANSPORT) private readonly transport: WsTransport,
    ) {
      // On a dedicated port the `ws` server listens by itself (so that `host` is
      // honoured) and hands over every path, which the transport then checks; on the
      // application's port, Nest routes the upgrades of our path to us.
      // forRootAsync options exist only now, and Nest reads gateway metadata later, in
      // app.init(): decorating here serves forRoot and forRootAsync alike.
      WebSocketGateway(options.port ?? 0, {
        ...(options.port !== undefined ? { host: options.host } : { path: options.path }),
        ...transport.serverOptions(),
      })(WsBroadcasterGateway);
    }

    afterInit(server: WebSocketServer): void {
      this.transport.start(server);
      // Right after this hook Nest binds its own handler of new connections, which gives
      // every connection rxjs subscriptions for Nest's message routing and disconnect
      // events: several KiB per connection that a broadcaster never uses. Once Nest is
      // done (it binds synchronously), its handler is replaced by the transport's.
      const before = new Set(server.listeners('connection'));
      queueMicrotask(() => {
        for (const listener of server.listeners('connection')) {
          if (!before.has(listener)) server.off('connection', listener as ConnectionListener);
        }
        server.on('connection', (socket: BroadcasterSocket, request: IncomingMessage) => this.transport.connect(socket, request));
      });
    }
  }
  return WsBroadcasterGateway;
}

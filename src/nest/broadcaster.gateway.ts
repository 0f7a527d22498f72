import { Inject, Logger, type BeforeApplicationShutdown, type Type } from '@nestjs/common';
import { WebSocketGateway, type OnGatewayConnection, type OnGatewayInit } from '@nestjs/websockets';
import type { IncomingMessage } from 'node:http';
import type { WebSocket, WebSocketServer } from 'ws';
import { BroadcasterCore } from '../core/broadcaster-core.js';
import { Admission } from './admission.js';
import { BROADCASTER_CORE, LOGGER_CONTEXT, RESOLVED_OPTIONS } from './broadcaster.constants.js';
import { Heartbeat } from './heartbeat.js';
import type { ResolvedBroadcasterOptions } from './options-validation.js';
import { TextFrameCache } from '../ws/text-frame.js';
import { WriteCoalescer } from '../ws/write-coalescer.js';
import { WsConn } from '../ws/ws-conn.js';

/** The gateway Nest runs: it carries the routing core over `ws` sockets. */
export interface BroadcasterGateway extends OnGatewayInit, OnGatewayConnection, BeforeApplicationShutdown {}

/**
 * Creates the gateway class. A fresh class per module registration, decorated once its
 * options are known.
 */
export function createBroadcasterGateway(): Type<BroadcasterGateway> {
  class WsBroadcasterGateway implements BroadcasterGateway {
    private readonly admission: Admission;
    private readonly heartbeat: Heartbeat;
    private readonly frames = new TextFrameCache();
    private readonly coalescer = new WriteCoalescer();

    constructor(
      @Inject(RESOLVED_OPTIONS) private readonly options: ResolvedBroadcasterOptions,
      @Inject(BROADCASTER_CORE) private readonly core: BroadcasterCore,
    ) {
      this.admission = new Admission(options, core, new Logger(LOGGER_CONTEXT));
      this.heartbeat = new Heartbeat(options.heartbeatInterval, () => core.noteHeartbeatTimeout());
      // forRootAsync options exist only now, and Nest reads gateway metadata later, in
      // app.init(): decorating here serves forRoot and forRootAsync alike.
      WebSocketGateway(options.port ?? 0, {
        path: options.path,
        maxPayload: options.maxPayload,
        verifyClient: this.admission.verifyClient,
        // Frames are built once per cast and written as they are.
        perMessageDeflate: false,
      })(WsBroadcasterGateway);
    }

    afterInit(server: WebSocketServer): void {
      this.heartbeat.start(server);
    }

    handleConnection(socket: WebSocket, request: IncomingMessage): void {
      this.heartbeat.watch(socket);
      const conn = new WsConn(socket, request.socket, this.frames, this.coalescer);
      const session = this.core.attach(conn, this.admission.identityOf(request));
      socket.on('message', (data: Buffer, isBinary: boolean) => {
        session.receive(isBinary ? data : data.toString('utf8'));
      });
      socket.on('close', () => session.detach());
    }

    async beforeApplicationShutdown(): Promise<void> {
      this.heartbeat.stop();
      await this.core.shutdown(this.options.shutdownTimeout);
    }
  }
  return WsBroadcasterGateway;
}

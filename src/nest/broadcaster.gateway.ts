import {
  Inject,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
  type Type,
} from '@nestjs/common';
import { WebSocketGateway, type OnGatewayConnection, type OnGatewayInit } from '@nestjs/websockets';
import type { IncomingMessage } from 'node:http';
import type { WebSocketServer } from 'ws';
import { BroadcasterCore } from '../core/broadcaster-core.js';
import { Admission } from './admission.js';
import { BROADCASTER_CORE, LOGGER_CONTEXT, RESOLVED_OPTIONS } from './broadcaster.constants.js';
import { Heartbeat } from './heartbeat.js';
import type { ResolvedBroadcasterOptions } from './options-validation.js';
import { BroadcasterSocket } from '../ws/broadcaster-socket.js';
import { TextFrameCache } from '../ws/text-frame.js';
import { WriteCoalescer } from '../ws/write-coalescer.js';
import { WsConn } from '../ws/ws-conn.js';

const OPEN = 1;

/** The gateway Nest runs: it carries the routing core over `ws` sockets. */
export interface BroadcasterGateway
  extends OnGatewayInit, OnGatewayConnection, OnApplicationBootstrap, BeforeApplicationShutdown {}

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
      // On a dedicated port the `ws` server listens by itself (so that `host` is
      // honoured) and sees every path: the admission then enforces the path, answering
      // 404. On the application's port, Nest routes the upgrades of our path to us.
      const dedicated = options.port !== undefined;
      this.admission = new Admission(options, core, new Logger(LOGGER_CONTEXT), dedicated ? options.path : null);
      this.heartbeat = new Heartbeat(options.heartbeatInterval, () => core.noteHeartbeatTimeout());
      // forRootAsync options exist only now, and Nest reads gateway metadata later, in
      // app.init(): decorating here serves forRoot and forRootAsync alike.
      WebSocketGateway(options.port ?? 0, {
        ...(dedicated ? { host: options.host } : { path: options.path }),
        maxPayload: options.maxPayload,
        verifyClient: this.admission.verifyClient,
        WebSocket: BroadcasterSocket,
        // Pings are answered by the gateway, within the rate and backlog limits.
        autoPong: false,
        // Frames are built once per cast and written as they are.
        perMessageDeflate: false,
      })(WsBroadcasterGateway);
    }

    afterInit(server: WebSocketServer): void {
      this.heartbeat.start(server);
    }

    /** Every `onModuleInit` hook has run, so every handler is installed: open the door. */
    onApplicationBootstrap(): void {
      this.admission.open();
    }

    handleConnection(socket: BroadcasterSocket, request: IncomingMessage): void {
      const conn = new WsConn(socket, request.socket, this.frames, this.coalescer);
      const session = this.core.attach(conn, this.admission.identityOf(request));
      socket.onFrame((data, isBinary) => session.receive(isBinary ? data : data.toString('utf8')));
      socket.on('ping', (data: Buffer) => {
        socket.heard = true;
        conn.recheckBacklog();
        if (session.control() && socket.readyState === OPEN) socket.pong(data);
      });
      socket.on('pong', () => (socket.heard = true));
      socket.on('close', () => session.detach());
    }

    async beforeApplicationShutdown(): Promise<void> {
      this.heartbeat.stop();
      this.admission.close();
      await this.core.shutdown(this.options.shutdownTimeout);
    }
  }
  return WsBroadcasterGateway;
}

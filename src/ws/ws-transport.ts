// The WebSocket transport: a `ws` server carrying a BroadcasterCore.
import type { IncomingMessage } from 'node:http';
import type { ServerOptions, WebSocketServer } from 'ws';
import type { BroadcasterCore } from '../core/broadcaster-core.js';
import type { BroadcasterLogger } from '../core/handlers.js';
import { countInto } from '../core/stats.js';
import { NORMAL_CLOSURE } from '../protocol/close-code.js';
import { Admission } from './admission.js';
import { BroadcasterSocket } from './broadcaster-socket.js';
import { sessionRequestOf } from './session-query.js';
import { Heartbeat } from './heartbeat.js';
import type { ResolvedTransportSettings } from './transport-options.js';
import { WriteCoalescer } from './write-coalescer.js';
import { WsConn } from './ws-conn.js';

const OPEN = 1;
/** What `ws` reports for a close frame that carried no code. */
const NO_STATUS_RECEIVED = 1005;

/** The WebSocket transport's own counters; all counts since start. */
export interface TransportStats {
  /** Clients closed for not answering heartbeats. */
  heartbeatTimeouts: number;
  /** WebSocket upgrades refused, by HTTP status. */
  refusedUpgrades: Record<string, number>;
  /** Bytes written to clients' connections (WebSocket frames, as written). */
  bytesOut: number;
}

/** How a {@link WsTransport} is placed. */
export interface WsTransportPlacement {
  logger: BroadcasterLogger;
  /**
   * Whether the `ws` server hands over upgrades on every path, so that the transport
   * must refuse other paths itself (404): true for a server listening on a port of its
   * own, false where something in front routes by path.
   */
  enforcePath: boolean;
}

/**
 * Carries a {@link BroadcasterCore} over a `ws` server: it admits connect requests
 * (path, capacity, origin, authentication, all bounded in time), adapts each socket to
 * the core, answers pings within the client's limits, watches liveness, and counts what
 * it refuses. Use it with any `ws` server: create the server with {@link serverOptions},
 * then call {@link start}, {@link open} once handlers are in place, and {@link connect}
 * for each connection.
 */
export class WsTransport {
  private readonly admission: Admission;
  private readonly heartbeat: Heartbeat;
  private readonly coalescer = new WriteCoalescer();
  private readonly counters: TransportStats = { heartbeatTimeouts: 0, refusedUpgrades: {}, bytesOut: 0 };

  constructor(
    private readonly core: BroadcasterCore,
    private readonly settings: ResolvedTransportSettings,
    placement: WsTransportPlacement,
  ) {
    this.admission = new Admission(settings, core, placement.logger, placement.enforcePath ? settings.path : null, (status) =>
      countInto(this.counters.refusedUpgrades, String(status)),
    );
    this.heartbeat = new Heartbeat(settings.heartbeatInterval, () => (this.counters.heartbeatTimeouts += 1));
  }

  /** What the `ws` server must be created with for this transport. */
  serverOptions(): ServerOptions {
    return {
      maxPayload: this.settings.maxPayload,
      verifyClient: this.admission.verifyClient,
      WebSocket: BroadcasterSocket,
      // Pings are answered by the transport, within the rate and backlog limits.
      autoPong: false,
      // Frames are built once per cast and written as they are.
      perMessageDeflate: false,
    };
  }

  /** Starts watching the server's clients' liveness. */
  start(server: WebSocketServer): void {
    this.heartbeat.start(server);
  }

  /** Lets connect requests in; until then they wait (at most `authenticateTimeout`). */
  open(): void {
    this.admission.open();
  }

  /** Makes a client of a connection the server accepted. */
  connect(socket: BroadcasterSocket, request: IncomingMessage): void {
    const conn = new WsConn(socket, request.socket, this.coalescer, this.counters);
    const session = this.core.attach(conn, this.admission.identityOf(request), sessionRequestOf(request.url));
    socket.onFrame((data, isBinary) => session.receive(isBinary ? data : data.toString('utf8')));
    socket.on('ping', (data: Buffer) => {
      socket.heard = true;
      conn.recheckBacklog();
      if (session.control() && socket.readyState === OPEN) socket.pong(data);
    });
    socket.on('pong', () => (socket.heard = true));
    // A client that closes normally (1000, or a close frame without a code) means to go;
    // any other end (going away, no close frame at all) may be a blip.
    socket.on('close', (code: number) => session.detach(code === NORMAL_CLOSURE || code === NO_STATUS_RECEIVED));
  }

  /** Stops the heartbeat and refuses every connect request still being decided, and later ones. */
  close(): void {
    this.heartbeat.stop();
    this.admission.close();
  }

  /** The transport's counters; a fresh copy on each call. */
  stats(): TransportStats {
    const { heartbeatTimeouts, refusedUpgrades, bytesOut } = this.counters;
    return { heartbeatTimeouts, refusedUpgrades: { ...refusedUpgrades }, bytesOut };
  }
}

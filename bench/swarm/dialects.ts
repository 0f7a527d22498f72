import type { Contender } from '../servers/main.js';
import { SOCKET_IO_EVENT } from '../servers/socketio-server.js';
import { SwarmConn } from './swarm-conn.js';

/** How a swarm client talks to one contender. */
export interface Dialect {
  path: string;
  /** Frames each client receives on joining, before any broadcast. */
  setupFrames: number;
  /** Anything a client must send once connected before it is a full member. */
  join?(conn: SwarmConn): Promise<void>;
  /** The text frame that asks the server to cast `body` with handler `handlerId`. */
  request(handlerId: number, body: Buffer): string;
}

function requestMessage(handlerId: number, body: Buffer): string {
  return `{"HandlerID":${handlerId},"Body":"${body.toString('base64')}"}`;
}

/**
 * A request carrying a `RequestID` (protocol 1.1): after its `Body`, as the client SDK
 * writes it, or before it.
 */
export function requestWithId(handlerId: number, body: Buffer, where: 'last' | 'before-body'): string {
  const encoded = body.toString('base64');
  return where === 'last'
    ? `{"HandlerID":${handlerId},"Body":"${encoded}","RequestID":1}`
    : `{"HandlerID":${handlerId},"RequestID":1,"Body":"${encoded}"}`;
}

const broadcaster = (setupFrames: number): Dialect => ({ path: '/', setupFrames, request: requestMessage });

/** The library sends each client its own OnAddClient; the raw `ws` baselines send nothing. */
export const dialects: Record<Contender, Dialect> = {
  L: broadcaster(1),
  LW: broadcaster(1),
  // Session clients ask for a session, and receive its session frame after their join.
  LS: { ...broadcaster(2), path: '/?mb=1.2' },
  B0: broadcaster(0),
  B1: broadcaster(0),
  S: {
    // Engine.IO over WebSocket only: the open packet, our namespace connect, its ack.
    path: '/socket.io/?EIO=4&transport=websocket',
    setupFrames: 2,
    async join(conn) {
      await conn.waitFor(1);
      conn.send('40');
    },
    request: (handlerId, body) => `42${JSON.stringify([SOCKET_IO_EVENT, requestMessage(handlerId, body)])}`,
  },
};

const CONCURRENT_CONNECTS = 100;

/**
 * Connects `count` clients, a hundred at a time (the server's accept queue is finite), and
 * waits until each has joined. The first `keepTexts` frames of each client are kept.
 * Clients are added to `conns` as they join.
 */
export async function openSwarm(
  port: number,
  dialect: Dialect,
  count: number,
  keepTexts = 0,
  conns: SwarmConn[] = [],
  localAddress?: string,
): Promise<SwarmConn[]> {
  for (let start = 0; start < count; start += CONCURRENT_CONNECTS) {
    const batch = Math.min(CONCURRENT_CONNECTS, count - start);
    await Promise.all(
      Array.from({ length: batch }, async () => {
        const conn = await SwarmConn.open(port, dialect.path, keepTexts, localAddress);
        conns.push(conn);
        await dialect.join?.(conn);
        await conn.waitFor(dialect.setupFrames);
      }),
    );
  }
  return conns;
}

/** The ClientID a library client learned from its own OnAddClient. */
export function clientIdOf(conn: SwarmConn): string {
  return (JSON.parse(conn.texts[0]) as { ClientID: string }).ClientID;
}

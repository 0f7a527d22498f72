import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import * as ws from 'ws';
import { WebSocketServer } from 'ws';
import { isSelfRequest, responseFrameFor, serve } from './child.js';

// ws's own frame encoder; it is public at runtime but not in ws's type definitions.
const { Sender } = ws as unknown as {
  Sender: { frame(data: Buffer, options: Record<string, unknown>): Buffer[] };
};
const TEXT_FRAME = { fin: true, rsv1: false, opcode: 1, mask: false, readOnly: false };

interface Peer {
  id: string;
  stream: Socket;
  batch: Buffer[];
  /** Reply frames to this peer's Self requests, built once per distinct request. */
  replies: Map<string, Buffer>;
}

/**
 * Starts a raw `ws` baseline. Each request is answered with the library's response frame,
 * serialized and framed once, then written to every socket: at once, one write per
 * delivery (B0), or gathered per event-loop turn and written once per socket (B1, whose
 * sockets that were sent the same frames in a turn share one joined buffer). A Self
 * request is echoed to its sender alone, with a frame pre-built for that request.
 */
export async function startWsServer(coalesce: boolean): Promise<void> {
  const server = http.createServer();
  const wss = new WebSocketServer({ server, perMessageDeflate: false });
  const peers = new Set<Peer>();
  const due: Peer[] = [];
  let nextId = 0;

  // The best a raw server can do with a turn's casts: the peers that were sent the same
  // frames share one joined buffer (a fan-out joins once per turn, not once per peer).
  const flush = () => {
    let lastBatch: Buffer[] = [];
    let lastJoined: Buffer | null = null;
    for (const peer of due.splice(0)) {
      const batch = peer.batch;
      peer.batch = [];
      if (batch.length === 1) {
        peer.stream.write(batch[0]);
        continue;
      }
      if (lastJoined === null || !sameFrames(batch, lastBatch)) {
        lastJoined = Buffer.concat(batch);
        lastBatch = batch;
      }
      peer.stream.write(lastJoined);
    }
  };

  const enqueue = (target: Peer, frame: Buffer) => {
    if (!coalesce) {
      target.stream.write(frame);
    } else if (target.batch.push(frame) === 1) {
      if (due.push(target) === 1) setImmediate(flush);
    }
  };

  wss.on('connection', (socket, request) => {
    const peer: Peer = { id: `client-${(nextId += 1)}`, stream: request.socket, batch: [], replies: new Map() };
    peers.add(peer);
    socket.on('close', () => peers.delete(peer));
    socket.on('message', (data: Buffer) => {
      const request = data.toString('utf8');
      if (isSelfRequest(request)) {
        let reply = peer.replies.get(request);
        if (reply === undefined) {
          reply = Buffer.concat(Sender.frame(Buffer.from(responseFrameFor(peer.id, request)), TEXT_FRAME));
          peer.replies.set(request, reply);
        }
        enqueue(peer, reply);
        return;
      }
      const text = responseFrameFor(peer.id, request);
      const frame = Buffer.concat(Sender.frame(Buffer.from(text), TEXT_FRAME));
      for (const target of peers) enqueue(target, frame);
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  serve((server.address() as AddressInfo).port, () => {
    wss.close();
    server.close();
  });
}

function sameFrames(a: readonly Buffer[], b: readonly Buffer[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

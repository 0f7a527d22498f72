import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { isSelfRequest, responseFrameFor, serve } from './child.js';

/** The event name both sides of the Socket.IO contender use. */
export const SOCKET_IO_EVENT = 'm';

/** Starts the Socket.IO contender (S): each request is answered with `io.emit` to everyone, a Self request with `socket.emit`. */
export async function startSocketIoServer(): Promise<void> {
  const server = http.createServer();
  const io = new Server(server, {
    transports: ['websocket'],
    perMessageDeflate: false,
    serveClient: false,
    // No heartbeats during a run, as for the other contenders.
    pingInterval: 600_000,
    pingTimeout: 600_000,
  });
  io.on('connection', (socket) => {
    socket.on(SOCKET_IO_EVENT, (request: string) => {
      if (isSelfRequest(request)) socket.emit(SOCKET_IO_EVENT, responseFrameFor(socket.id, request));
      else io.emit(SOCKET_IO_EVENT, responseFrameFor(socket.id, request));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  serve((server.address() as AddressInfo).port, () => {
    void io.close();
  });
}

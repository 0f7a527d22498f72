import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

/** A bare `ws` server on a free loopback port, scripted by the test: any server a client may meet. */
export async function rawServer(onConnection: (socket: WebSocket) => void): Promise<{ url: string; close(): Promise<void> }> {
  const http: Server = createServer();
  const wss = new WebSocketServer({ server: http, autoPong: false });
  wss.on('connection', onConnection);
  http.listen(0, '127.0.0.1');
  await once(http, 'listening');
  const { port } = http.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}/`,
    close: async () => {
      for (const client of wss.clients) client.terminate();
      wss.close();
      await closeServer(http);
    },
  };
}

export function closeServer(server: Server): Promise<void> {
  server.closeAllConnections?.();
  return new Promise((resolve) => server.close(() => resolve()));
}

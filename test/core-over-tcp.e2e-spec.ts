import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { createInterface } from 'node:readline';
import { BroadcasterCore, Exclusive, All, newResponseMessage, type Conn } from '../src/index.js';

/**
 * A transport that is not WebSocket: newline-delimited JSON over plain TCP.
 * This is all a user writes to run the core over their own connections.
 */
class LineConn implements Conn {
  constructor(private readonly socket: Socket) {}
  send(frame: string): void {
    this.socket.write(frame + '\n');
  }
  close(): void {
    this.socket.end();
  }
}

function serve(core: BroadcasterCore): Promise<Server> {
  const server = createServer((socket) => {
    const session = core.attach(new LineConn(socket));
    createInterface({ input: socket }).on('line', (line) => session.receive(line));
    socket.on('close', () => session.detach());
    socket.on('error', () => socket.destroy());
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** A TCP client reading one JSON frame per line. */
async function connect(server: Server) {
  const { port } = server.address() as { port: number };
  const socket = createConnection(port, '127.0.0.1');
  const lines = createInterface({ input: socket })[Symbol.asyncIterator]();
  const next = async () => JSON.parse((await lines.next()).value as string) as Record<string, unknown>;
  const first = await next();
  return { socket, id: first.ClientID as string, first, next, send: (frame: object) => socket.write(JSON.stringify(frame) + '\n') };
}

describe('the routing core over a non-WebSocket transport (TCP lines)', () => {
  let server: Server;
  let core: BroadcasterCore;

  beforeEach(async () => {
    core = new BroadcasterCore({
      messageHandlers: new Map([
        [1, (msg) => newResponseMessage(All, msg.body)],
        [2, (msg) => newResponseMessage(Exclusive, 'for you', msg.body.toString())],
      ]),
    });
    server = await serve(core);
  });

  afterEach(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('joins, casts, errors and leaves exactly as over WebSocket', async () => {
    const a = await connect(server);
    const b = await connect(server);
    expect(a.first).toEqual({ EventType: 1, ClientID: a.id });
    expect(await a.next()).toEqual({ EventType: 1, ClientID: b.id });

    b.send({ HandlerID: 1, Body: 'SGVsbG8sIHdvcmxkIQ==' });
    const echo = { SenderID: b.id, HandlerID: 1, CastType: 1, CastFor: null, Body: 'SGVsbG8sIHdvcmxkIQ==' };
    expect(await a.next()).toEqual(echo);
    expect(await b.next()).toEqual(echo);

    a.send({ HandlerID: 2, Body: Buffer.from(b.id).toString('base64') });
    expect(await b.next()).toMatchObject({ SenderID: a.id, CastType: 3, CastFor: [b.id] });

    a.send({ HandlerID: 3 });
    expect(await a.next()).toMatchObject({ EventType: 3, Code: 'unknown_handler' });

    b.socket.destroy();
    expect(await a.next()).toEqual({ EventType: 2, ClientID: b.id });
    expect(core.clientIds()).toEqual([a.id]);
    a.socket.destroy();
  });
});

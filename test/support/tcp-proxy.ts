import { createConnection, createServer, type AddressInfo, type Server, type Socket } from 'node:net';

/**
 * A loopback TCP proxy in front of a server, whose connections a test can cut at once (as
 * a network switch would: no close frame, the sockets destroyed on both sides).
 */
export class TcpProxy {
  private readonly pairs = new Set<[Socket, Socket]>();
  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(targetPort: number): Promise<TcpProxy> {
    const pairs = new Set<[Socket, Socket]>();
    const server = createServer((inbound) => {
      const outbound = createConnection(targetPort, '127.0.0.1');
      const pair: [Socket, Socket] = [inbound, outbound];
      pairs.add(pair);
      inbound.pipe(outbound).pipe(inbound);
      const end = () => {
        pairs.delete(pair);
        inbound.destroy();
        outbound.destroy();
      };
      inbound.on('error', end).on('close', end);
      outbound.on('error', end).on('close', end);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const proxy = new TcpProxy(server, (server.address() as AddressInfo).port);
    (proxy as unknown as { pairs: typeof pairs }).pairs = pairs;
    return proxy;
  }

  /** Connections open through the proxy now. */
  get open(): number {
    return this.pairs.size;
  }

  /** Destroys every connection through the proxy. */
  cutAll(): void {
    for (const [inbound, outbound] of [...this.pairs]) {
      inbound.destroy();
      outbound.destroy();
    }
  }

  async close(): Promise<void> {
    this.cutAll();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

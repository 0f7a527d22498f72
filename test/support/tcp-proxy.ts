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

  /** While true, connections are refused (destroyed as they come), as by a network that is down. */
  private refusing = false;

  static async start(targetPort: number): Promise<TcpProxy> {
    const pairs = new Set<[Socket, Socket]>();
    let proxy: TcpProxy | null = null;
    const server = createServer((inbound) => {
      if (proxy?.refusing === true) {
        inbound.destroy();
        return;
      }
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
    proxy = new TcpProxy(server, (server.address() as AddressInfo).port);
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

  /** Cuts every connection and refuses new ones until {@link up}. */
  down(): void {
    this.refusing = true;
    this.cutAll();
  }

  /** Lets connections through again. */
  up(): void {
    this.refusing = false;
  }

  async close(): Promise<void> {
    this.cutAll();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

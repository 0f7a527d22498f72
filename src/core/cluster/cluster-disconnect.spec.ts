import { cluster, settle, until, type Node, useVirtualTime } from '../testing/cluster-nodes';

describe('disconnecting a client from the server (a kick), cluster-wide', () => {
  useVirtualTime();
  let nodes: Node[] = [];
  afterEach(async () => {
    await Promise.all(nodes.map((node) => node.core.shutdown(100)));
  });

  it('closes a client of this node or of another with the code and reason given, and everyone hears it left', async () => {
    nodes = await cluster(2);
    const [a, b] = nodes;
    const watcher = a.join();
    const near = a.join();
    const far = b.join();
    await until(() => a.core.clientIds().length === 3 && b.core.clientIds().length === 3);
    watcher.conn.take();

    expect(a.core.disconnect(near.id)).toBe(true);
    expect(near.conn.closedWith).toEqual({ code: 4000, reason: 'disconnected by the server' });
    expect(a.core.disconnect(far.id, { code: 4403, reason: 'banned' })).toBe(true);
    await until(() => far.conn.closedWith !== null);
    expect(far.conn.closedWith).toEqual({ code: 4403, reason: 'banned' });
    await until(() => a.core.clientIds().length === 1);
    expect(watcher.conn.take()).toEqual([
      { EventType: 2, ClientID: near.id },
      { EventType: 2, ClientID: far.id },
    ]);
    expect(b.core.clientIds()).toEqual([watcher.id]);
    expect(a.core.disconnect('nobody-anywhere')).toBe(false);
  });

  it('refuses a close code a server may not send and a reason too long for a close frame', async () => {
    nodes = await cluster(1);
    const [a] = nodes;
    const client = a.join();
    await settle();
    expect(() => a.core.disconnect(client.id, { code: 1006 })).toThrow('disconnect needs a close code of 1000 or from 3000 to 4999, got 1006');
    expect(() => a.core.disconnect(client.id, { reason: 'x'.repeat(124) })).toThrow('at most 123 bytes');
    expect(client.conn.closedWith).toBeNull();
  });
});

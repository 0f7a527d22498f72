import { cluster, settle, sleep, type Node, useVirtualTime } from '../testing/cluster-nodes';
import { InMemoryHub } from './in-memory-backplane';
import { Node as TestNode } from '../testing/cluster-nodes';

const options = {
  presenceInfo: (principal: unknown) => (principal === undefined ? undefined : { name: String(principal) }),
  userRoom: (principal: unknown) => (principal === undefined ? undefined : `user:${String(principal)}`),
  sessionGrace: 1000,
};

describe('presence across a cluster (in-memory backplane)', () => {
  useVirtualTime();
  let nodes: Node[] = [];
  afterEach(async () => {
    await Promise.all(nodes.map((node) => node.core.shutdown(100)));
  });

  it('lists every client of every node with its info, counts clients per user, and marks away ones', async () => {
    nodes = await cluster(2, options);
    const [a, b] = nodes;
    const anaPhone = a.join('ana', true);
    const anaLaptop = b.join('ana');
    const ben = b.join('ben');
    const anonymous = a.join();
    await settle();

    for (const node of nodes) {
      const presence = node.core.presence();
      expect(new Map(presence.clients.map((entry) => [entry.clientId, entry]))).toEqual(
        new Map([
          [anaPhone.id, { clientId: anaPhone.id, info: { name: 'ana' }, away: false }],
          [anaLaptop.id, { clientId: anaLaptop.id, info: { name: 'ana' }, away: false }],
          [ben.id, { clientId: ben.id, info: { name: 'ben' }, away: false }],
          [anonymous.id, { clientId: anonymous.id, info: null, away: false }],
        ]),
      );
      expect(presence.users).toEqual({ 'user:ana': 2, 'user:ben': 1 });
    }
    expect(b.core.presence('user:ana').clients.map((entry) => entry.clientId).sort()).toEqual([anaPhone.id, anaLaptop.id].sort());

    // The phone loses its connection: away on both nodes, then gone when its grace ends.
    anaPhone.session.detach();
    await settle();
    expect(b.core.presence().clients.find((entry) => entry.clientId === anaPhone.id)?.away).toBe(true);
    expect(b.core.presence().users).toEqual({ 'user:ana': 2, 'user:ben': 1 });
    await sleep(1100);
    expect(b.core.presence().clients.map((entry) => entry.clientId)).not.toContain(anaPhone.id);
    expect(b.core.presence().users).toEqual({ 'user:ana': 1, 'user:ben': 1 });
  });

  it('gives a node that joins later the presence of the clients already there, from the lists', async () => {
    const hub = new InMemoryHub();
    const a = new TestNode(hub, options);
    nodes = [a];
    await a.core.start();
    const ana = a.join('ana', true);
    ana.session.detach();
    await settle();
    const late = new TestNode(hub, options);
    nodes.push(late);
    await late.core.start();
    await settle();
    expect(late.core.presence()).toEqual({ clients: [{ clientId: ana.id, info: { name: 'ana' }, away: true }], users: { 'user:ana': 1 } });
  });

  it('ships nothing for presence when there is nothing to show', async () => {
    nodes = await cluster(2);
    const [a, b] = nodes;
    const publishes = jest.spyOn(a.backplane, 'publish');
    const plain = a.join();
    await settle();
    expect(publishes.mock.calls.map(([message]) => message).filter((message) => message.includes('"kind":"presence"'))).toEqual([]);
    expect(b.core.presence()).toEqual({ clients: [{ clientId: plain.id, info: null, away: false }], users: {} });
  });
});

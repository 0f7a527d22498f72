import { cluster, Node, request, settle, sleep, until, type NodeOptions, useVirtualTime } from '../testing/cluster-nodes';
import { UnreliableBackplane } from '../testing/unreliable-backplane';
import { InMemoryHub, InMemoryBackplane } from './in-memory-backplane';
import { CastType } from '../message';
import { EnvelopeSigner } from './envelope-signer';

/** A member of the hub that is no broadcaster: it publishes whatever a test makes up. */
async function intruder(hub: InMemoryHub): Promise<(message: string) => void> {
  const backplane = new InMemoryBackplane(hub);
  await backplane.connect({ message: () => undefined, up: () => undefined, down: () => undefined });
  return (message) => backplane.publish(message);
}

describe('a cluster facing a backplane it cannot trust', () => {
  useVirtualTime();
  let nodes: Node[] = [];
  afterEach(async () => {
    await Promise.all(nodes.map((node) => node.core.shutdown(100)));
  });

  async function twoNodesWithClients(options: NodeOptions = {}) {
    const hub = new InMemoryHub();
    nodes = [new Node(hub, options), new Node(hub, options)];
    await Promise.all(nodes.map((node) => node.core.start()));
    const [a, b] = nodes;
    const local = a.join();
    const far = b.join();
    await settle();
    local.conn.take();
    far.conn.take();
    return { a, b, local, far, publish: await intruder(hub) };
  }

  it('drops every malformed or forged message, counts it, and keeps serving', async () => {
    const { a, b, local, far, publish } = await twoNodesWithClients();
    const forged = [
      '{"kind":"sync","node":"x","clientIds":5}',
      '{"kind":"sync","node":"y","clientIds":"abcdef"}',
      '{"kind":"join","node":"z"}',
      `{"kind":"cast","node":"w","audience":{"castType":3,"senderId":"","targets":"${local.id}"},"handlerId":0}\nnull`,
      `{"kind":"cast","node":"v","audience":{"castType":1,"senderId":"","targets":null},"handlerId":0}\nnot a body`,
      `{"kind":"cast","node":"u","audience":{"castType":1,"senderId":"","targets":null}}\n{"SenderID":"${far.id}","HandlerID":1,"CastType":1,"CastFor":null,"Body":"aGk="}`,
      'hello',
    ];
    for (const message of forged) publish(message);
    await settle();

    expect(a.core.stats().cluster).toMatchObject({ rejected: forged.length, nodes: 2 });
    expect(b.core.stats().cluster).toMatchObject({ rejected: forged.length, nodes: 2 });
    expect(local.conn.take()).toEqual([]);
    expect(far.conn.take()).toEqual([]);
    expect(a.core.clientIds()).toEqual([local.id, far.id]);
    expect(a.logger.warnings.join('\n')).toMatch(/dropped a backplane message that is not a valid, signed message/);
    // And the cluster still works.
    local.session.receive(request(1, Buffer.from([CastType.All, 1])));
    await settle();
    expect(far.conn.take()).toMatchObject([{ SenderID: local.id, CastType: CastType.All }]);
  });

  it('takes a node back when it keeps talking after a goodbye it did not say', async () => {
    const { a, b, far, publish } = await twoNodesWithClients();
    publish(JSON.stringify({ kind: 'bye', node: b.core.stats().cluster?.nodeId }));
    // The hub delivers on a microtask: the goodbye is taken before any timer, so B's next
    // heartbeat (which takes B back) cannot come first, however busy the machine.
    await Promise.resolve();
    await Promise.resolve();
    expect(a.core.clientIds()).not.toContain(far.id);
    // B's next heartbeat shows it alive, and its client list is asked for again.
    await until(() => a.core.clientIds().includes(far.id));
    expect(a.core.stats().cluster?.nodes).toBe(2);
  });

  it('keeps track of at most maxClusterNodes other nodes', async () => {
    const hub = new InMemoryHub();
    nodes = [new Node(hub, { maxClusterNodes: 10 })];
    await nodes[0].core.start();
    const publish = await intruder(hub);
    const published = jest.spyOn(nodes[0].backplane, 'publish');
    for (let i = 0; i < 5000; i++) publish(JSON.stringify({ kind: 'join', node: `fake-${i}`, clientId: `c-${i}`, seq: 1 }));
    await settle();
    expect(nodes[0].core.stats().cluster).toMatchObject({ nodes: 11, remoteClients: 10, rejected: 4990 });
    // One list request per node it accepted, none for the others.
    const syncRequests = published.mock.calls.filter(([message]) => message.includes('"sync-request"'));
    expect(syncRequests).toHaveLength(10);
    expect(nodes[0].logger.warnings.filter((w) => w.includes('maxClusterNodes'))).toHaveLength(1);
  });

  it('with a clusterSecret, drops what is not signed with it and works as before', async () => {
    const { a, b, local, far, publish } = await twoNodesWithClients({ clusterSecret: 'correct horse battery staple' });
    publish(`{"kind":"cast","node":"evil","audience":{"castType":1,"senderId":"${local.id}","targets":null},"handlerId":1}\n"aGk="`);
    publish(JSON.stringify({ kind: 'bye', node: a.core.stats().cluster?.nodeId }));
    await settle();
    expect(far.conn.take()).toEqual([]);
    expect(b.core.clientIds()).toContain(local.id);
    expect(b.core.stats().cluster?.rejected).toBe(2);
    local.session.receive(request(1, Buffer.from([CastType.All, 7])));
    await settle();
    expect(far.conn.take()).toMatchObject([{ SenderID: local.id, CastType: CastType.All }]);
  });

  it('repairs a membership whose lost join and lost leave left the count unchanged', async () => {
    const hub = new InMemoryHub();
    let lossy: UnreliableBackplane | undefined;
    nodes = [new Node(hub), new Node(hub, { wrap: (inner) => (lossy = new UnreliableBackplane(inner)) })];
    await Promise.all(nodes.map((node) => node.core.start()));
    const [a, b] = nodes;
    const leaver = a.join();
    await until(() => b.core.clientIds().length === 1);
    // B misses one client's leave and another's join: it still counts one client of A.
    lossy!.loseIncoming = (message) => message.includes('"join"') || message.includes('"leave"');
    leaver.session.detach();
    const joiner = a.join();
    await settle();
    lossy!.loseIncoming = () => false;
    expect(b.core.clientIds()).toEqual([leaver.id]);
    // A's heartbeat carries a digest of its clients, which no longer matches B's view.
    await until(() => b.core.clientIds()[0] === joiner.id);
    expect(b.core.clientIds()).toEqual([joiner.id]);
  });

  it('times nobody out while its own messages do not come back, and resynchronizes after', async () => {
    const hub = new InMemoryHub();
    let stalling: UnreliableBackplane | undefined;
    nodes = [new Node(hub), new Node(hub, { wrap: (inner) => (stalling = new UnreliableBackplane(inner)) })];
    await Promise.all(nodes.map((node) => node.core.start()));
    const [a, b] = nodes;
    a.join();
    await until(() => b.core.clientIds().length === 1);
    stalling!.stalled = true;
    // Four times the node timeout (120 ms) without hearing anyone, itself included.
    await sleep(500);
    expect(b.core.stats().cluster).toMatchObject({ nodesTimedOut: 0, stalls: 1, nodes: 2 });
    expect(b.logger.warnings.join('\n')).toMatch(/stalled: this node's own messages have not come back/);
    stalling!.resume();
    await sleep(100);
    expect(b.core.stats().cluster).toMatchObject({ nodesTimedOut: 0, nodes: 2 });
    expect(b.core.clientIds()).toHaveLength(1);
  });

  it('says "1 client" of a node with one client that timed out', async () => {
    nodes = await cluster(2, { nodeTimeout: 100 });
    const [a, b] = nodes;
    b.join();
    await until(() => a.core.clientIds().length === 1);
    b.backplane.setLinked(false);
    await until(() => a.core.stats().cluster?.nodesTimedOut === 1);
    expect(a.logger.warnings.join('\n')).toMatch(/its 1 client is gone/);
  });

  it('refuses a signed control message replayed off the backplane, and one signed too long ago', async () => {
    const hub = new InMemoryHub();
    const secret = 'a secret shared by the instances';
    nodes = [new Node(hub, { clusterSecret: secret }), new Node(hub, { clusterSecret: secret })];
    await Promise.all(nodes.map((node) => node.core.start()));
    const [a, b] = nodes;
    const far = b.join();
    await settle();
    const recorded: string[] = [];
    const listener = new InMemoryBackplane(hub);
    await listener.connect({ message: (message) => void recorded.push(message), up: () => undefined, down: () => undefined });

    expect(a.core.join(far.id, 'vip')).toBe(true);
    await until(() => b.core.roomsOf(far.id).includes('vip'));
    const request = recorded.find((message) => message.includes('"room-request"'));
    expect(request).toBeDefined();
    b.core.leave(far.id, 'vip');
    await settle();
    const rejected = b.core.stats().cluster?.rejected ?? 0;

    listener.publish(request as string);
    await settle();
    expect(b.core.roomsOf(far.id)).toEqual([]);
    expect(b.core.stats().cluster?.rejected).toBe(rejected + 1);

    // The same request signed (with the secret) two minutes ago is too old to act on.
    const signer = new EnvelopeSigner(secret);
    const opened = signer.open(request as string);
    listener.publish(signer.sign(opened?.message as string, Date.now() - 120_000));
    await settle();
    expect(b.core.roomsOf(far.id)).toEqual([]);
    expect(b.core.stats().cluster?.rejected).toBe(rejected + 2);
    expect(b.logger.warnings.join('\n')).toMatch(/cluster: dropped a signed message received before \(replayed\)/);
    await listener.close();
  });
});

import { type FakeConn } from '../testing/fake-conn';
import { cluster, request, settle, sleep, type Node, useVirtualTime } from '../testing/cluster-nodes';
import { CastType, EventType, newResponseMessage } from '../message';
import { decodeEnvelope } from './envelope';

describe('a cluster of broadcasters (in-memory backplane)', () => {
  useVirtualTime();
  let nodes: Node[] = [];
  afterEach(async () => {
    await Promise.all(nodes.map((node) => node.core.shutdown(100)));
  });

  it('announces joins and leaves on every node, and runs event handlers on the owner only', async () => {
    nodes = await cluster(2);
    const [a, b] = nodes;
    const watcher = b.join();
    await settle();
    const joiner = a.join();
    await settle();
    expect(watcher.conn.json()).toContainEqual({ EventType: 1, ClientID: joiner.id });
    expect(a.core.clientIds()).toEqual([joiner.id, watcher.id]);
    expect(b.core.clientIds()).toEqual([watcher.id, joiner.id]);

    joiner.session.detach();
    await settle();
    expect(watcher.conn.json()).toContainEqual({ EventType: 2, ClientID: joiner.id });
    expect(b.core.clientIds()).toEqual([watcher.id]);
    expect(a.events.map((e) => [e.eventType, e.clientId])).toEqual([
      [EventType.OnAddClient, joiner.id],
      [EventType.OnDelClient, joiner.id],
    ]);
    expect(b.events.map((e) => e.clientId)).toEqual([watcher.id]);
  });

  it('casts All, Others and Exclusive to every node, keeps Self local, and publishes once per cast', async () => {
    nodes = await cluster(3);
    const [a, b, c] = nodes;
    const sender = a.join();
    const local = a.join();
    const far = [b.join(), b.join(), c.join()];
    await settle();
    for (const client of [sender, local, ...far]) client.conn.take();
    const publishes = jest.spyOn(a.backplane, 'publish');

    const frameOf = (castType: CastType) => Buffer.concat([Buffer.from([castType]), Buffer.from('hi')]);
    for (const castType of [CastType.All, CastType.Self, CastType.Others]) {
      sender.session.receive(request(1, frameOf(castType)));
    }
    sender.session.receive(request(2, Buffer.from([local.id, far[1].id].join(','))));
    await settle();

    const castTypes = (client: { conn: FakeConn }) => client.conn.take().map((f) => f.CastType);
    expect(castTypes(sender)).toEqual([CastType.All, CastType.Self]);
    expect(castTypes(local)).toEqual([CastType.All, CastType.Others, CastType.Exclusive]);
    expect(castTypes(far[0])).toEqual([CastType.All, CastType.Others]);
    expect(castTypes(far[1])).toEqual([CastType.All, CastType.Others, CastType.Exclusive]);
    expect(castTypes(far[2])).toEqual([CastType.All, CastType.Others]);
    // All, Others and the Exclusive with a remote target: one message each; Self: none.
    // (Heartbeats may be published meanwhile; only casts are counted.)
    const casts = publishes.mock.calls.map(([message]) => decodeEnvelope(message)).filter((e) => e?.kind === 'cast');
    expect(casts.map((cast) => cast?.kind === 'cast' && cast.audience.castType)).toEqual([CastType.All, CastType.Others, CastType.Exclusive]);
  });

  it('keeps one sender’s casts in order for receivers on another node', async () => {
    nodes = await cluster(2);
    const [a, b] = nodes;
    const sender = a.join();
    const receiver = b.join();
    await settle();
    receiver.conn.take();
    for (let i = 0; i < 200; i++) sender.session.receive(request(1, Buffer.from([CastType.All, i])));
    await settle();
    const bodies = receiver.conn.take().map((f) => Buffer.from(f.Body as string, 'base64')[0]);
    expect(bodies).toEqual(Array.from({ length: 200 }, (_, i) => i));
  });

  it('lets a server cast reach the whole cluster', async () => {
    nodes = await cluster(2);
    const [a, b] = nodes;
    const far = b.join();
    await settle();
    far.conn.take();
    a.core.cast({ ...newResponseMessage(CastType.All, 'notice'), handlerId: 7 });
    await settle();
    expect(far.conn.take()).toEqual([
      { SenderID: '', HandlerID: 7, CastType: CastType.All, CastFor: null, Body: Buffer.from('notice').toString('base64') },
    ]);
  });

  it('announces the clients of a node that went silent as left, within the node timeout', async () => {
    nodes = await cluster(2);
    const [a, b] = nodes;
    const watcher = a.join();
    const doomed = [b.join(), b.join()];
    await settle();
    expect(a.core.clientIds()).toHaveLength(3);
    // A crash: the node's heartbeats stop and it says no goodbye.
    (b.backplane as unknown as { linked: boolean }).linked = false;
    const silentSince = Date.now();
    while (a.core.clientIds().length > 1 && Date.now() - silentSince < 5000) await sleep(10);
    // Not before the timeout: heard from 120 ms ago at most, checked every 20 ms.
    expect(Date.now() - silentSince).toBeGreaterThanOrEqual(100);
    expect(a.core.clientIds()).toEqual([watcher.id]);
    const left = watcher.conn.json().filter((f) => f.EventType === 2).map((f) => f.ClientID);
    expect(left.sort()).toEqual(doomed.map((d) => d.id).sort());
    expect(a.core.stats().cluster).toMatchObject({ nodes: 1, remoteClients: 0, nodesTimedOut: 1 });
    expect(a.logger.warnings.join('\n')).toMatch(/silent for 120 ms: its 2 clients are gone/);
  });

  it('drops a node that shut down cleanly at once', async () => {
    nodes = await cluster(2, { nodeTimeout: 60_000 });
    const [a, b] = nodes;
    const watcher = a.join();
    const leaving = b.join();
    await settle();
    // The shutdown waits up to 100 ms (virtual) for the clients, who never close.
    await Promise.all([b.core.shutdown(100), sleep(250)]);
    await settle();
    expect(a.core.clientIds()).toEqual([watcher.id]);
    expect(watcher.conn.json()).toContainEqual({ EventType: 2, ClientID: leaving.id });
  });

  it('serves local clients through a backplane outage, counts what was lost, and repairs membership after', async () => {
    nodes = await cluster(2, { nodeTimeout: 60_000 });
    const [a, b] = nodes;
    const stays = a.join();
    const goes = a.join();
    const far = b.join();
    await settle();
    for (const client of [stays, goes, far]) client.conn.take();

    b.backplane.setLinked(false);
    a.backplane.setLinked(false);
    stays.session.receive(request(1, Buffer.from([CastType.All, 1])));
    goes.session.detach();
    const newcomer = a.join();
    await settle();
    expect(stays.conn.take().map((f) => f.CastType ?? f.EventType)).toEqual([CastType.All, 2, 1]);
    expect(far.conn.take()).toEqual([]);
    expect(a.core.stats().cluster).toMatchObject({ linkUp: false, outages: 1 });
    expect(a.core.stats().cluster?.publishFailures).toBeGreaterThanOrEqual(3);

    a.backplane.setLinked(true);
    b.backplane.setLinked(true);
    await settle();
    // B learns from A's membership what it missed, and tells its client.
    expect(far.conn.json()).toEqual(
      expect.arrayContaining([
        { EventType: 2, ClientID: goes.id },
        { EventType: 1, ClientID: newcomer.id },
      ]),
    );
    expect(b.core.clientIds().sort()).toEqual([far.id, stays.id, newcomer.id].sort());
    // And casts flow again.
    stays.session.receive(request(1, Buffer.from([CastType.All, 2])));
    await settle();
    expect(far.conn.take().at(-1)).toMatchObject({ SenderID: stays.id, CastType: CastType.All });
  });

  it('ships nothing after a blip in which nothing changed, and only the changes after one that did', async () => {
    nodes = await cluster(3, { nodeTimeout: 60_000 });
    const [a, b, c] = nodes;
    const firstOfA = a.join();
    for (const node of nodes) for (let i = node === a ? 1 : 0; i < 5; i++) node.join();
    await sleep(100);
    const shipped: Array<{ node: string; kind: string; entries: number }> = [];
    for (const node of nodes) {
      const publish = node.backplane.publish.bind(node.backplane);
      jest.spyOn(node.backplane, 'publish').mockImplementation((message) => {
        const envelope = decodeEnvelope(message);
        if (envelope?.kind === 'sync') shipped.push({ node: envelope.node, kind: 'sync', entries: envelope.clientIds.length });
        if (envelope?.kind === 'changes') shipped.push({ node: envelope.node, kind: 'changes', entries: envelope.changes.length });
        return publish(message);
      });
    }

    a.backplane.setLinked(false);
    await sleep(30);
    a.backplane.setLinked(true);
    await sleep(150);
    expect(shipped).toEqual([]);

    a.backplane.setLinked(false);
    const newcomer = a.join();
    firstOfA.session.detach();
    await sleep(30);
    a.backplane.setLinked(true);
    const since = Date.now();
    while (!b.core.clientIds().includes(newcomer.id) && Date.now() - since < 2000) await sleep(10);
    await sleep(50);
    for (const node of [b, c]) {
      expect(node.core.clientIds()).toContain(newcomer.id);
      expect(node.core.clientIds()).not.toContain(firstOfA.id);
      expect(node.core.clientIds()).toHaveLength(15);
    }
    // B and C missed the same two changes: one answer, of two changes, serves both.
    expect(shipped).toEqual([{ node: a.core.stats().cluster?.nodeId, kind: 'changes', entries: 2 }]);
  });
});

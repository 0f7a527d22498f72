import { Node, settle, until, useVirtualTime } from '../testing/cluster-nodes';
import { UnreliableBackplane } from '../testing/unreliable-backplane';
import { decodeEnvelope, type Envelope } from './envelope';
import { InMemoryHub } from './in-memory-backplane';

// Membership travels as numbered changes; a node that missed some asks for the changes
// after the version it has, and gets them, or the full lists when those are shorter or the
// sender's log no longer reaches back.
describe('a cluster repairing lost membership changes by version', () => {
  useVirtualTime();
  let nodes: Node[] = [];
  afterEach(async () => {
    await Promise.all(nodes.map((node) => node.core.shutdown(100)));
  });

  /** A and B over one hub; B's link can lose chosen messages. What A publishes is recorded. */
  async function pair() {
    const hub = new InMemoryHub();
    let lossy: UnreliableBackplane | undefined;
    const a = new Node(hub, { nodeTimeout: 60_000 });
    const b = new Node(hub, { nodeTimeout: 60_000, wrap: (inner) => (lossy = new UnreliableBackplane(inner)) });
    nodes = [a, b];
    await Promise.all(nodes.map((node) => node.core.start()));
    await settle();
    const shipped: Envelope[] = [];
    const publish = a.backplane.publish.bind(a.backplane);
    jest.spyOn(a.backplane, 'publish').mockImplementation((message) => {
      const envelope = decodeEnvelope(message);
      if (envelope?.kind === 'sync' || envelope?.kind === 'changes') shipped.push(envelope);
      return publish(message);
    });
    return { a, b, link: lossy!, shipped };
  }

  it('sees a gap at the next change, holds what came early, and gets the changes from the gap on', async () => {
    const { a, b, link, shipped } = await pair();
    const watcher = b.join();
    const first = Array.from({ length: 5 }, () => a.join());
    await until(() => b.core.clientIds().length === 6);
    watcher.conn.take();

    // B misses the next join; the leave and the join after it show the gap. All three
    // are made in one turn: the hub delivers them on microtasks, before any heartbeat
    // (which would show the gap first, at an earlier version) can go out.
    let lost = 0;
    link.loseIncoming = (message) => lost === 0 && decodeEnvelope(message)?.kind === 'join' && ++lost === 1;
    const missed = a.join();
    missed.session.detach();
    const later = a.join();
    await until(() => b.core.clientIds().includes(later.id));

    expect(b.core.clientIds().sort()).toEqual([watcher.id, ...first.map((f) => f.id), later.id].sort());
    // Announced in A's order: the missed client joined, then left, then the next one joined.
    expect(watcher.conn.json().map((f) => [f.EventType, f.ClientID])).toEqual([
      [1, missed.id],
      [2, missed.id],
      [1, later.id],
    ]);
    expect(shipped).toEqual([
      {
        kind: 'changes',
        node: a.core.stats().cluster?.nodeId,
        since: 5,
        version: 8,
        changes: [
          ['join', missed.id],
          ['leave', missed.id],
          ['join', later.id],
        ],
      },
    ]);
  });

  it('sends its lists instead when they are shorter than the changes missed', async () => {
    const { a, b, link, shipped } = await pair();
    const stays = [a.join(), a.join()];
    await until(() => b.core.clientIds().length === 2);
    link.loseIncoming = (message) => decodeEnvelope(message)?.node === a.core.stats().cluster?.nodeId;
    for (let i = 0; i < 30; i++) a.join().session.detach();
    await settle();
    link.loseIncoming = () => false;
    // A's next beat is ahead of B's view.
    await until(() => shipped.length > 0);
    await settle();
    expect(shipped).toMatchObject([{ kind: 'sync', version: 62, clientIds: stays.map((s) => s.id) }]);
    expect(b.core.clientIds().sort()).toEqual(stays.map((s) => s.id).sort());
    expect(b.core.stats().cluster?.remoteClients).toBe(2);
  });

  it('sends its lists when its log no longer reaches back to the version asked about', async () => {
    const { a, b, link, shipped } = await pair();
    link.loseIncoming = (message) => decodeEnvelope(message)?.node === a.core.stats().cluster?.nodeId;
    const many = Array.from({ length: 4200 }, () => a.join());
    await settle();
    link.loseIncoming = () => false;
    await until(() => b.core.stats().cluster?.remoteClients === many.length);
    expect(shipped.map((e) => e.kind)).toEqual(['sync']);
  });
});

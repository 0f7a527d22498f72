import { cluster, Node, request, settle, sleep, until, useVirtualTime } from '../testing/cluster-nodes';
import { InMemoryHub } from './in-memory-backplane';
import { CastType, newResponseMessage } from '../message';
import { InvalidResponseError } from '../errors';
import type { Caster } from '../caster';
import { decodeEnvelope, encodeEnvelope } from './envelope';

const MiB = 1024 * 1024;

describe('what crosses the backplane is bounded, and nothing on it can throw', () => {
  useVirtualTime();
  let nodes: Node[] = [];
  afterEach(async () => {
    await Promise.all(nodes.map((node) => node.core.shutdown(100)));
  });

  it('decodes a cast of a 4 MiB body without a backtracking check (a regexp overflowed its stack here)', () => {
    const body = `"${Buffer.alloc(4 * MiB, 7).toString('base64')}"`;
    const message = encodeEnvelope({ kind: 'cast', node: 'n1', audience: { castType: CastType.All, senderId: '', targets: null }, handlerId: 1, body });
    expect(decodeEnvelope(message)).toMatchObject({ kind: 'cast', body });
    expect(decodeEnvelope(`${message.slice(0, -2)}!"`)).toBeNull();
    expect(decodeEnvelope(message.slice(0, -1))).toBeNull();
  });

  it('delivers a 4 MiB server cast on every node', async () => {
    nodes = await cluster(2);
    const [a, b] = nodes;
    const far = b.join();
    await settle();
    far.conn.take();
    a.core.cast(newResponseMessage(CastType.All, Buffer.alloc(4 * MiB, 1)));
    await settle();
    const [frame] = far.conn.take();
    expect(Buffer.from(frame.Body as string, 'base64').length).toBe(4 * MiB);
    expect(b.core.stats().cluster?.rejected).toBe(0);
  });

  it('refuses a cast longer than maxClusterMessageBytes as a whole: the server cast throws, a handler\'s request ends as handler_error', async () => {
    nodes = await cluster(2, { maxClusterMessageBytes: 64 * 1024 });
    const [a, b] = nodes;
    const near = a.join();
    const far = b.join();
    await settle();
    near.conn.take();
    far.conn.take();
    expect(() => a.core.cast(newResponseMessage(CastType.All, Buffer.alloc(100 * 1024)))).toThrow(InvalidResponseError);

    near.session.receive(request(1, Buffer.concat([Buffer.from([CastType.All]), Buffer.alloc(100 * 1024)])));
    await settle();
    expect(near.conn.take()).toEqual([
      { EventType: 3, ClientID: near.id, HandlerID: 1, Code: 'handler_error', Error: 'internal error' },
    ]);
    expect(far.conn.take()).toEqual([]);
    expect(a.logger.errors.join('\n')).toMatch(/larger than maxClusterMessageBytes/);

    // A reply to the sender alone never crosses the backplane, so no size of it is refused.
    near.session.receive(request(1, Buffer.concat([Buffer.from([CastType.Self]), Buffer.alloc(100 * 1024)])));
    await settle();
    expect(near.conn.take()).toMatchObject([{ CastType: CastType.Self }]);

    // One that fits still goes everywhere.
    near.session.receive(request(1, Buffer.concat([Buffer.from([CastType.All]), Buffer.alloc(1000)])));
    await settle();
    expect(far.conn.take()).toHaveLength(1);
  });

  it('drops a backplane message longer than maxClusterMessageBytes unread, and one whose handling throws, and keeps serving', async () => {
    nodes = await cluster(2, { maxClusterMessageBytes: 64 * 1024 });
    const [a, b] = nodes;
    const far = b.join();
    await settle();
    far.conn.take();
    const parse = jest.spyOn(JSON, 'parse');
    a.backplane.publish(`{"kind":"beat","node":"x","pad":"${'x'.repeat(70 * 1024)}"}`);
    await settle();
    expect(parse).not.toHaveBeenCalledWith(expect.stringContaining('"pad"'));
    parse.mockRestore();
    expect(b.core.stats().cluster?.rejected).toBe(1);

    // A failure anywhere in the handling of a message stays inside the node.
    const deliver = jest.spyOn((b.core as unknown as { node: { caster: Caster } }).node.caster, 'castHere');
    deliver.mockImplementationOnce(() => {
      throw new RangeError('Maximum call stack size exceeded');
    });
    a.core.cast(newResponseMessage(CastType.All, 'one'));
    await settle();
    expect(b.core.stats().cluster?.rejected).toBe(2);
    expect(b.logger.errors.join('\n')).toMatch(/handling a backplane message failed/);
    a.core.cast(newResponseMessage(CastType.All, 'two'));
    await settle();
    expect(far.conn.take().map((frame) => Buffer.from(frame.Body as string, 'base64').toString())).toEqual(['two']);
  });

  it('believes at most maxClientsPerInstance clients of one instance, however many a forged message claims', async () => {
    nodes = await cluster(2, { maxClientsPerInstance: 50 });
    const [a, b] = nodes;
    const local = b.join();
    await settle();
    local.conn.take();
    const phantoms = Array.from({ length: 1000 }, (_, i) => ['join', `phantom-${i}`]);
    a.backplane.publish(JSON.stringify({ kind: 'changes', node: 'forger', since: 0, version: 1000, changes: phantoms }));
    await settle();
    expect(b.core.clientIds().filter((id) => id.startsWith('phantom'))).toHaveLength(50);
    expect(local.conn.take().filter((frame) => frame.EventType === 1)).toHaveLength(50);
    expect(b.core.stats().cluster?.rejected).toBe(950);
  });

  it('answers a burst of requests for changes, counting down, with one answer from the lowest asked', async () => {
    nodes = await cluster(2);
    const [a, b] = nodes;
    for (let i = 0; i < 150; i++) a.join();
    await settle();
    const answers: number[] = [];
    const publish = a.backplane.publish.bind(a.backplane);
    jest.spyOn(a.backplane, 'publish').mockImplementation((message) => {
      const envelope = decodeEnvelope(message);
      if (envelope?.kind === 'changes') answers.push(envelope.since);
      return publish(message);
    });
    // The burst comes within one half heartbeat (10 ms here); on the suite's virtual clock
    // no time passes while it is read, however long a loaded machine takes to read it.
    for (let since = 149; since >= 50; since--) {
      b.backplane.publish(JSON.stringify({ kind: 'sync-request', node: 'asker', to: a.core.stats().cluster?.nodeId, since }));
    }
    await new Promise(setImmediate);
    // One answer at once; the rest of the burst waits for the next half heartbeat and is
    // answered together from the lowest since asked, and nothing more.
    await until(() => answers.length >= 2);
    await sleep(100);
    expect(answers).toEqual([149, 50]);
  });

  it('ships lists longer than one message in parts: a later instance learns a client in 5,000 rooms', async () => {
    const hub = new InMemoryHub();
    const options = { maxClusterMessageBytes: 64 * 1024, maxRoomsPerClient: 10_000 };
    const a = new Node(hub, options);
    nodes = [a];
    await a.core.start();
    const busy = a.join();
    const rooms = Array.from({ length: 5000 }, (_, i) => `room-with-a-longish-name-${i}`);
    for (const room of rooms) a.core.join(busy.id, room);
    const sizes: number[] = [];
    const publish = a.backplane.publish.bind(a.backplane);
    jest.spyOn(a.backplane, 'publish').mockImplementation((message) => {
      if (decodeEnvelope(message)?.kind === 'sync') sizes.push(message.length);
      return publish(message);
    });

    const late = new Node(hub, options);
    nodes.push(late);
    await late.core.start();
    await until(() => late.core.roomsOf(busy.id).length === 5000);
    expect(late.core.roomsOf(busy.id).sort()).toEqual([...rooms].sort());
    expect(sizes.length).toBeGreaterThan(1);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(64 * 1024);
    expect(a.logger.errors).toEqual([]);
  });
});

import { cluster, request, settle, sleep, type Node, useVirtualTime } from '../testing/cluster-nodes';
import { CastType, EventType, newResponseMessage } from '../message';
import { decodeEnvelope } from './envelope';
import type { Backplane, BackplaneListener } from './backplane';
import type { InMemoryBackplane } from './in-memory-backplane';

const joinRoom = (room: string) => request(4, Buffer.from(room));
const castTo = (castType: CastType, rooms: string[]) => request(3, Buffer.concat([Buffer.from([castType]), Buffer.from(rooms.join(','))]));

describe('rooms across a cluster (in-memory backplane)', () => {
  useVirtualTime();
  let nodes: Node[] = [];
  afterEach(async () => {
    await Promise.all(nodes.map((node) => node.core.shutdown(100)));
  });

  it('delivers a room cast to its members on every node, published once whatever the rooms', async () => {
    nodes = await cluster(3);
    const [a, b, c] = nodes;
    const sender = a.join();
    const nearMember = a.join();
    const farMembers = [b.join(), c.join()];
    const farOutsider = b.join();
    await settle();
    for (const client of [nearMember, ...farMembers]) client.session.receive(joinRoom('red'));
    farMembers[1].session.receive(joinRoom('blue'));
    await settle();
    for (const client of [sender, nearMember, ...farMembers, farOutsider]) client.conn.take();
    const publishes = jest.spyOn(a.backplane, 'publish');

    sender.session.receive(castTo(CastType.Room, ['red', 'blue']));
    await settle();
    const casts = publishes.mock.calls.map(([message]) => decodeEnvelope(message)).filter((e) => e?.kind === 'cast');
    expect(casts).toHaveLength(1);
    for (const member of [nearMember, ...farMembers]) {
      expect(member.conn.take()).toEqual([
        { SenderID: sender.id, HandlerID: 3, CastType: CastType.Room, CastFor: ['red', 'blue'], Body: Buffer.from('hi').toString('base64') },
      ]);
    }
    expect(sender.conn.take()).toEqual([]);
    expect(farOutsider.conn.take()).toEqual([]);

    farMembers[0].session.receive(castTo(CastType.RoomOthers, ['red']));
    await settle();
    expect(nearMember.conn.take()).toHaveLength(1);
    expect(farMembers[1].conn.take()).toHaveLength(1);
    expect(farMembers[0].conn.take()).toEqual([]);
  });

  it('lists room members cluster-wide, and moves remote clients in and out of rooms through their node', async () => {
    nodes = await cluster(2);
    const [a, b] = nodes;
    const local = a.join();
    const remote = b.join();
    await settle();
    expect(a.core.join(remote.id, 'lobby')).toBe(true);
    expect(a.core.join(local.id, 'lobby')).toBe(true);
    await settle();
    expect(a.core.clientIds('lobby')).toEqual([local.id, remote.id]);
    expect(b.core.clientIds('lobby')).toEqual([remote.id, local.id]);
    expect(a.core.roomsOf(remote.id)).toEqual(['lobby']);
    expect(b.core.rooms()).toEqual(['lobby']);
    // The room event ran on the node holding the client, only there.
    expect(b.events.filter((e) => e.eventType === EventType.OnJoinRoom)).toEqual([
      { eventType: EventType.OnJoinRoom, clientId: remote.id, room: 'lobby' },
    ]);
    expect(a.events.filter((e) => e.eventType === EventType.OnJoinRoom).map((e) => e.clientId)).toEqual([local.id]);

    expect(b.core.leave(remote.id, 'lobby')).toBe(true);
    a.core.leave(local.id, 'lobby');
    await settle();
    expect(a.core.clientIds('lobby')).toEqual([]);
    expect(b.core.rooms()).toEqual([]);
    expect(a.core.join('somebody-nowhere', 'lobby')).toBe(false);
  });

  it('takes a disconnected client out of its rooms on every node', async () => {
    nodes = await cluster(2);
    const [a, b] = nodes;
    const leaver = b.join();
    await settle();
    leaver.session.receive(joinRoom('red'));
    await settle();
    expect(a.core.clientIds('red')).toEqual([leaver.id]);
    leaver.session.detach();
    await settle();
    expect(a.core.clientIds('red')).toEqual([]);
    expect(a.core.rooms()).toEqual([]);
  });

  it('forgets the members of a node that went silent, within the node timeout', async () => {
    nodes = await cluster(2);
    const [a, b] = nodes;
    const doomed = [b.join(), b.join()];
    for (const client of doomed) client.session.receive(joinRoom('red'));
    await settle();
    expect(a.core.clientIds('red')).toHaveLength(2);
    b.backplane.setLinked(false);
    const since = Date.now();
    while (a.core.clientIds('red').length > 0 && Date.now() - since < 5000) await sleep(10);
    expect(a.core.clientIds('red')).toEqual([]);
    expect(a.core.rooms()).toEqual([]);
  });

  it('repairs a lost membership change from the next heartbeat', async () => {
    const dropped: string[] = [];
    // A's first room message is lost on its way, as a broker hiccup would lose it.
    const lossy = (inner: InMemoryBackplane): Backplane => ({
      connect: (listener: BackplaneListener) => inner.connect(listener),
      publish: (message: string) => {
        if (dropped.length === 0 && decodeEnvelope(message)?.kind === 'room') {
          dropped.push(message);
          return true;
        }
        return inner.publish(message);
      },
      close: () => inner.close(),
    });
    let first = true;
    nodes = await cluster(2, {
      wrap: (inner) => {
        const wrapped = first ? lossy(inner) : inner;
        first = false;
        return wrapped;
      },
    });
    const [a, b] = nodes;
    const client = a.join();
    await settle();
    client.session.receive(joinRoom('red'));
    // The change itself never reaches B: only the heartbeat's digest can tell it.
    expect(dropped).toHaveLength(1);
    const since = Date.now();
    while (b.core.clientIds('red').length === 0 && Date.now() - since < 2000) await sleep(10);
    expect(b.core.clientIds('red')).toEqual([client.id]);
  });

  it('reaches every connection of a user, on every node, through its user room', async () => {
    nodes = await cluster(2, { userRoom: (principal) => (typeof principal === 'string' ? `user:${principal}` : undefined) });
    const [a, b] = nodes;
    const tabs = [a.join('ana'), b.join('ana'), b.join('ana')];
    const other = a.join('ben');
    await settle();
    expect(a.core.clientIds('user:ana').sort()).toEqual(tabs.map((t) => t.id).sort());
    for (const client of [...tabs, other]) client.conn.take();
    a.core.cast(newResponseMessage(CastType.Room, 'for ana', 'user:ana'));
    await settle();
    for (const tab of tabs) expect(tab.conn.take()).toMatchObject([{ CastType: CastType.Room, CastFor: ['user:ana'] }]);
    expect(other.conn.take()).toEqual([]);
  });
});

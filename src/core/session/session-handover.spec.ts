import { CastType, EventType, newResponseMessage } from '../message';
import { cluster, Node, request, sleep, useVirtualTime } from '../testing/cluster-nodes';
import { flow, sessionOf } from '../testing/session-clients';

const SECRET = 'a cluster secret of some length';
const allCast = (text: string) => request(1, Buffer.concat([Buffer.from([CastType.All]), Buffer.from(text)]));
const joinRoom = (room: string) => request(4, Buffer.from(room));
const bodyOf = (frame: Record<string, unknown>) => (typeof frame.Body === 'string' ? Buffer.from(frame.Body, 'base64').toString('utf8') : null);

describe('sessions handed over to another node as their node shuts down', () => {
  useVirtualTime();
  let nodes: Node[] = [];
  afterEach(async () => {
    await Promise.all(nodes.map((node) => node.core.shutdown(100)));
  });

  it('moves a session client with everything cast meanwhile, exactly once, in order; it resumes on any node; nobody sees it leave or join', async () => {
    nodes = await cluster(3, { clusterSecret: SECRET, sessionGrace: 5000 });
    const [a, b, c] = nodes;
    const ana = a.join({ user: 'ana' }, true);
    ana.session.receive(joinRoom('lobby'));
    const ben = b.join();
    const cleo = c.join();
    await flow();
    for (const conn of [ben.conn, cleo.conn]) conn.take();

    // Both other nodes cast numbered messages all through the shutdown of the first.
    const shutdown = a.core.shutdown(3000);
    for (let i = 1; i <= 40; i++) {
      ben.session.receive(allCast(`b${i}`));
      cleo.session.receive(allCast(`c${i}`));
      await sleep(i % 3);
    }
    await shutdown;
    expect(ana.conn.closedWith?.code).toBe(1012);
    ana.session.detach();
    await flow();
    const heir = b.core.stats().sessions.takenOver === 1 ? b : c;
    const other = heir === b ? c : b;
    expect(heir.core.stats().sessions.takenOver).toBe(1);
    expect(a.core.stats().sessions).toMatchObject({ handedOver: 1, handoverFailed: 0 });
    // Away on its new node, in its rooms, still in presence.
    expect(other.core.presence('lobby').clients).toEqual([expect.objectContaining({ clientId: ana.id, away: true })]);

    // Resumed on the node that does not hold it (relayed to the one that does).
    const back = other.join(undefined, true, sessionOf(ana.conn));
    await flow();
    expect(back.session.id).toBe(ana.id);
    expect(back.conn.json()[0]).toMatchObject({ EventType: 5, ClientID: ana.id, Resumed: true });
    (heir === b ? ben : cleo).session.receive(request(3, Buffer.from([CastType.Room, ...Buffer.from('lobby')])));
    await flow();
    const bodies = [...ana.conn.json(), ...back.conn.json()].map(bodyOf).filter((body): body is string => body !== null);
    const numbered = (prefix: string) => bodies.filter((body) => body.startsWith(prefix)).map((body) => Number(body.slice(1)));
    const oneTo40 = Array.from({ length: 40 }, (_, i) => i + 1);
    expect(numbered('b')).toEqual(oneTo40);
    expect(numbered('c')).toEqual(oneTo40);
    expect(bodies.at(-1)).toBe('hi');

    // Nobody was told of a leave or a join of hers.
    for (const conn of [ben.conn, cleo.conn]) {
      expect(conn.json().filter((frame) => frame.ClientID === ana.id && (frame.EventType === EventType.OnAddClient || frame.EventType === EventType.OnDelClient))).toEqual([]);
    }
    expect([...b.events, ...c.events].filter((event) => event.clientId === ana.id && event.eventType === EventType.OnDelClient)).toEqual([]);
  });

  it('moves its presence and what is left of its grace period: the session ends there with one leave if it never comes back', async () => {
    nodes = await cluster(2, { clusterSecret: SECRET, sessionGrace: 1000, presenceInfo: (principal) => ({ name: (principal as { user: string }).user }) });
    const [a, b] = nodes;
    const ana = a.join({ user: 'ana', roles: ['admin'] }, true);
    const ben = b.join();
    await flow();
    ana.session.detach();
    await sleep(400);
    await a.core.shutdown(2000);
    await flow();
    expect(b.core.stats().sessions.takenOver).toBe(1);
    expect(b.core.presence().clients).toContainEqual({ clientId: ana.id, info: { name: 'ana' }, away: true });
    ben.conn.take();
    await sleep(500);
    await flow();
    expect(ben.conn.json().filter((frame) => frame.ClientID === ana.id)).toEqual([]);
    await sleep(200);
    await flow();
    expect(ben.conn.json().filter((frame) => frame.ClientID === ana.id)).toEqual([{ EventType: EventType.OnDelClient, ClientID: ana.id }]);
    const leave = b.events.find((event) => event.clientId === ana.id && event.eventType === EventType.OnDelClient);
    expect(leave).toBeDefined();
  });

  it('ends the sessions as before when no other node takes them, or the cluster does not sign its messages', async () => {
    nodes = await cluster(2, { sessionGrace: 5000, sessionSecret: SECRET });
    const [a, b] = nodes;
    const ana = a.join(undefined, true);
    const ben = b.join();
    await flow();
    ben.conn.take();
    const shutdown = a.core.shutdown(500);
    await sleep(1100);
    await shutdown;
    expect(ana.conn.closedWith?.code).toBe(1001);
    expect(a.core.stats().sessions.handoverFailed).toBe(1);
    expect(a.logger.warnings.some((line) => line.includes('clusterSecret'))).toBe(true);
    expect(ben.conn.json()).toEqual([{ EventType: EventType.OnDelClient, ClientID: ana.id }]);
  });

  it('is refused by a node that is shutting down too', async () => {
    nodes = await cluster(2, { clusterSecret: SECRET, sessionGrace: 5000 });
    const [a, b] = nodes;
    const ana = a.join(undefined, true);
    const ben = b.join(undefined, true);
    await flow();
    const shutdowns = Promise.all([a.core.shutdown(500), b.core.shutdown(500)]);
    await sleep(3500);
    await shutdowns;
    expect(ana.conn.closedWith?.code).toBe(1001);
    expect(ben.conn.closedWith?.code).toBe(1001);
    expect(a.core.stats().sessions.handoverFailed + b.core.stats().sessions.handoverFailed).toBe(2);
  });

  it('a server cast during the handover reaches the moved client once', async () => {
    nodes = await cluster(2, { clusterSecret: SECRET, sessionGrace: 5000 });
    const [a, b] = nodes;
    const ana = a.join(undefined, true);
    await flow();
    const shutdown = a.core.shutdown(2000);
    for (let i = 1; i <= 20; i++) {
      b.core.cast(newResponseMessage(CastType.Exclusive, `x${i}`, ana.id));
      await sleep(1);
    }
    await shutdown;
    ana.session.detach();
    const back = b.join(undefined, true, sessionOf(ana.conn));
    await flow();
    const bodies = [...ana.conn.json(), ...back.conn.json()].map(bodyOf).filter((body) => body !== null);
    expect(bodies).toEqual(Array.from({ length: 20 }, (_, i) => `x${i + 1}`));
  });

  it('moves a session to the node its client reconnected to: same ID, what it missed, then its requests run there; the old node keeps nothing', async () => {
    nodes = await cluster(2, { clusterSecret: SECRET, sessionGrace: 5000 });
    const [a, b] = nodes;
    const ana = a.join({ user: 'ana' }, true);
    ana.session.receive(joinRoom('lobby'));
    const ben = b.join();
    await flow();
    ana.session.detach();
    await flow();
    ben.session.receive(allCast('missed'));
    await flow();
    ben.conn.take();

    const back = b.join(undefined, true, sessionOf(ana.conn));
    await flow();
    expect(back.session.id).toBe(ana.id);
    expect(back.conn.json().slice(0, 2)).toEqual([expect.objectContaining({ EventType: 5, ClientID: ana.id, Resumed: true }), expect.objectContaining({ HandlerID: 1 })]);
    expect(bodyOf(back.conn.json()[1])).toBe('missed');
    expect(a.core.stats().sessions).toMatchObject({ handedOver: 1, relaying: 0 });
    expect(b.core.stats().sessions).toMatchObject({ takenOver: 1, resumed: 1, relaying: 0 });
    expect(b.core.roomsOf(ana.id)).toEqual(['lobby']);
    expect(a.core.clientIds()).toEqual(b.core.clientIds());
    // Its requests run where it is now.
    back.session.receive(request(3, Buffer.from([CastType.RoomOthers, ...Buffer.from('lobby')])));
    back.session.receive(joinRoom('kitchen'));
    await flow();
    expect(b.core.roomsOf(ana.id).sort()).toEqual(['kitchen', 'lobby']);
    expect(ben.conn.json().filter((frame) => frame.ClientID === ana.id)).toEqual([]);
    expect(b.events.filter((event) => event.clientId === ana.id).map((event) => event.eventType)).toEqual([EventType.OnResume, EventType.OnJoinRoom]);
  });

  it('closes the old socket (4001) of a session moved while its node had not noticed it was gone, and a second resume of the same token is a new client', async () => {
    nodes = await cluster(3, { clusterSecret: SECRET, sessionGrace: 5000 });
    const [a, b, c] = nodes;
    const ana = a.join(undefined, true);
    await flow();
    const token = sessionOf(ana.conn);
    const back = b.join(undefined, true, token);
    const twin = c.join(undefined, true, token);
    await flow();
    expect(ana.conn.closedWith?.code).toBe(4001);
    ana.session.detach();
    const resumed = [back, twin].filter((one) => one.conn.json()[0]?.Resumed === true);
    expect(resumed).toHaveLength(1);
    expect(resumed[0].session.id).toBe(ana.id);
    const other = resumed[0] === back ? twin : back;
    expect(other.session.id).not.toBe(ana.id);
    expect(other.conn.json().find((frame) => frame.EventType === 5)).toMatchObject({ Resumed: false });
  });

  it('waits, on a node that has only just joined the cluster, until it learns which node holds the session being resumed', async () => {
    nodes = await cluster(1, { clusterSecret: SECRET, sessionGrace: 5000 });
    const [a] = nodes;
    const ana = a.join(undefined, true);
    await flow();
    ana.session.detach();
    // A node started a moment ago (a restarted instance) gets the resume before it knows the others' clients.
    const fresh = new Node(a.medium, { clusterSecret: SECRET, sessionGrace: 5000 });
    nodes.push(fresh);
    const starting = fresh.core.start();
    const back = fresh.join(undefined, true, sessionOf(ana.conn));
    await starting;
    back.session.receive(joinRoom('early'));
    await flow();
    await sleep(100);
    await flow();
    expect(back.session.id).toBe(ana.id);
    expect(back.conn.json()[0]).toMatchObject({ EventType: 5, ClientID: ana.id, Resumed: true });
    // What it sent while waiting ran once it was placed.
    expect(fresh.core.roomsOf(ana.id)).toEqual(['early']);
  });
});

import { CastType, EventType, newResponseMessage } from '../message';
import { cluster, request, sleep, type Node, type NodeOptions, useVirtualTime } from '../testing/cluster-nodes';
import type { FakeConn } from '../testing/fake-conn';
import { flow, sessionOf } from '../testing/session-clients';

const SECRET = 'a cluster secret of some length';
/** A principal that is not plain data: its session cannot move to another node, so it is relayed. */
const UNMOVABLE = { since: 10n };
const allCast = (text: string) => request(1, Buffer.concat([Buffer.from([CastType.All]), Buffer.from(text)]));
const selfCast = (text: string) => request(1, Buffer.concat([Buffer.from([CastType.Self]), Buffer.from(text)]));
const bodies = (conn: FakeConn) =>
  conn.take().flatMap((frame) => (typeof frame.Body === 'string' ? [Buffer.from(frame.Body, 'base64').toString('utf8')] : []));

describe('a session resumed on another node of the cluster, relayed where it cannot move', () => {
  useVirtualTime();
  let nodes: Node[] = [];

  /** Two nodes, and a session client of the first whose connection was lost. */
  async function awayOnFirst(options: NodeOptions = { clusterSecret: SECRET, sessionGrace: 5000 }) {
    nodes = await cluster(2, options);
    const [a, b] = nodes;
    const ana = a.join(UNMOVABLE, true);
    await flow();
    ana.session.detach();
    await flow();
    return { a, b, ana };
  }

  /** The same, resumed on the second node. */
  async function resumedElsewhere() {
    const { a, b, ana } = await awayOnFirst();
    const back = b.join(undefined, true, sessionOf(ana.conn));
    await flow();
    expect(back.conn.json()[0]).toMatchObject({ Resumed: true });
    return { a, b, ana, back };
  }
  afterEach(async () => {
    await Promise.all(nodes.map((node) => node.core.shutdown(100)));
  });

  it('takes the session back on the other node: same ID, the missed frames, then live frames both ways; nobody sees a leave', async () => {
    nodes = await cluster(2, { clusterSecret: SECRET, sessionGrace: 5000 });
    const [a, b] = nodes;
    const ana = a.join(UNMOVABLE, true);
    const watcher = b.join();
    await flow();
    const before = sessionOf(ana.conn);
    ana.session.detach();
    await flow();
    watcher.session.receive(allCast('missed one'));
    watcher.session.receive(allCast('missed two'));
    await flow();
    watcher.conn.take();

    const back = b.join(undefined, true, before);
    expect(back.session.id).toBe(ana.id);
    await flow();
    const frames = back.conn.take();
    expect(frames[0]).toEqual({ EventType: 5, ClientID: ana.id, Session: expect.any(String), Resumed: true });
    expect(frames.slice(1).map((frame) => Buffer.from(frame.Body as string, 'base64').toString())).toEqual(['missed one', 'missed two']);

    // Live: a cast from anywhere, and the client's own requests, run on the node holding the session.
    watcher.session.receive(allCast('live'));
    back.session.receive(selfCast('mine'));
    await flow();
    expect(bodies(back.conn)).toEqual(['live', 'mine']);
    expect(watcher.conn.take().filter((frame) => frame.EventType === 2)).toEqual([]);
    expect(a.events.map((event) => event.eventType)).toEqual([EventType.OnAddClient, EventType.OnAway, EventType.OnResume]);
    expect(b.core.stats().sessions).toMatchObject({ relayed: 1, relaying: 1 });
    expect(a.core.stats().sessions).toMatchObject({ resumed: 1, relaying: 1 });

    // Losing the relayed connection makes it away again on its node; closing it normally ends it.
    back.session.detach();
    await flow();
    expect(a.events.at(-1)?.eventType).toBe(EventType.OnAway);
    // Neither side keeps anything of the relay once the connection is gone.
    expect(a.core.stats().sessions.relaying + b.core.stats().sessions.relaying).toBe(0);
    expect(a.core.presence().clients).toEqual([expect.objectContaining({ clientId: ana.id, away: true }), expect.anything()]);
  });

  it('relays requests and frames exactly: the client counts what it got across relays', async () => {
    const { a, ana, back: first } = await resumedElsewhere();
    for (let i = 0; i < 5; i++) first.session.receive(selfCast(`n${i}`));
    await flow();
    const seen = [...ana.conn.json(), ...first.conn.json()];
    expect(bodies(first.conn)).toEqual(['n0', 'n1', 'n2', 'n3', 'n4']);
    // Back on the holder itself, from the count of frames received in all.
    first.session.detach();
    await flow();
    const received = seen.filter((frame) => frame.EventType !== 5).length;
    const token = (seen.filter((frame) => frame.EventType === 5).at(-1) as { Session: string }).Session;
    a.core.cast(newResponseMessage(CastType.All, 'while away'));
    const home = a.join(undefined, true, { token, received });
    await flow();
    expect(home.conn.json()[0]).toMatchObject({ EventType: 5, ClientID: ana.id, Resumed: true });
    expect(bodies(home.conn)).toEqual(['while away']);
  });

  it('goes on as a new client where it is when the cluster does not sign its messages, or the token is unknown', async () => {
    const { b, ana } = await awayOnFirst({ sessionGrace: 5000, sessionSecret: SECRET });
    const elsewhere = b.join(undefined, true, sessionOf(ana.conn));
    await flow();
    expect(elsewhere.conn.json()[1]).toMatchObject({ EventType: 5, Resumed: false });
    expect(elsewhere.session.id).not.toBe(ana.id);
    expect(b.core.stats().sessions).toMatchObject({ relayed: 0, refused: 1 });
  });

  it('closes a relayed connection as its node closes the session: 1001 when that node shuts down (its session cannot move)', async () => {
    const { a, back } = await resumedElsewhere();
    const shutdown = a.core.shutdown(100);
    await sleep(300);
    await shutdown;
    await flow();
    expect(back.conn.closedWith?.code).toBe(1001);
  });

  it('closes a connection that sends more than it may before its resume is answered (1008), keeping the session away', async () => {
    const { a, b, ana } = await awayOnFirst();
    const eager = b.join(undefined, true, sessionOf(ana.conn));
    for (let i = 0; i < 129; i++) eager.session.receive(selfCast(`early ${i}`));
    expect(eager.conn.closedWith?.code).toBe(1008);
    expect(b.logger.warnings.filter((line) => line.includes('before its resume was answered'))).toHaveLength(1);
    eager.session.detach();
    await flow();
    // Nothing of it ran, and the session is still there to be resumed.
    expect(a.core.stats().messagesIn).toBe(0);
    expect(a.core.presence().clients).toEqual([expect.objectContaining({ clientId: ana.id, away: true })]);
    expect(a.core.stats().sessions.relaying + b.core.stats().sessions.relaying).toBe(0);
  });

  it('ends a relayed connection with 1012 when the node holding the session vanishes', async () => {
    const { a, back } = await resumedElsewhere();
    a.backplane.publish = () => true;
    await sleep(300);
    await flow();
    expect(back.conn.closedWith?.code).toBe(1012);
  });
});

import { Broadcaster, Room, RoomOthers, newResponseMessage } from '../src/index.js';
import { RedisBackplane } from '../src/redis/index.js';
import { AppModule } from '../sample/app.module.js';
import { JOIN_ROOM, LEAVE_ROOM, MEMBERS, NOTIFY_USER, SAY } from '../sample/room.handlers.js';
import { startApp, type RunningApp } from './support/app.js';
import { ChildServer } from './support/child-server.js';
import { findRedis, redisForSuite } from './support/redis-server.js';
import { until } from './support/until.js';
import { bodyText, TestClient } from './support/ws-client.js';

const json = (frame: Record<string, unknown>) => JSON.parse(bodyText(frame) ?? 'null') as Record<string, unknown>;

/** Sends a JSON body to a handler. */
function send(client: TestClient, handlerId: number, body: unknown, requestId?: number | string): void {
  client.send({ HandlerID: handlerId, Body: Buffer.from(JSON.stringify(body)).toString('base64'), RequestID: requestId });
}

describe('rooms in the sample app (one instance)', () => {
  let running: RunningApp;
  beforeAll(async () => {
    running = await startApp(AppModule.withEndpoint('/'));
  });
  afterAll(() => running.app.close());

  it('joins, talks in and leaves a room; only members hear it; the others hear of joins and leaves', async () => {
    const ana = await TestClient.join(running.url);
    const ben = await TestClient.join(running.url);
    const eve = await TestClient.join(running.url);
    await ana.client.drain(100);
    await ben.client.drain(100);

    send(ana.client, JOIN_ROOM, { room: 'lobby' }, 1);
    expect(json(await ana.client.nextJson())).toEqual({ room: 'lobby', members: [ana.id] });
    expect(await ana.client.nextJson()).toEqual({ EventType: 4, ClientID: ana.id, HandlerID: JOIN_ROOM, RequestID: 1 });

    send(ben.client, JOIN_ROOM, { room: 'lobby' });
    expect(json(await ben.client.nextJson())).toEqual({ room: 'lobby', members: [ana.id, ben.id] });
    const notice = await ana.client.nextJson();
    expect(notice).toMatchObject({ SenderID: ben.id, HandlerID: 0, CastType: RoomOthers, CastFor: ['lobby'] });
    expect(json(notice)).toEqual({ event: 'joined', clientId: ben.id, room: 'lobby' });

    send(ben.client, SAY, { room: 'lobby', text: 'héllo 👋' });
    for (const member of [ana, ben]) {
      const said = await member.client.nextJson();
      expect(said).toMatchObject({ SenderID: ben.id, HandlerID: SAY, CastType: Room, CastFor: ['lobby'] });
      expect(json(said)).toEqual({ from: ben.id, text: 'héllo 👋' });
    }
    send(eve.client, SAY, { room: 'lobby', text: 'let me in' });
    expect(await eve.client.nextJson()).toMatchObject({ EventType: 3, Code: 'forbidden', Error: 'join lobby before talking in it' });
    expect(await eve.client.drain(100)).toEqual([]);

    send(ana.client, LEAVE_ROOM, { room: 'lobby' });
    expect(json(await ben.client.nextJson())).toEqual({ event: 'left', clientId: ana.id, room: 'lobby' });
    send(ben.client, MEMBERS, { room: 'lobby' });
    expect(json(await ben.client.nextJson())).toEqual({ room: 'lobby', members: [ben.id] });

    await ben.client.close();
    await until(() => running.app.get(Broadcaster).clientIds('lobby').length === 0, 'the room to empty');
    expect(await ana.client.drain(100)).toEqual([expect.stringContaining('"EventType":2')]);
    await ana.client.close();
    await eve.client.close();
  });

  it('refuses bad room names with bad_request, echoing the RequestID, and casts nothing', async () => {
    const { client } = await TestClient.join(running.url);
    send(client, JOIN_ROOM, { room: '' }, 'bad-1');
    expect(await client.nextJson()).toMatchObject({ Code: 'bad_request', RequestID: 'bad-1' });
    send(client, JOIN_ROOM, { room: 'x'.repeat(201) });
    expect(await client.nextJson()).toMatchObject({ Code: 'bad_request', Error: 'name a "room" of 1 to 200 characters' });
    send(client, JOIN_ROOM, { room: 42 });
    expect(await client.nextJson()).toMatchObject({ Code: 'bad_request' });
    expect(await client.drain(100)).toEqual([]);
    await client.close();
  });

  it('reaches every connection of a user through its user room, and nobody else', async () => {
    const tab1 = await TestClient.join(`${running.url}?user=ana`);
    const tab2 = await TestClient.join(`${running.url}?user=ana`);
    const other = await TestClient.join(`${running.url}?user=ben`);
    const broadcaster = running.app.get(Broadcaster);
    expect(broadcaster.clientIds('user:ana')).toEqual([tab1.id, tab2.id]);
    expect(broadcaster.roomsOf(other.id)).toEqual(['user:ben']);
    await tab1.client.drain(100);
    await tab2.client.drain(100);

    send(other.client, NOTIFY_USER, { user: 'ana', text: 'ping' });
    for (const tab of [tab1, tab2]) {
      expect(json(await tab.client.nextJson())).toEqual({ from: other.id, text: 'ping' });
    }
    expect(await other.client.drain(100)).toEqual([]);

    await broadcaster.cast(newResponseMessage(Room, 'from the server', 'user:ana'));
    expect(await tab1.client.nextJson()).toMatchObject({ SenderID: '', CastType: Room, CastFor: ['user:ana'] });
    await tab2.client.nextJson();

    // Nobody else may enter a user's room, list it, or talk in it as a member.
    for (const [handlerId, body] of [[JOIN_ROOM, { room: 'user:ana' }], [MEMBERS, { room: 'user:ana' }], [SAY, { room: 'user:ana', text: 'hi' }]] as const) {
      send(other.client, handlerId, body, 'r');
      expect(await other.client.nextJson()).toMatchObject({ HandlerID: handlerId, Code: 'forbidden', Error: 'rooms named user:… belong to their user' });
    }
    expect(broadcaster.clientIds('user:ana')).toEqual([tab1.id, tab2.id]);
    expect(await tab1.client.drain(100)).toEqual([]);
    for (const { client } of [tab1, tab2, other]) await client.close();
  });

  it('lets server code move clients between rooms, and validates names there too', async () => {
    const broadcaster = running.app.get(Broadcaster);
    const { client, id } = await TestClient.join(running.url);
    expect(broadcaster.join(id, 'ops')).toBe(true);
    expect(broadcaster.roomsOf(id)).toEqual(['ops']);
    expect(broadcaster.rooms()).toContain('ops');
    expect(() => broadcaster.join(id, '')).toThrow(TypeError);
    expect(() => broadcaster.clientIds('y'.repeat(201))).toThrow('a room name must have 1 to 200 characters, got 201');
    expect(() => broadcaster.cast(newResponseMessage(Room, 'x', ''))).rejects.toThrow('castFor is wrong');
    expect(broadcaster.leave(id, 'ops')).toBe(true);
    expect(broadcaster.roomsOf(id)).toEqual([]);
    await client.close();
  });
});

const redis = findRedis();
const describeWithRedis = redis.kind === 'none' ? describe.skip : describe;
const HEARTBEAT = 200;
const NODE_TIMEOUT = 1500;

describeWithRedis('rooms across two instances over a real Redis', () => {
  const suiteRedis = redisForSuite(redis);
  const apps: RunningApp[] = [];
  let child: ChildServer | null = null;

  afterEach(async () => {
    await Promise.all(apps.splice(0).map(({ app }) => app.close()));
    await child?.stop();
    child = null;
  });

  const channel = () => `rooms-${expect.getState().currentTestName}`;

  async function node(): Promise<RunningApp & { broadcaster: Broadcaster }> {
    const cluster = {
      backplane: new RedisBackplane({ url: suiteRedis.url(), channel: channel() }),
      clusterHeartbeatInterval: HEARTBEAT,
      nodeTimeout: NODE_TIMEOUT,
    };
    const running = await startApp(AppModule.withEndpoint('/', cluster));
    apps.push(running);
    return { ...running, broadcaster: running.app.get(Broadcaster) };
  }

  it('casts to room members on both instances, moves remote clients, and lists members cluster-wide', async () => {
    const a = await node();
    const b = await node();
    const near = await TestClient.join(a.url);
    const far = await TestClient.join(b.url);
    const farOutsider = await TestClient.join(b.url);
    await until(() => a.broadcaster.clientIds().length === 3 && b.broadcaster.clientIds().length === 3, 'both to list 3 clients');

    send(near.client, JOIN_ROOM, { room: 'match-7' });
    // Server code on A puts B's client in the room: B does it.
    expect(a.broadcaster.join(far.id, 'match-7')).toBe(true);
    await until(() => a.broadcaster.clientIds('match-7').length === 2 && b.broadcaster.clientIds('match-7').length === 2, 'the room on both');
    expect(b.broadcaster.roomsOf(far.id)).toEqual(['match-7']);
    expect(a.broadcaster.roomsOf(far.id)).toEqual(['match-7']);
    for (const { client } of [near, far, farOutsider]) await client.drain(150);

    send(near.client, SAY, { room: 'match-7', text: 'gg' });
    expect(json(await far.client.nextJson())).toEqual({ from: near.id, text: 'gg' });
    expect(json(await near.client.nextJson())).toEqual({ from: near.id, text: 'gg' });
    expect(await farOutsider.client.drain(200)).toEqual([]);

    expect(b.broadcaster.leave(far.id, 'match-7')).toBe(true);
    await until(() => a.broadcaster.clientIds('match-7').length === 1, 'the leave to reach A');
    for (const { client } of [near, far, farOutsider]) await client.close();
  });

  it('reaches every tab of a user on both instances', async () => {
    const a = await node();
    const b = await node();
    const tabs = [await TestClient.join(`${a.url}?user=ana`), await TestClient.join(`${b.url}?user=ana`)];
    const ben = await TestClient.join(`${b.url}?user=ben`);
    await until(() => a.broadcaster.clientIds('user:ana').length === 2, 'A to list both tabs of ana');
    for (const { client } of [...tabs, ben]) await client.drain(150);

    send(ben.client, NOTIFY_USER, { user: 'ana', text: 'dinner?' });
    for (const tab of tabs) expect(json(await tab.client.nextJson())).toEqual({ from: ben.id, text: 'dinner?' });
    expect(await ben.client.drain(150)).toEqual([]);
    for (const { client } of [...tabs, ben]) await client.close();
  });

  it('drops the room members of a killed instance from every listing within the node timeout', async () => {
    const a = await node();
    child = await ChildServer.start({ clusterHeartbeatInterval: HEARTBEAT, nodeTimeout: NODE_TIMEOUT, redis: { url: suiteRedis.url(), channel: channel() } });
    const doomed = await TestClient.join(`ws://127.0.0.1:${child.port}/`);
    doomed.client.request(2, 'red');
    const local = await TestClient.join(a.url);
    send(local.client, JOIN_ROOM, { room: 'red' });
    await until(() => a.broadcaster.clientIds('red').length === 2, 'A to list both members of red');

    const killedAt = Date.now();
    await child.stop();
    await until(() => a.broadcaster.clientIds('red').length === 1, 'the killed member to vanish', NODE_TIMEOUT + 5000);
    expect(Date.now() - killedAt).toBeLessThan(NODE_TIMEOUT + HEARTBEAT + 1000);
    expect(a.broadcaster.clientIds('red')).toEqual([local.id]);
    expect(a.broadcaster.roomsOf(doomed.id)).toEqual([]);
    await local.client.close();
  });
});

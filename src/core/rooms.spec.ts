import fc from 'fast-check';
import { BroadcasterCore } from './broadcaster-core.js';
import type { BroadcasterLogger, EventHandlerFn, HandlerContext, MessageHandlerFn } from './handlers.js';
import { CastType, EventType, newResponseMessage, type EventMessage } from './message.js';
import { MAX_ROOM_NAME_LENGTH } from './rooms.js';
import { FakeConn } from './testing/fake-conn.js';

const flush = () => new Promise((resolve) => setImmediate(resolve));
const request = (handlerId: number, body: string, requestId?: number) =>
  JSON.stringify({ HandlerID: handlerId, Body: Buffer.from(body).toString('base64'), RequestID: requestId });
const text = (frame: Record<string, unknown>) => Buffer.from(frame.Body as string, 'base64').toString();

function setup(options: { userRoom?: (principal: unknown) => string | undefined } = {}) {
  const events: EventMessage[] = [];
  /** `ctx.rooms` when each event handler ran. */
  const roomsAtEvent: string[][] = [];
  const logged: string[] = [];
  const logger: BroadcasterLogger = {
    log: () => undefined,
    warn: (message) => void logged.push(message),
    error: (message, stack) => void logged.push(`${message} ${stack ?? ""}`),
  };
  const record: EventHandlerFn = (event, ctx) => {
    events.push(event);
    roomsAtEvent.push([...ctx.rooms]);
  };
  const messageHandlers = new Map<number, MessageHandlerFn>([
    // 1: join the rooms listed (comma-separated); 2: leave them; 3: cast to them (Room);
    // 4: cast to them (RoomOthers); 5: list the handler context's rooms.
    [1, ({ body }, ctx) => body.toString().split(',').forEach((room) => ctx.join(room))],
    [2, ({ body }, ctx) => body.toString().split(',').forEach((room) => ctx.leave(room))],
    [3, ({ body }) => newResponseMessage(CastType.Room, 'to the room', ...body.toString().split(',').filter(Boolean))],
    [4, ({ body }) => newResponseMessage(CastType.RoomOthers, 'to the others', ...body.toString().split(',').filter(Boolean))],
    [5, (_, ctx: HandlerContext) => newResponseMessage(CastType.Self, ctx.rooms.join(','))],
    [6, () => newResponseMessage(CastType.Room, 'nameless', '')],
  ]);
  const core = new BroadcasterCore({
    messageHandlers,
    eventHandlers: new Map([
      [EventType.OnAddClient, record],
      [EventType.OnDelClient, record],
      [EventType.OnJoinRoom, record],
      [EventType.OnLeaveRoom, record],
    ]),
    announceClients: false,
    userRoom: options.userRoom,
    logger,
  });
  const join = (principal?: unknown) => {
    const conn = new FakeConn();
    const session = core.attach(conn, { principal });
    conn.take();
    return { conn, session, id: session.id };
  };
  return { core, events, roomsAtEvent, logged, join };
}

describe('rooms (one node)', () => {
  it('delivers Room casts to every member once, RoomOthers to all but the sender, and nothing to non-members', async () => {
    const { join } = setup();
    const [a, b, c, outsider] = [join(), join(), join(), join()];
    a.session.receive(request(1, 'red,blue'));
    b.session.receive(request(1, 'red'));
    c.session.receive(request(1, 'blue'));
    await flush();

    a.session.receive(request(3, 'red,blue'));
    await flush();
    for (const member of [a, b, c]) {
      expect(member.conn.take()).toEqual([
        { SenderID: a.id, HandlerID: 3, CastType: 5, CastFor: ['red', 'blue'], Body: Buffer.from('to the room').toString('base64') },
      ]);
    }
    expect(outsider.conn.take()).toEqual([]);

    b.session.receive(request(4, 'red'));
    await flush();
    expect(a.conn.take().map(text)).toEqual(['to the others']);
    expect(b.conn.take()).toEqual([]);
    expect(c.conn.take()).toEqual([]);
  });

  it('delivers nothing for an empty CastFor or a room without members, and says nothing about it', async () => {
    const { join } = setup();
    const a = join();
    a.session.receive(request(1, 'red'));
    a.session.receive(request(3, ''));
    a.session.receive(request(3, 'nobody-here'));
    a.session.receive(request(3, 'nobody-here', 7));
    await flush();
    expect(a.conn.take()).toEqual([{ EventType: 4, ClientID: a.id, HandlerID: 3, RequestID: 7 }]);
  });

  it('tracks membership: ctx.rooms, roomsOf, clientIds(room), rooms(); leaving and disconnecting take clients out', async () => {
    const { core, join } = setup();
    const [a, b] = [join(), join()];
    a.session.receive(request(1, 'red,blue'));
    b.session.receive(request(1, 'red'));
    await flush();
    expect(core.roomsOf(a.id)).toEqual(['red', 'blue']);
    expect(core.clientIds('red')).toEqual([a.id, b.id]);
    expect(core.rooms().sort()).toEqual(['blue', 'red']);
    a.session.receive(request(5, ''));
    await flush();
    expect(a.conn.take().map(text)).toEqual(['red,blue']);

    a.session.receive(request(2, 'red,never-joined'));
    await flush();
    expect(core.clientIds('red')).toEqual([b.id]);
    b.session.detach();
    await flush();
    expect(core.clientIds('red')).toEqual([]);
    expect(core.rooms()).toEqual(['blue']);
    expect(core.roomsOf(b.id)).toEqual([]);
    expect(core.roomsOf('nobody')).toEqual([]);
  });

  it('lets server code join and leave clients, and refuses bad room names with a clear TypeError', () => {
    const { core, join } = setup();
    const a = join();
    expect(core.join(a.id, 'lobby')).toBe(true);
    expect(core.join('no-such-client', 'lobby')).toBe(false);
    expect(core.clientIds('lobby')).toEqual([a.id]);
    expect(core.leave(a.id, 'lobby')).toBe(true);
    expect(core.clientIds('lobby')).toEqual([]);
    expect(() => core.join(a.id, '')).toThrow(new TypeError('a room name must have 1 to 200 characters, got 0'));
    expect(() => core.join(a.id, 'x'.repeat(MAX_ROOM_NAME_LENGTH + 1))).toThrow('got 201');
    expect(() => core.join(a.id, 42 as never)).toThrow('a room name must be a string, got a number');
    expect(() => core.clientIds('')).toThrow(TypeError);
    expect(core.join(a.id, 'x'.repeat(MAX_ROOM_NAME_LENGTH))).toBe(true);
  });

  it('answers a handler that joins a bad room name with handler_error, and a bad room cast likewise', async () => {
    const { join, logged } = setup();
    const a = join();
    a.session.receive(request(1, ''));
    a.session.receive(request(6, ''));
    await flush();
    const frames = a.conn.take();
    expect(frames).toHaveLength(2);
    for (const frame of frames) expect(frame).toMatchObject({ EventType: 3, Code: 'handler_error', Error: 'internal error' });
    expect(logged.join('\n')).toContain('a room name must have 1 to 200 characters, got 0');
    expect(logged.join('\n')).toContain('a room cast whose castFor is wrong');
  });

  it('runs OnJoinRoom and OnLeaveRoom handlers after each change (not for repeats), and OnLeaveRoom per room after OnDelClient', async () => {
    const { join, events } = setup();
    const a = join();
    events.length = 0;
    a.session.receive(request(1, 'red,red,blue'));
    a.session.receive(request(2, 'blue'));
    a.session.receive(request(2, 'blue'));
    await flush();
    a.session.detach();
    await flush();
    expect(events.map((e) => [EventType[e.eventType], e.room])).toEqual([
      ['OnJoinRoom', 'red'],
      ['OnJoinRoom', 'blue'],
      ['OnLeaveRoom', 'blue'],
      ['OnDelClient', undefined],
      ['OnLeaveRoom', 'red'],
    ]);
    expect(events.every((e) => e.clientId === a.id)).toBe(true);
  });

  it('puts a client in its user room before its join is announced and before OnAddClient runs', async () => {
    const { core, join, events, roomsAtEvent, logged } = setup({
      userRoom: (principal) => {
        if (principal === 'broken') throw new Error('no directory');
        if (principal === 'empty') return '';
        return typeof principal === 'string' ? `user:${principal}` : undefined;
      },
    });
    const tab1 = join('ana');
    const tab2 = join('ana');
    const anonymous = join();
    join('broken');
    join('empty');
    await flush();
    expect(core.clientIds('user:ana')).toEqual([tab1.id, tab2.id]);
    expect(core.roomsOf(anonymous.id)).toEqual([]);
    expect(events.filter((e) => e.clientId === tab1.id).map((e) => EventType[e.eventType])).toEqual(['OnAddClient', 'OnJoinRoom']);
    const onAdd = events.findIndex((e) => e.clientId === tab1.id && e.eventType === EventType.OnAddClient);
    expect(roomsAtEvent[onAdd]).toEqual(['user:ana']);
    expect(logged.join('\n')).toMatch(/userRoom failed for client .*: it joins no user room/);
    expect(logged.join('\n')).toMatch(/userRoom gave no valid room for client .* \(a room name must have 1 to 200 characters, got 0\)/);
  });

  it('never delivers a room cast twice nor to a non-member, whatever the rooms and the list (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.subarray(['a', 'b', 'c', 'd']), { minLength: 1, maxLength: 6 }),
        fc.array(fc.constantFrom('a', 'b', 'c', 'd', 'e'), { maxLength: 6 }),
        fc.boolean(),
        async (memberships, listed, others) => {
          const { join } = setup();
          const clients = memberships.map(() => join());
          clients.forEach((client, i) => memberships[i].length > 0 && client.session.receive(request(1, memberships[i].join(','))));
          await flush();
          clients[0].session.receive(request(others ? 4 : 3, listed.join(',')));
          await flush();
          clients.forEach((client, i) => {
            const received = client.conn.take().length;
            const member = memberships[i].some((room) => (listed as string[]).includes(room));
            const expected = member && !(others && i === 0) ? 1 : 0;
            expect(received).toBe(expected);
          });
        },
      ),
      { numRuns: 150 },
    );
  });
});

import { BroadcasterCore } from './broadcaster-core';
import { FakeConn } from './testing/fake-conn';

describe('BroadcasterCore.largestRooms', () => {
  it('lists the largest rooms first, ties by name, at most as many as asked', () => {
    const core = new BroadcasterCore({ logger: { log: () => undefined, warn: () => undefined, error: () => undefined } });
    const ids = Array.from({ length: 6 }, () => core.attach(new FakeConn()).id);
    const rooms: Record<string, number> = { a: 1, b: 3, c: 6, d: 3, e: 2 };
    for (const [room, members] of Object.entries(rooms)) for (const id of ids.slice(0, members)) core.join(id, room);
    expect(core.largestRooms(3)).toEqual([
      { room: 'c', members: 6 },
      { room: 'b', members: 3 },
      { room: 'd', members: 3 },
    ]);
    expect(core.largestRooms(10).map(({ room }) => room)).toEqual(['c', 'b', 'd', 'e', 'a']);
  });
});

import { RemoteNode } from './remote-node';

function view(maxClients = 1000, maxMemberships = 1000) {
  const events: string[] = [];
  const node = new RemoteNode(
    'node-b',
    {
      remoteClientJoined: (id) => events.push(`+${id}`),
      remoteClientLeft: (id) => events.push(`-${id}`),
    },
    { maxClients, maxMemberships, refused: (what) => events.push(`refused ${what}`) },
  );
  return { node, events };
}

describe('RemoteNode (one other node, as of its numbered changes)', () => {
  it('applies changes in their order and ignores one it has already applied', () => {
    const { node, events } = view();
    expect(node.receive(1, ['join', 'a'])).toBe('applied');
    expect(node.receive(2, ['join-room', 'a', 'red'])).toBe('applied');
    expect(node.receive(2, ['join-room', 'a', 'red'])).toBe('already-applied');
    expect(node.receive(1, ['join', 'a'])).toBe('already-applied');
    expect(node.version).toBe(2);
    expect([...node.rooms.membersOf('red')]).toEqual(['a']);
    expect(events).toEqual(['+a']);
  });

  it('holds a change that came early until the missing ones are filled in, then applies it', () => {
    const { node, events } = view();
    node.receive(1, ['join', 'a']);
    // Change 2 (b joins) is lost; b's leave comes first and must not be applied before it.
    expect(node.receive(3, ['leave', 'b'])).toBe('early');
    expect(node.receive(4, ['join', 'c'])).toBe('early');
    expect(node.waiting).toBe(true);
    expect([...node.clients]).toEqual(['a']);
    node.catchUp(1, 2, [['join', 'b']]);
    expect(node.version).toBe(4);
    expect(node.waiting).toBe(false);
    expect([...node.clients].sort()).toEqual(['a', 'c']);
    expect(events).toEqual(['+a', '+b', '-b', '+c']);
  });

  it('uses the part of an answer it lacks, and ignores answers that start after it or end before it', () => {
    const { node } = view();
    node.receive(1, ['join', 'a']);
    node.receive(2, ['join', 'b']);
    node.catchUp(3, 5, [['join', 'x'], ['join', 'y']]);
    expect(node.version).toBe(2);
    node.catchUp(0, 1, [['join', 'a']]);
    expect(node.version).toBe(2);
    node.catchUp(0, 4, [['join', 'a'], ['join', 'b'], ['leave', 'a'], ['join', 'c']]);
    expect(node.version).toBe(4);
    expect([...node.clients].sort()).toEqual(['b', 'c']);
  });

  it('takes full lists at their version, dropping held changes they include and applying the next', () => {
    const { node, events } = view();
    node.receive(1, ['join', 'a']);
    node.receive(3, ['join', 'gone']);
    node.receive(5, ['join-room', 'b', 'blue']);
    node.replaceWith(['b', 'gone'], [['b', 'red'], ['nobody', 'red']], [], 4);
    expect(node.version).toBe(5);
    expect([...node.clients].sort()).toEqual(['b', 'gone']);
    expect([...node.rooms.roomsOf('b')].sort()).toEqual(['blue', 'red']);
    expect([...node.rooms.membersOf('red')]).toEqual(['b']);
    expect(events).toEqual(['+a', '-a', '+b', '+gone']);
  });

  it('announces every client as left when the node is gone', () => {
    const { node, events } = view();
    node.receive(1, ['join', 'a']);
    node.receive(2, ['join', 'b']);
    node.forget();
    expect(events).toEqual(['+a', '+b', '-a', '-b']);
  });

  it('believes at most maxClients clients and maxMemberships memberships of one node, from changes and from lists', () => {
    const { node, events } = view(2, 3);
    node.receive(1, ['join', 'a']);
    node.receive(2, ['join', 'b']);
    node.receive(3, ['join', 'c']);
    expect([...node.clients]).toEqual(['a', 'b']);
    for (const [seq, room] of [[4, 'r1'], [5, 'r2'], [6, 'r3'], [7, 'r4']] as const) node.receive(seq, ['join-room', 'a', room]);
    expect(node.rooms.size).toBe(3);
    expect(events.filter((event) => event.startsWith('refused'))).toEqual(['refused client', 'refused membership']);

    node.replaceWith(['x', 'y', 'z', 'w'], [['x', 'r'], ['y', 'r'], ['x', 's'], ['y', 's']], [], 10);
    expect(node.clients.size).toBe(2);
    expect(node.rooms.size).toBe(3);
  });
});

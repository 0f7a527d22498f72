import { ListsAssembly, splitLists } from './sync-parts';

describe('lists in parts', () => {
  it('splits lists so that each part stays within the size, keeping every entry once and in order', () => {
    const ids = Array.from({ length: 100 }, (_, i) => `client-${i}`);
    const memberships = ids.map((id) => [id, `room-${id}`] as const);
    const presence = ids.map((id) => [id, `{"info":"${id}","user":null,"away":false}`] as const);
    const parts = splitLists(ids, memberships, presence, 200);
    expect(parts.length).toBeGreaterThan(10);
    expect(parts.flatMap((part) => part.clientIds)).toEqual(ids);
    expect(parts.flatMap((part) => part.memberships)).toEqual(memberships);
    expect(parts.flatMap((part) => part.presence)).toEqual(presence);
    expect(splitLists([], [], [], 200)).toEqual([{ clientIds: [], memberships: [], presence: [] }]);
  });

  it('assembles the parts of one version in any order, starts anew on another version, and gives up past its limits', () => {
    const assembly = new ListsAssembly(3, 10);
    expect(assembly.add(5, 1, 2, { clientIds: ['b'], memberships: [], presence: [] })).toBeNull();
    expect(assembly.add(6, 0, 2, { clientIds: ['x'], memberships: [], presence: [] })).toBeNull();
    expect(assembly.add(6, 0, 2, { clientIds: ['x'], memberships: [], presence: [] })).toBeNull();
    expect(assembly.add(6, 1, 2, { clientIds: ['y'], memberships: [['y', 'r']], presence: [] })).toEqual({ clientIds: ['x', 'y'], memberships: [['y', 'r']], presence: [] });
    expect(assembly.add(7, 0, 3, { clientIds: ['a', 'b'], memberships: [], presence: [] })).toBeNull();
    expect(assembly.add(7, 1, 3, { clientIds: ['c', 'd'], memberships: [], presence: [] })).toBe('too-large');
  });
});

import { OutgoingFrame } from '../conn';
import { MemoryHistory } from './memory-history';

const frameAt = (room: string, text = 'x') => (offset: number, epoch: string) => new OutgoingFrame(JSON.stringify({ room, text, offset, epoch }));

describe('MemoryHistory', () => {
  let now = 0;
  const dropped: string[] = [];
  const make = (maxRooms = 100, maxBytes = 1 << 20) => new MemoryHistory({ maxRooms, maxBytes }, (room) => dropped.push(room), () => now);
  beforeEach(() => {
    now = 1_000;
    dropped.length = 0;
  });

  it('numbers a room’s publications from 1 in one epoch, and serves what came after a position, exactly', () => {
    const history = make();
    const config = { size: 5, ttl: 60_000 };
    const stored = Array.from({ length: 8 }, () => history.append('lobby', config, frameAt('lobby')));
    expect(stored.map((publication) => publication.offset)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const epoch = (JSON.parse(stored[0].frame.text) as { epoch: string }).epoch;
    expect(epoch).toMatch(/^[A-Za-z0-9_-]{8}$/);

    const after = history.read('lobby', { since: { offset: 5, epoch } })!;
    expect(after).toMatchObject({ complete: true, position: { offset: 8, epoch } });
    expect(after.publications.map((publication) => publication.offset)).toEqual([6, 7, 8]);
    expect(after.publications[0]).toBe(stored[5]);
    // The newest 5 are kept: 4..8. After 3 is whole; after 2 is not.
    expect(history.read('lobby', { since: { offset: 3, epoch } })!.publications).toHaveLength(5);
    expect(history.read('lobby', { since: { offset: 2, epoch } })).toMatchObject({ complete: false, publications: [] });
    // Up to date: nothing to send, and whole.
    expect(history.read('lobby', { since: { offset: 8, epoch } })).toMatchObject({ complete: true, publications: [] });
    // Past the latest, or another epoch: not a position of this history.
    expect(history.read('lobby', { since: { offset: 9, epoch } })!.complete).toBe(false);
    expect(history.read('lobby', { since: { offset: 5, epoch: 'another' } })!.complete).toBe(false);
    expect(history.read('lobby', { last: 2 })!.publications.map((publication) => publication.offset)).toEqual([7, 8]);
    expect(history.read('lobby', { last: 50 })!.publications.map((publication) => publication.offset)).toEqual([4, 5, 6, 7, 8]);
    expect(history.read('elsewhere', { last: 1 })).toBeNull();
  });

  it('forgets a history its time to live after the last publication: the next one starts a new epoch from offset 1', () => {
    const history = make();
    const config = { size: 10, ttl: 5_000 };
    const first = history.append('lobby', config, frameAt('lobby'));
    now += 4_000;
    history.append('lobby', config, frameAt('lobby'));
    now += 4_000;
    // 8 s after the first, 4 s after the last: alive.
    const { position } = history.read('lobby', { last: 10 })!;
    expect(position.offset).toBe(2);
    now += 1_000;
    expect(history.read('lobby', { last: 10 })).toBeNull();
    const again = history.append('lobby', config, frameAt('lobby'));
    expect(again.offset).toBe(1);
    expect(JSON.parse(again.frame.text).epoch).not.toBe(JSON.parse(first.frame.text).epoch);
    // The sweep drops expired histories nobody reads.
    now += 10_000;
    history.sweep();
    expect(history.rooms).toBe(0);
  });

  it('keeps within its bounds by dropping the history published to longest ago, and says which', () => {
    const byRooms = make(2);
    const config = { size: 10, ttl: 60_000 };
    byRooms.append('a', config, frameAt('a'));
    byRooms.append('b', config, frameAt('b'));
    byRooms.append('a', config, frameAt('a'));
    byRooms.append('c', config, frameAt('c'));
    expect(dropped).toEqual(['b']);
    expect(byRooms.rooms).toBe(2);
    expect(byRooms.dropped).toBe(1);

    const byBytes = make(100, 350);
    const big = 'y'.repeat(100);
    for (const room of ['p', 'q', 'r']) byBytes.append(room, config, frameAt(room, big));
    expect(dropped).toEqual(['b', 'p']);
    // One room alone past the bytes bound keeps its newest publication at least.
    const alone = make(100, 10);
    alone.append('solo', config, frameAt('solo', big));
    expect(alone.read('solo', { last: 1 })!.publications).toHaveLength(1);
  });
});

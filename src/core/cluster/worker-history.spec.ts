import { relayWorkerBackplanes } from './worker-backplane';
import { PrimaryHistory, WorkerHistory, type HistoryRequest } from './worker-history';

describe('room history kept by the primary process for its workers', () => {
  it('numbers appends per room, publishes each with its stamp at once, and reads them back', () => {
    const published: [string, number, number][] = [];
    const primary = new PrimaryHistory({ maxRooms: 10, maxBytes: 1 << 20 }, () => undefined, (message, stamp, from) => published.push([message, stamp.offset, from]));
    for (const [i, room] of ['a', 'b', 'a', 'a'].entries()) {
      expect(primary.handle({ op: 'append', id: i + 1, room, size: 2, ttl: 60_000, message: `m${i}` }, 7)).toEqual({ id: i + 1 });
    }
    expect(published).toEqual([
      ['m0', 1, 7],
      ['m1', 1, 7],
      ['m2', 2, 7],
      ['m3', 3, 7],
    ]);
    const last = primary.handle({ op: 'read', id: 9, room: 'a', last: 5 }, 7)!;
    const epoch = last.read!.position!.epoch;
    expect(last.read).toEqual({ position: { offset: 3, epoch }, entries: [{ offset: 2, message: 'm2' }, { offset: 3, message: 'm3' }], complete: true });
    // Only the newest 2 are kept: after offset 0 is no longer whole.
    expect(primary.handle({ op: 'read', id: 10, room: 'a', since: { offset: 0, epoch } }, 7)!.read).toMatchObject({ complete: false, entries: [] });
    expect(primary.handle({ op: 'read', id: 11, room: 'z', last: 1 }, 7)).toEqual({ id: 11, read: { position: null, entries: [], complete: false } });
    primary.close();
  });

  it('answers a malformed request with an error (or not at all, without an id), and numbers nothing for it', () => {
    const published: unknown[] = [];
    const primary = new PrimaryHistory({ maxRooms: 10, maxBytes: 1 << 20 }, () => undefined, (message) => published.push(message));
    const malformed: unknown[] = [
      { op: 'append', id: 1, room: '', size: 1, ttl: 1, message: 'x' },
      { op: 'append', id: 2, room: 'a', size: 10_001, ttl: 1, message: 'x' },
      { op: 'append', id: 3, room: 'a', size: 1, ttl: 0, message: 'x' },
      { op: 'append', id: 4, room: 'a', size: 1, ttl: 1, message: 5 },
      { op: 'read', id: 5, room: 'a' },
      { op: 'drop', id: 6, room: 'a' },
    ];
    for (const request of malformed) expect(primary.handle(request, 1)).toEqual({ id: (request as { id: number }).id, error: 'a malformed history request' });
    expect(primary.handle({ op: 'append', room: 'a' }, 1)).toBeNull();
    expect(primary.handle(null, 1)).toBeNull();
    expect(published).toEqual([]);
    primary.close();
  });

  it('on a worker, settles each request with the primary’s answer, and fails at once when the channel is down', async () => {
    const sent: HistoryRequest[] = [];
    let up = true;
    const history = new WorkerHistory((request) => {
      sent.push(request);
      return up;
    });
    const appended = history.append('a', 10, 1000, 'm');
    const read = history.read('a', { last: 1 });
    expect(sent.map((request) => request.id)).toEqual([1, 2]);
    history.answered({ id: 2, read: { position: null, entries: [], complete: false } });
    history.answered({ id: 1, error: 'no' });
    await expect(appended).rejects.toThrow('no');
    await expect(read).resolves.toEqual({ position: null, entries: [], complete: false });
    up = false;
    await expect(history.append('a', 10, 1000, 'm')).rejects.toThrow('the IPC channel to the primary process is down or full');
  });

  it('refuses bounds that are not positive integers, in the primary, before relaying anything', () => {
    expect(() => relayWorkerBackplanes({ maxHistoryRooms: 0 })).toThrow('maxHistoryRooms must be a positive integer');
    expect(() => relayWorkerBackplanes({ maxHistoryBytes: 1.5 })).toThrow('maxHistoryBytes must be a positive integer (bytes)');
  });
});

import type { Client } from '../client';
import { OutgoingFrame } from '../conn';
import { RecoveryHolds } from './recovery-holds';

describe('RecoveryHolds', () => {
  const client = { id: 'ana' } as Client;
  const frame = (offset: number) => ({ frame: new OutgoingFrame(`{"Offset":${offset}}`), stamp: { offset, epoch: 'e' } });

  it('holds the publications of the rooms a client recovers, up to its limit; past it drops them, says so once, and marks the room', () => {
    const overflows: string[] = [];
    const holds = new RecoveryHolds(3, (who, room) => overflows.push(`${who.id}:${room}`));
    holds.start(client, ['lobby', 'news']);
    expect(holds.take(client, 'elsewhere', frame(1).frame, frame(1).stamp)).toBe(false);
    for (let offset = 1; offset <= 3; offset++) expect(holds.take(client, 'news', frame(offset).frame, frame(offset).stamp)).toBe(true);
    for (let offset = 1; offset <= 5; offset++) expect(holds.take(client, 'lobby', frame(offset).frame, frame(offset).stamp)).toBe(true);
    expect(overflows).toEqual(['ana:lobby']);
    expect(holds.overflowedFor(client, 'lobby')).toBe(true);
    expect(holds.overflowedFor(client, 'news')).toBe(false);
    const held = holds.finish(client);
    expect(held.get('news')!.publications.map(({ stamp }) => stamp.offset)).toEqual([1, 2, 3]);
    expect(held.get('lobby')!.publications).toEqual([]);
    expect(holds.size).toBe(0);
  });
});

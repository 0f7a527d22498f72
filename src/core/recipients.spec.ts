import { CastType } from './message.js';
import { selectRecipients } from './recipients.js';

interface Named {
  readonly id: string;
  readonly name: string;
}

const clients = new Map<string, Named>(['a', 'b', 'c'].map((id) => [id, { id, name: id.toUpperCase() }]));
const rooms = new Map<string, Set<Named>>([
  ['red', new Set([clients.get('a')!, clients.get('b')!])],
  ['blue', new Set([clients.get('b')!, clients.get('c')!])],
]);
const listed = new Set([CastType.Exclusive, CastType.Room, CastType.RoomOthers]);

const pick = (castType: CastType, sender: string | null, castFor: string[] = []) =>
  [
    ...selectRecipients(
      { castType, senderId: sender ?? '', targets: listed.has(castType) ? castFor : null },
      clients,
      (room) => rooms.get(room),
    ),
  ].map((client) => client.name);

describe('selectRecipients', () => {
  it('All reaches every client, the sender included', () => {
    expect(pick(CastType.All, 'a')).toEqual(['A', 'B', 'C']);
  });

  it('Self reaches the sender only, and nobody when the sender is gone or absent', () => {
    expect(pick(CastType.Self, 'b')).toEqual(['B']);
    expect(pick(CastType.Self, 'gone')).toEqual([]);
    expect(pick(CastType.Self, null)).toEqual([]);
  });

  it('Exclusive reaches the listed clients once each and skips unknown IDs', () => {
    expect(pick(CastType.Exclusive, 'a', ['c', 'zz', 'c', 'a'])).toEqual(['C', 'A']);
    expect(pick(CastType.Exclusive, 'a', [])).toEqual([]);
  });

  it('Others reaches everybody but the sender', () => {
    expect(pick(CastType.Others, 'b')).toEqual(['A', 'C']);
    expect(pick(CastType.Others, null)).toEqual(['A', 'B', 'C']);
  });

  it('Room reaches each member of the listed rooms once, the sender too', () => {
    expect(pick(CastType.Room, 'a', ['red'])).toEqual(['A', 'B']);
    expect(pick(CastType.Room, 'a', ['red', 'blue', 'red']).sort()).toEqual(['A', 'B', 'C']);
    expect(pick(CastType.Room, 'a', ['unknown'])).toEqual([]);
    expect(pick(CastType.Room, 'a', [])).toEqual([]);
  });

  it('RoomOthers is Room without the sender', () => {
    expect(pick(CastType.RoomOthers, 'a', ['red'])).toEqual(['B']);
    expect(pick(CastType.RoomOthers, 'b', ['red', 'blue']).sort()).toEqual(['A', 'C']);
    expect(pick(CastType.RoomOthers, null, ['blue'])).toEqual(['B', 'C']);
  });

  it('an unknown cast type reaches nobody', () => {
    expect(pick(9 as CastType, 'a')).toEqual([]);
  });
});

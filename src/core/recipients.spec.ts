import { CastType } from './message.js';
import { selectRecipients } from './recipients.js';

const clients = new Map([
  ['a', 'A'],
  ['b', 'B'],
  ['c', 'C'],
]);

const pick = (castType: CastType, sender: string | null, castFor: string[] = []) => [
  ...selectRecipients({ castType, senderId: sender ?? '', targets: castType === CastType.Exclusive ? castFor : null }, clients),
];

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

  it('an unknown cast type reaches nobody', () => {
    expect(pick(9 as CastType, 'a')).toEqual([]);
  });
});

import { FrameRejection } from '../errors';
import { decodeRequest } from '../codec';

const decode = (frame: unknown) => decodeRequest(JSON.stringify(frame));
const rejection = (frame: unknown) => {
  const decoded = decode(frame);
  expect(decoded).toBeInstanceOf(FrameRejection);
  return decoded as FrameRejection;
};

describe('a Recover frame', () => {
  it('reads, per room, a position or a count of the latest, keys in any case, with its RequestID', () => {
    const decoded = decode({ recover: { lobby: { offset: 41, EPOCH: 'k3Jx' }, news: { Last: 20 } }, RequestID: 9 });
    expect(decoded).toEqual({
      rooms: new Map<string, unknown>([
        ['lobby', { since: { offset: 41, epoch: 'k3Jx' } }],
        ['news', { last: 20 }],
      ]),
      requestId: 9,
    });
  });

  it('is a request like any other when it also has a HandlerID', () => {
    expect(decode({ HandlerID: 3, Body: null, Recover: { lobby: { Last: 1 } } })).toMatchObject({ handlerId: 3 });
  });

  it('is refused as invalid_message, with its RequestID where it had one, when it breaks the contract', () => {
    expect(rejection({ Recover: { lobby: { Last: 1 } } })).toMatchObject({ code: 'invalid_message', handlerId: 0, requestId: undefined });
    const bad: unknown[] = [
      {},
      [],
      'lobby',
      Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`room${i}`, { Last: 1 }])),
      { '': { Last: 1 } },
      { ['r'.repeat(201)]: { Last: 1 } },
      { lobby: { Last: 0 } },
      { lobby: { Last: 1.5 } },
      { lobby: { Offset: -1, Epoch: 'e' } },
      { lobby: { Offset: 1 } },
      { lobby: { Offset: 1, Epoch: '' } },
      { lobby: { Offset: 1, Epoch: 'e'.repeat(65) } },
      { lobby: { Offset: 1, Epoch: 'e', Last: 2 } },
      { lobby: null },
    ];
    for (const recover of bad) {
      expect(rejection({ Recover: recover, RequestID: 'r1' })).toMatchObject({ code: 'invalid_message', handlerId: 0, requestId: 'r1' });
    }
    // 100 rooms is the most, and allowed.
    const hundred = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`room${i}`, { Last: 1 }]));
    expect(decode({ Recover: hundred, RequestID: 1 })).toMatchObject({ requestId: 1 });
  });
});

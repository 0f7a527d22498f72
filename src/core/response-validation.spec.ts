import { InvalidResponseError } from './errors.js';
import { All, Exclusive, Room, RoomOthers, newResponseMessage } from './message.js';
import { toResponses } from './response-validation.js';

describe('toResponses', () => {
  it('turns nothing into no responses', () => {
    expect(toResponses(undefined)).toEqual([]);
    expect(toResponses(null)).toEqual([]);
    expect(toResponses([])).toEqual([]);
  });

  it('keeps one response or a list in order', () => {
    const a = newResponseMessage(All, 'a');
    const b = newResponseMessage(Exclusive, 'b', 'x');
    expect(toResponses(a)).toEqual([a]);
    expect(toResponses([b, a])).toEqual([b, a]);
  });

  it('accepts room casts to valid rooms, or to none', () => {
    const room = newResponseMessage(Room, 'hi', 'lobby', 'r'.repeat(200));
    const nowhere = newResponseMessage(RoomOthers, 'hi');
    expect(toResponses([room, nowhere])).toEqual([room, nowhere]);
  });

  it.each([
    ['a number', 42],
    ['a string', 'hello'],
    ['an unknown cast type', { castType: 7, castFor: [], body: null }],
    ['a fractional cast type', { castType: 1.5, castFor: [], body: null }],
    ['a room cast naming an empty room', { castType: 5, castFor: ['lobby', ''], body: null }],
    ['a room cast naming an overlong room', { castType: 6, castFor: ['r'.repeat(201)], body: null }],
    ['a missing cast type', { body: 'x' }],
    ['a castFor that is not a list', { castType: 3, castFor: 'abc', body: null }],
    ['castFor with a non-string', { castType: 3, castFor: [1], body: null }],
    ['a body that is an object', { castType: 1, castFor: [], body: { a: 1 } }],
    ['a nested list', [[newResponseMessage(All)]]],
    ['one bad entry among good ones', [newResponseMessage(All), 7]],
  ])('rejects %s', (_name, result) => {
    expect(() => toResponses(result)).toThrow(InvalidResponseError);
  });
});

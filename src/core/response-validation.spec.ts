import { InvalidResponseError } from './errors.js';
import { All, Exclusive, newResponseMessage } from './message.js';
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

  it.each([
    ['a number', 42],
    ['a string', 'hello'],
    ['an unknown cast type', { castType: 5, castFor: [], body: null }],
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

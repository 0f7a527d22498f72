import fc from 'fast-check';
import { isStrictBase64, readCanonicalRequest } from '../protocol/canonical-request.js';
import { decodeGeneralRequest, decodeRequest } from './codec.js';

const STRICT = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

describe('the canonical request form', () => {
  it.each([
    ['{"HandlerID":1,"Body":"aGk="}', { handlerId: 1, body: 'aGk=' }],
    ['{"HandlerID":0,"Body":null}', { handlerId: 0, body: null }],
    ['{"HandlerID":-42,"Body":""}', { handlerId: -42, body: '' }],
    ['{"HandlerID":9007199254740991,"Body":"AAAA"}', { handlerId: 9007199254740991, body: 'AAAA' }],
    // As the client SDK writes a request (protocol 1.1).
    ['{"HandlerID":1,"Body":"aGk=","RequestID":1}', { handlerId: 1, body: 'aGk=', requestId: 1 }],
    ['{"HandlerID":3,"Body":null,"RequestID":0}', { handlerId: 3, body: null, requestId: 0 }],
    ['{"HandlerID":3,"Body":"","RequestID":9007199254740991}', { handlerId: 3, body: '', requestId: 9007199254740991 }],
  ])('reads %s', (text, expected) => {
    expect(readCanonicalRequest(text)).toEqual(expected);
  });

  it.each([
    '{"HandlerID": 1,"Body":"aGk="}',
    '{"handlerid":1,"Body":"aGk="}',
    '{"HandlerID":01,"Body":"aGk="}',
    '{"HandlerID":1.0,"Body":"aGk="}',
    '{"HandlerID":1e3,"Body":"aGk="}',
    '{"HandlerID":99999999999999999,"Body":"aGk="}',
    '{"HandlerID":1,"Body":"aGk=","RequestID":"a"}',
    '{"HandlerID":1,"Body":"aGk=","RequestID":-1}',
    '{"HandlerID":1,"Body":"aGk=","RequestID":01}',
    '{"HandlerID":1,"Body":"aGk=","RequestID":1.5}',
    '{"HandlerID":1,"Body":"aGk=","RequestID":9007199254740992}',
    '{"HandlerID":1,"Body":"aGk=","RequestID":}',
    '{"HandlerID":1,"Body":"aGk=","RequestID":1,"RequestID":2}',
    '{"HandlerID":1,"Body":"aGk=","requestid":1}',
    '{"HandlerID":1,"Body":"aGk=","RequestID":1} ',
    '{"HandlerID":1,"Body":"aG\\"k=","RequestID":1}',
    '{"HandlerID":1,"Body":"aGk","RequestID":1}',
    '{"HandlerID":1,"Body":"aG\\u0041="}',
    '{"HandlerID":1,"Body":"aGk\\n="}',
    '{"HandlerID":1,"Body":"aGk"}',
    '{"HandlerID":1,"Body":"aGk="} ',
    '{"HandlerID":1,"Body":nullx}',
    '{"HandlerID":-,"Body":null}',
  ])('leaves %s to the general way', (text) => {
    expect(readCanonicalRequest(text)).toBeUndefined();
  });

  it('agrees with the regular expression on what strict base64 is', () => {
    fc.assert(
      fc.property(fc.oneof(fc.base64String(), fc.string(), fc.stringMatching(/^[A-Za-z0-9+/=]{0,12}$/)), (text) => {
        expect(isStrictBase64(text)).toBe(STRICT.test(text));
      }),
      { numRuns: 5000 },
    );
  });

  it('decodes every frame exactly as the general JSON way does (property)', () => {
    const handlerId = fc.oneof(fc.integer(), fc.constantFrom('01', '1.5', '-0', '1e2', '9007199254740993', '-', ''));
    const body = fc.oneof(fc.base64String(), fc.string(), fc.constant(null), fc.constantFrom('aG\\u0041=', 'aGk\\n=', 'a"b'));
    const requestId = fc.option(
      fc.oneof(fc.nat(), fc.integer(), fc.constantFrom('01', '1.5', '-0', '9007199254740993', '"a"', '""', '', 'null')),
    );
    const frame = fc.tuple(handlerId, body, requestId, fc.boolean()).map(([id, text, request, spaced]) => {
      const bodyJson = text === null ? 'null' : `"${text}"`;
      const requestJson = request === null ? '' : spaced ? `, "RequestID": ${request}` : `,"RequestID":${request}`;
      return spaced ? `{ "HandlerID": ${id}, "Body": ${bodyJson}${requestJson} }` : `{"HandlerID":${id},"Body":${bodyJson}${requestJson}}`;
    });
    fc.assert(
      fc.property(frame, (text) => {
        expect(decodeRequest(text)).toEqual(decodeGeneralRequest(text));
      }),
      { numRuns: 5000 },
    );
  });
});

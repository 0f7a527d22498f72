import { decodeRequest, encodeError, encodeEvent, encodeResponse } from './codec.js';
import { ErrorCode, FrameRejection } from './errors.js';
import { audienceOf } from './audience.js';
import { CastType, EventType, newResponseMessage } from './message.js';

const to = (castType: CastType, senderId: string, ...castFor: string[]) => audienceOf(newResponseMessage(castType, null, ...castFor), senderId);

const HELLO = 'SGVsbG8sIHdvcmxkIQ==';

describe('decodeRequest', () => {
  it('decodes the original README request', () => {
    const decoded = decodeRequest(`{"HandlerID": 1, "Body":"${HELLO}"}`);
    expect(decoded).toEqual({ handlerId: 1, body: Buffer.from('Hello, world!') });
  });

  it.each([
    ['lower case', `{"handlerid": 7, "body": "${HELLO}"}`],
    ['upper case', `{"HANDLERID": 7, "BODY": "${HELLO}"}`],
    ['mixed case', `{"hAnDlErId": 7, "bOdY": "${HELLO}"}`],
  ])('matches keys case-insensitively (%s)', (_name, frame) => {
    expect(decodeRequest(frame)).toEqual({ handlerId: 7, body: Buffer.from('Hello, world!') });
  });

  it('ignores unknown keys and a client-sent SenderID', () => {
    const decoded = decodeRequest(`{"SenderID":"forged","HandlerID":2,"Extra":{"a":[1]},"Body":null}`);
    expect(decoded).toEqual({ handlerId: 2, body: Buffer.alloc(0) });
  });

  it('reads a null or absent Body as an empty body', () => {
    expect(decodeRequest('{"HandlerID":3,"Body":null}')).toEqual({ handlerId: 3, body: Buffer.alloc(0) });
    expect(decodeRequest('{"HandlerID":3}')).toEqual({ handlerId: 3, body: Buffer.alloc(0) });
  });

  it('says which is wrong: the text is not JSON, or the bytes are not UTF-8', () => {
    expect(decodeRequest('hello')).toEqual(new FrameRejection(ErrorCode.InvalidMessage, 'frame is not valid JSON'));
    expect(decodeRequest(Buffer.from([0x7b, 0xff, 0x7d]))).toEqual(new FrameRejection(ErrorCode.InvalidMessage, 'frame is not valid UTF-8'));
  });

  it('reads UTF-8 JSON bytes (a binary frame) like text', () => {
    expect(decodeRequest(Buffer.from(`{"HandlerID":1,"Body":"${HELLO}"}`))).toEqual({
      handlerId: 1,
      body: Buffer.from('Hello, world!'),
    });
  });

  it('accepts base64 wrapped over lines, as Go does', () => {
    expect(decodeRequest('{"HandlerID":1,"Body":"SGVsbG8s\\r\\nIHdvcmxkIQ=="}')).toEqual({
      handlerId: 1,
      body: Buffer.from('Hello, world!'),
    });
  });

  it.each([
    ['not JSON', '{"HandlerID":1', 0],
    ['invalid UTF-8 bytes', Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), 0],
    ['a JSON array', '[1,2]', 0],
    ['JSON null', 'null', 0],
    ['a JSON string', '"hi"', 0],
    ['HandlerID missing', '{"Body":null}', 0],
    ['HandlerID null', '{"HandlerID":null}', 0],
    ['HandlerID a string', '{"HandlerID":"1"}', 0],
    ['HandlerID a fraction', '{"HandlerID":1.5}', 0],
    ['HandlerID beyond 2^53', '{"HandlerID":9007199254740993}', 0],
    ['Body a number', '{"HandlerID":4,"Body":12}', 4],
    ['Body an object', '{"HandlerID":4,"Body":{"a":1}}', 4],
  ])('rejects %s as invalid_message', (_name, frame, handlerId) => {
    const decoded = decodeRequest(frame);
    expect(decoded).toBeInstanceOf(FrameRejection);
    expect(decoded).toMatchObject({ code: ErrorCode.InvalidMessage, handlerId });
  });

  it.each(['SGVsbG8', 'SGVsbG8=x', 'SGV sbG8=', '====', 'SGVsbG8_', 'SGVsbG8-'])(
    'rejects Body %p as invalid_body, keeping the HandlerID',
    (body) => {
      const decoded = decodeRequest(JSON.stringify({ HandlerID: 9, Body: body }));
      expect(decoded).toEqual(new FrameRejection(ErrorCode.InvalidBody, 'Body is not valid base64', 9));
    },
  );

  it('accepts an empty base64 string as an empty body', () => {
    expect(decodeRequest('{"HandlerID":1,"Body":""}')).toEqual({ handlerId: 1, body: Buffer.alloc(0) });
  });
});

describe('encoders', () => {
  it('encodes an EventMessage with its keys in protocol order', () => {
    expect(encodeEvent(EventType.OnAddClient, 'abc')).toBe('{"EventType":1,"ClientID":"abc"}');
    expect(encodeEvent(EventType.OnDelClient, 'abc')).toBe('{"EventType":2,"ClientID":"abc"}');
  });

  it('encodes a ResponseMessage with its keys in protocol order', () => {
    const frame = encodeResponse(to(CastType.All, 's1'), 1, Buffer.from('Hello, world!'));
    expect(frame).toBe(`{"SenderID":"s1","HandlerID":1,"CastType":1,"CastFor":null,"Body":"${HELLO}"}`);
  });

  it('lists CastFor for Exclusive only', () => {
    expect(encodeResponse(to(CastType.Exclusive, 's', 'a', 'b'), 2, null)).toBe(
      '{"SenderID":"s","HandlerID":2,"CastType":3,"CastFor":["a","b"],"Body":null}',
    );
    expect(encodeResponse(to(CastType.Others, 's', 'a'), 2, null)).toContain('"CastFor":null');
  });

  it('sends a string body as UTF-8 and no body as null', () => {
    const withText = JSON.parse(encodeResponse(to(CastType.All, ''), 0, 'héllo ✓'));
    expect(Buffer.from(withText.Body, 'base64').toString('utf8')).toBe('héllo ✓');
    expect(JSON.parse(encodeResponse(to(CastType.All, ''), 0, null)).Body).toBeNull();
    expect(JSON.parse(encodeResponse(to(CastType.All, ''), 0, new Uint8Array())).Body).toBeNull();
  });

  it('encodes a Uint8Array view by its own bytes only', () => {
    const backing = Buffer.from('xxHELLOxx');
    const view = new Uint8Array(backing.buffer, backing.byteOffset + 2, 5);
    const frame = JSON.parse(encodeResponse(to(CastType.All, ''), 0, view));
    expect(Buffer.from(frame.Body, 'base64').toString()).toBe('HELLO');
  });

  it('encodes an error frame with its keys in protocol order, escaping the text', () => {
    expect(encodeError('c1', 99, 'unknown_handler', 'no handler for "99"')).toBe(
      '{"EventType":3,"ClientID":"c1","HandlerID":99,"Code":"unknown_handler","Error":"no handler for \\"99\\""}',
    );
  });
});

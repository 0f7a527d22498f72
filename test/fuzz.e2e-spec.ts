import * as fc from 'fast-check';
import { decodeRequest } from '../src/core/codec.js';
import { ErrorCode, FrameRejection } from '../src/core/errors.js';
import { Broadcaster } from '../src/index.js';
import { appModule, startApp } from './support/app.js';
import { TestClient } from './support/ws-client.js';

const CODES = new Set<string>(Object.values(ErrorCode));

/** Frames a hostile or broken client might send. */
const hostileFrame = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc.jsonValue({ maxDepth: 30 }).map((value) => JSON.stringify(value)),
  fc.record({
    HandlerID: fc.oneof(fc.integer(), fc.double(), fc.string(), fc.constant(null), fc.constant(2 ** 60)),
    Body: fc.oneof(fc.string(), fc.base64String(), fc.constant(null), fc.integer(), fc.object()),
  }).map((value) => JSON.stringify(value)),
  fc.integer({ min: 1, max: 200 }).map((depth) => '['.repeat(depth * 50) + ']'.repeat(depth * 50)),
  fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes)),
);

describe('bad input', () => {
  it('the codec answers every frame with a request or a protocol error, never a throw', () => {
    fc.assert(
      fc.property(hostileFrame, (frame) => {
        const decoded = decodeRequest(frame);
        if (decoded instanceof FrameRejection) {
          expect(CODES.has(decoded.code)).toBe(true);
          expect(Number.isSafeInteger(decoded.handlerId)).toBe(true);
        } else if ('rooms' in decoded) {
          // A recovery request: 1 to 100 rooms, each with what it asks for, and its RequestID.
          expect(decoded.rooms.size).toBeGreaterThanOrEqual(1);
          expect(decoded.rooms.size).toBeLessThanOrEqual(100);
          expect(decoded.requestId).toBeDefined();
        } else {
          expect(Number.isSafeInteger(decoded.handlerId)).toBe(true);
          expect(Buffer.isBuffer(decoded.body)).toBe(true);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('the live server answers each hostile frame with one error frame, and a bystander sees nothing', async () => {
    // No handlers: any frame that decodes is an unknown_handler, so every frame gets an error.
    const running = await startApp(appModule([]));
    const attacker = await TestClient.join(running.url);
    const bystander = await TestClient.join(running.url);
    await attacker.client.next();
    const frames = fc.sample(hostileFrame, { numRuns: 300, seed: 42 });
    try {
      for (const frame of frames) {
        attacker.client.send(frame, { binary: Buffer.isBuffer(frame) });
        const reply = await attacker.client.nextJson();
        expect(reply).toMatchObject({ EventType: 3, ClientID: attacker.id });
        expect(CODES.has(reply.Code as string)).toBe(true);
      }
      expect(await bystander.client.drain(100)).toEqual([]);
      expect(running.app.get(Broadcaster).clientIds()).toEqual([attacker.id, bystander.id]);

      // Invalid UTF-8 in a text frame breaks RFC 6455: the connection closes with 1007.
      (attacker.client.socket as unknown as { _sender: { sendFrame: (f: Buffer[]) => void } })._sender.sendFrame([
        Buffer.from([0x81, 0x82, 0, 0, 0, 0, 0xff, 0xfe]),
      ]);
      expect((await attacker.client.closed).code).toBe(1007);
      expect(await bystander.client.nextJson()).toEqual({ EventType: 2, ClientID: attacker.id });
    } finally {
      await bystander.client.close();
      await running.app.close();
    }
  });
});

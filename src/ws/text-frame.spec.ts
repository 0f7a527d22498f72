import { WebSocket } from 'ws';
import { encodeTextFrame } from './text-frame';

// ws's own encoder, used as the reference: it is not part of ws's typed API.
const { Sender } = WebSocket as unknown as {
  Sender: { frame(data: Buffer, options: Record<string, unknown>): Buffer[] };
};

function referenceFrame(text: string): Buffer {
  const options = { fin: true, rsv1: false, opcode: 1, mask: false, readOnly: false };
  return Buffer.concat(Sender.frame(Buffer.from(text, 'utf8'), options));
}

describe('encodeTextFrame', () => {
  it.each([0, 1, 125, 126, 127, 65535, 65536, 200_000])('matches ws byte for byte at %i bytes', (size) => {
    const text = 'x'.repeat(size);
    expect(encodeTextFrame(text).equals(referenceFrame(text))).toBe(true);
  });

  it('measures the payload in UTF-8 bytes, not characters', () => {
    const text = 'é'.repeat(70) + '🙂';
    const frame = encodeTextFrame(text);
    expect(frame.equals(referenceFrame(text))).toBe(true);
    expect(frame[1]).toBe(126);
    expect(frame.readUInt16BE(2)).toBe(144);
  });
});

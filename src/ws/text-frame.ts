// One WebSocket text frame, encoded once as a server sends it.
const FIN_TEXT = 0x81;
const MAX_SHORT_LENGTH = 125;
const MAX_16_BIT_LENGTH = 0xffff;
const LENGTH_16_BIT = 126;
const LENGTH_64_BIT = 127;

/**
 * Encodes `text` as one complete WebSocket text frame as a server sends it (RFC 6455
 * §5.2: final, unmasked, uncompressed), ready to be written to any client's socket.
 */
export function encodeTextFrame(text: string): Buffer {
  const payloadLength = Buffer.byteLength(text, 'utf8');
  const headerLength = payloadLength <= MAX_SHORT_LENGTH ? 2 : payloadLength <= MAX_16_BIT_LENGTH ? 4 : 10;
  const frame = Buffer.allocUnsafe(headerLength + payloadLength);
  frame[0] = FIN_TEXT;
  if (headerLength === 2) {
    frame[1] = payloadLength;
  } else if (headerLength === 4) {
    frame[1] = LENGTH_16_BIT;
    frame.writeUInt16BE(payloadLength, 2);
  } else {
    frame[1] = LENGTH_64_BIT;
    frame.writeUInt32BE(0, 2);
    frame.writeUInt32BE(payloadLength, 6);
  }
  frame.write(text, headerLength, 'utf8');
  return frame;
}

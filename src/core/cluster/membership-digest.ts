// Order-free fingerprints of a set of client IDs, compared in heartbeats.
import type { ClientId } from '../message.js';

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/**
 * A fingerprint of a set of client IDs that does not depend on order: the XOR of one
 * 32-bit hash per ID, so a join or a leave updates it in O(1). Two nodes that agree on
 * a node's client count and digest almost surely agree on its clients; a join plus a
 * leave, which leave the count as it was, change the digest.
 */
export function toggleDigest(digest: number, clientId: ClientId): number {
  return (digest ^ hashId(clientId)) >>> 0;
}

function hashId(clientId: ClientId): number {
  let hash = FNV_OFFSET;
  for (let i = 0; i < clientId.length; i++) {
    hash ^= clientId.charCodeAt(i);
    hash = Math.imul(hash, FNV_PRIME);
  }
  return hash >>> 0;
}

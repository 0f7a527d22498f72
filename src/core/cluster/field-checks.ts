// The checks of a cluster message's plain fields: IDs, counts, change numbers.
import type { ClientId } from '../message.js';

const MAX_ID_LENGTH = 64;

/** A client's or a node's ID: a string of 1 to 64 characters. */
export function isClientId(value: unknown): value is ClientId {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_ID_LENGTH;
}

/** A node's ID, checked like a client's. */
export const isNodeId: (value: unknown) => value is string = isClientId;

/** A change number: changes are numbered from 1. */
export function isSeq(value: unknown): value is number {
  return isCount(value) && value > 0;
}

/** A count: a whole number from 0. */
export function isCount(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

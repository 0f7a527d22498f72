// A node's lists split into messages of bounded size, and put back together.
import type { ClientId } from '../message.js';
import type { PresenceListing } from './envelope.js';
import type { Membership } from './room-index.js';

/** One message's share of a node's lists. */
export interface ListsPart {
  clientIds: ClientId[];
  memberships: Membership[];
  presence: PresenceListing[];
}

/** What a listed ID or membership adds to a message's JSON, besides its own characters. */
const ENTRY_OVERHEAD = 8;

/**
 * Splits a node's lists into parts whose entries take at most `maxChars` characters each
 * (as JSON, roughly): a node with a very large membership still ships it, in several
 * messages. There is always at least one part, empty lists included.
 */
export function splitLists(
  clientIds: readonly ClientId[],
  memberships: readonly Membership[],
  presence: readonly PresenceListing[],
  maxChars: number,
): ListsPart[] {
  const parts: ListsPart[] = [{ clientIds: [], memberships: [], presence: [] }];
  let used = 0;
  const room = (size: number) => {
    if (used > 0 && used + size > maxChars) {
      parts.push({ clientIds: [], memberships: [], presence: [] });
      used = 0;
    }
    used += size;
    return parts[parts.length - 1];
  };
  for (const clientId of clientIds) room(clientId.length + ENTRY_OVERHEAD).clientIds.push(clientId);
  for (const membership of memberships) {
    room(membership[0].length + membership[1].length + 2 * ENTRY_OVERHEAD).memberships.push(membership);
  }
  // A state is JSON inside a JSON string: its quotes are escaped, so it may take twice its length.
  for (const listing of presence) room(listing[0].length + 2 * listing[1].length + 2 * ENTRY_OVERHEAD).presence.push(listing);
  return parts;
}

/**
 * Gathers the parts of one node's lists until all have come. Parts of another version
 * start the gathering anew; what is gathered never exceeds the limits given.
 */
export class ListsAssembly {
  private version = -1;
  private received = new Set<number>();
  private clientIds: ClientId[] = [];
  private memberships: Membership[] = [];
  private presence: PresenceListing[] = [];

  constructor(
    private readonly maxClients: number,
    private readonly maxMemberships: number,
  ) {}

  /**
   * Takes a part. Returns the whole lists once every part of a version has come, `null`
   * while some are missing, or `'too-large'` when the lists would pass the limits (the
   * gathering is then given up).
   */
  add(version: number, part: number, parts: number, lists: ListsPart): ListsPart | null | 'too-large' {
    if (version !== this.version) this.reset(version);
    if (this.received.has(part)) return null;
    const tooMany =
      this.clientIds.length + lists.clientIds.length > this.maxClients ||
      this.presence.length + lists.presence.length > this.maxClients ||
      this.memberships.length + lists.memberships.length > this.maxMemberships;
    if (tooMany) {
      this.reset(-1);
      return 'too-large';
    }
    this.received.add(part);
    for (const clientId of lists.clientIds) this.clientIds.push(clientId);
    for (const membership of lists.memberships) this.memberships.push(membership);
    for (const listing of lists.presence) this.presence.push(listing);
    if (this.received.size < parts) return null;
    const whole = { clientIds: this.clientIds, memberships: this.memberships, presence: this.presence };
    this.reset(-1);
    return whole;
  }

  private reset(version: number): void {
    this.version = version;
    this.received = new Set();
    this.clientIds = [];
    this.memberships = [];
    this.presence = [];
  }
}

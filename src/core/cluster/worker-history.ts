// Room history for worker processes: the primary keeps it and numbers publications; workers ask over IPC.
import { OutgoingFrame } from '../conn.js';
import { MemoryHistory } from '../history/memory-history.js';
import { isRoomName } from '../rooms.js';
import type { BackplaneHistory, BackplaneHistoryRead, PublicationStamp } from './backplane.js';

/** A worker's request to the primary's history. */
export type HistoryRequest =
  | { op: 'append'; id: number; room: string; size: number; ttl: number; message: string }
  | { op: 'read'; id: number; room: string; since?: PublicationStamp; last?: number };

/** The primary's answer to one {@link HistoryRequest}. */
export type HistoryReply = { id: number; error?: string; read?: BackplaneHistoryRead };

/** How long a worker waits for the primary to answer before giving up. */
const REQUEST_TIMEOUT_MS = 10_000;
/** The most requests one worker may have waiting for the primary. */
const MAX_WAITING = 10_000;

/** The worker's side: {@link BackplaneHistory} answered by the primary over IPC. */
export class WorkerHistory implements BackplaneHistory {
  private nextId = 0;
  private readonly waiting = new Map<number, { settle: (reply: HistoryReply) => void }>();

  /** @param send sends a request to the primary; false when it could not */
  constructor(private readonly send: (request: HistoryRequest) => boolean) {}

  async append(room: string, size: number, ttl: number, message: string): Promise<void> {
    await this.ask({ op: 'append', id: 0, room, size, ttl, message });
  }

  async read(room: string, query: { since: PublicationStamp } | { last: number }): Promise<BackplaneHistoryRead> {
    const reply = await this.ask({ op: 'read', id: 0, room, ...query });
    if (reply.read === undefined) throw new Error('the primary process answered a history read with nothing');
    return reply.read;
  }

  /** The primary answered. */
  answered(reply: HistoryReply): void {
    this.waiting.get(reply.id)?.settle(reply);
  }

  private ask(request: HistoryRequest): Promise<HistoryReply> {
    if (this.waiting.size >= MAX_WAITING) return Promise.reject(new Error(`${MAX_WAITING} history requests already wait for the primary process`));
    const id = ++this.nextId;
    return new Promise<HistoryReply>((resolve, reject) => {
      const timer = setTimeout(() => settle({ id, error: `the primary process did not answer within ${REQUEST_TIMEOUT_MS} ms` }), REQUEST_TIMEOUT_MS);
      timer.unref();
      const settle = (reply: HistoryReply) => {
        clearTimeout(timer);
        this.waiting.delete(id);
        if (reply.error === undefined) resolve(reply);
        else reject(new Error(reply.error));
      };
      this.waiting.set(id, { settle });
      if (!this.send({ ...request, id })) settle({ id, error: 'the IPC channel to the primary process is down or full' });
    });
  }
}

/** Bounds on what the primary keeps. */
export interface PrimaryHistoryBounds {
  maxRooms: number;
  maxBytes: number;
}

/**
 * The primary's side: every room's history for the workers of one channel. An append is
 * numbered here and handed to `publish`, which relays it to every worker with its stamp
 * before the next request is read: the workers get each room's publications in offset order.
 */
export class PrimaryHistory {
  private readonly store: MemoryHistory;
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    bounds: PrimaryHistoryBounds,
    onDrop: (room: string) => void,
    private readonly publish: (message: string, stamp: PublicationStamp, from: number) => void,
  ) {
    this.store = new MemoryHistory(bounds, onDrop);
    this.sweeper = setInterval(() => this.store.sweep(), 10_000);
    this.sweeper.unref();
  }

  close(): void {
    clearInterval(this.sweeper);
  }

  /** Answers a request of worker `from` (anything malformed is answered with an error). */
  handle(request: unknown, from: number): HistoryReply | null {
    const checked = checkRequest(request);
    if (checked === null) return Number.isSafeInteger((request as { id?: unknown } | null)?.id) ? { id: (request as { id: number }).id, error: 'a malformed history request' } : null;
    if (checked.op === 'append') {
      let stamp: PublicationStamp = { offset: 0, epoch: '' };
      this.store.append(checked.room, { size: checked.size, ttl: checked.ttl }, (offset, epoch) => {
        stamp = { offset, epoch };
        return new OutgoingFrame(checked.message);
      });
      this.publish(checked.message, stamp, from);
      return { id: checked.id };
    }
    const query = checked.since !== undefined ? { since: checked.since } : { last: checked.last ?? 1 };
    const read = this.store.read(checked.room, query);
    if (read === null) return { id: checked.id, read: { position: null, entries: [], complete: false } };
    return {
      id: checked.id,
      read: { position: read.position, entries: read.publications.map(({ offset, frame }) => ({ offset, message: frame.text })), complete: read.complete },
    };
  }
}

function checkRequest(value: unknown): HistoryRequest | null {
  const request = value as Partial<Record<string, unknown>> | null;
  if (typeof request !== 'object' || request === null || !Number.isSafeInteger(request.id) || !isRoomName(request.room)) return null;
  if (request.op === 'append') {
    const { size, ttl, message } = request;
    const ok = Number.isSafeInteger(size) && (size as number) >= 1 && (size as number) <= 10_000 && Number.isSafeInteger(ttl) && (ttl as number) >= 1;
    return ok && typeof message === 'string' ? (request as HistoryRequest) : null;
  }
  if (request.op !== 'read') return null;
  const { since, last } = request as { since?: Partial<PublicationStamp>; last?: unknown };
  if (since !== undefined) {
    return Number.isSafeInteger(since?.offset) && typeof since?.epoch === 'string' ? (request as HistoryRequest) : null;
  }
  return Number.isSafeInteger(last) && (last as number) >= 1 ? (request as HistoryRequest) : null;
}

import { BroadcasterCore } from '../broadcaster-core';
import type { Backplane, BackplaneHistory, BackplaneHistoryRead, BackplaneListener } from '../cluster/backplane';
import type { MessageHandlerFn, MessageHandlers } from '../handlers';
import { CastType, newResponseMessage } from '../message';
import { FakeConn } from '../testing/fake-conn';

/**
 * A one-node cluster whose room history the test drives: appends are taken at once and
 * come back numbered only when the test releases them (as a slow broker would), or fail
 * when the test says so.
 */
class HeldHistory implements Backplane, BackplaneHistory {
  readonly appended: string[] = [];
  private readonly outcomes: { resolve: () => void; reject: (error: Error) => void }[] = [];
  private released = 0;
  private latest = 0;
  private listener: BackplaneListener | null = null;
  readonly history = this;

  async connect(listener: BackplaneListener): Promise<void> {
    this.listener = listener;
    listener.up();
  }

  publish(message: string): boolean {
    queueMicrotask(() => this.listener?.message(message));
    return true;
  }

  append(_room: string, _size: number, _ttl: number, message: string): Promise<void> {
    this.appended.push(message);
    return new Promise((resolve, reject) => this.outcomes.push({ resolve, reject }));
  }

  /** Numbers and delivers the next `count` appends, in one turn, as one chunk off a socket would be. */
  release(count: number): void {
    for (let i = 0; i < count; i++) {
      const index = this.released++;
      this.outcomes[index].resolve();
      this.listener!.message(this.appended[index], undefined, { offset: ++this.latest, epoch: 'e1' });
    }
  }

  /** The next append could not be made. */
  fail(): void {
    const index = this.released++;
    this.outcomes[index].reject(new Error('the history is unreachable'));
  }

  read(): Promise<BackplaneHistoryRead> {
    return Promise.resolve({ position: null, entries: [], complete: false });
  }

  async close(): Promise<void> {
    this.listener = null;
  }
}

/** 1 publishes its body to room "r"; 2 answers its sender; 3 publishes to "r" and answers its sender. */
const handlers: MessageHandlers = new Map<number, MessageHandlerFn>([
  [1, ({ body }) => newResponseMessage(CastType.Room, body, 'r')],
  [2, ({ body }) => newResponseMessage(CastType.Self, body)],
  [3, ({ body }) => [newResponseMessage(CastType.Room, body, 'r'), newResponseMessage(CastType.Self, body)]],
]);

const flush = () => new Promise((resolve) => setImmediate(resolve));
const request = (handlerId: number, text: string, requestId: number) =>
  JSON.stringify({ HandlerID: handlerId, Body: Buffer.from(text).toString('base64'), RequestID: requestId });
/** A frame as a short label: `ack 3`, `error 3 handler_error`, or the body of a cast (with its offset). */
const label = (frame: Record<string, unknown>): string => {
  if (frame.EventType === 4) return `ack ${String(frame.RequestID)}`;
  if (frame.Code !== undefined) return `error ${String(frame.RequestID)} ${String(frame.Code)}`;
  const body = Buffer.from(frame.Body as string, 'base64').toString();
  return frame.Offset === undefined ? body : `${body}@${String(frame.Offset)}`;
};

describe("one client's publications going round the cluster's history", () => {
  let backplane: HeldHistory;
  let core: BroadcasterCore;
  let conn: FakeConn;
  let send: (frame: string) => void;

  async function start(maxRequestsInFlight?: number): Promise<void> {
    backplane = new HeldHistory();
    core = new BroadcasterCore({
      messageHandlers: handlers,
      eventHandlers: new Map(),
      backplane,
      history: (room) => (room === 'r' ? { size: 100, ttl: 60_000 } : undefined),
      maxRequestsInFlight,
      logger: { log: () => undefined, warn: () => undefined, error: () => undefined },
    });
    await core.start();
    conn = new FakeConn();
    const session = core.attach(conn);
    send = (frame) => session.receive(frame);
    core.join(session.id, 'r');
    await flush();
    conn.take();
  }

  afterEach(async () => {
    await core.shutdown(100);
  });

  it('are appended without waiting for each other, and each ack follows its own copy before the next publication', async () => {
    await start();
    for (let i = 1; i <= 5; i++) send(request(1, `p${i}`, i));
    await flush();
    // All five are on their way at once, and nothing reached the client before they came back.
    expect(backplane.appended).toHaveLength(5);
    expect(conn.take()).toEqual([]);
    backplane.release(5);
    expect(conn.take().map(label)).toEqual(['p1@1', 'ack 1', 'p2@2', 'ack 2', 'p3@3', 'ack 3', 'p4@4', 'ack 4', 'p5@5', 'ack 5']);
  });

  it('hold a later request that answers its sender directly until their acks were sent', async () => {
    await start();
    send(request(1, 'p1', 1));
    send(request(2, 'reply', 2));
    send(request(1, 'p3', 3));
    send(request(3, 'both', 4));
    await flush();
    // The reply waits for the first ack, and the publication after it waits for the reply.
    expect(backplane.appended).toHaveLength(1);
    expect(conn.take()).toEqual([]);
    backplane.release(1);
    await flush();
    expect(conn.take().map(label)).toEqual(['p1@1', 'ack 1', 'reply', 'ack 2']);
    expect(backplane.appended).toHaveLength(2);
    backplane.release(1);
    await flush();
    // The mixed answer waited for the ack before it; its own reply went out at once.
    expect(conn.take().map(label)).toEqual(['p3@2', 'ack 3', 'both']);
    backplane.release(1);
    expect(conn.take().map(label)).toEqual(['both@3', 'ack 4']);
  });

  it('answer a publication that could not be appended with an error in its place, and go on with the next', async () => {
    await start();
    for (let i = 1; i <= 3; i++) send(request(1, `p${i}`, i));
    await flush();
    expect(backplane.appended).toHaveLength(3);
    backplane.release(1);
    backplane.fail();
    await flush();
    backplane.release(1);
    expect(conn.take().map(label)).toEqual(['p1@1', 'ack 1', 'error 2 handler_error', 'p3@2', 'ack 3']);
    expect(core.stats().history!.publishFailures).toBe(1);
  });

  it('count as requests in flight: past maxRequestsInFlight the client is refused, after the acks it is owed', async () => {
    await start(3);
    for (let i = 1; i <= 5; i++) send(request(1, `p${i}`, i));
    await flush();
    expect(backplane.appended).toHaveLength(3);
    expect(conn.take()).toEqual([]);
    backplane.release(3);
    await flush();
    expect(conn.take().map(label)).toEqual(['p1@1', 'ack 1', 'p2@2', 'ack 2', 'p3@3', 'ack 3', 'error undefined rate_limited', 'error undefined rate_limited']);
  });
});

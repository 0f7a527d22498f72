// Test helpers: nodes of an in-memory cluster, and waiting on a real or virtual clock.
import { BroadcasterCore } from '../broadcaster-core';
import type { Backplane } from '../cluster/backplane';
import { InMemoryBackplane, InMemoryHub } from '../cluster/in-memory-backplane';
import type { BroadcasterLogger, EventHandlers, MessageHandlerFn, MessageHandlers } from '../handlers';
import { CastType, EventType, newResponseMessage, type EventMessage } from '../message';
import { FakeConn } from './fake-conn';

let virtualTime = false;

/**
 * Runs each test of the suite it is called in on jest's fake clock: timers and `Date` move
 * only when the test waits ({@link sleep}, {@link settle}, {@link until}), so heartbeats and
 * timeouts fall where the test says, however busy the machine. Call it first in the
 * suite: the clock is real again before the suite's own `afterEach` shuts nodes down.
 */
export function useVirtualTime(): void {
  beforeEach(() => {
    // The in-memory backplane delivers on microtasks, as a broker would: they stay real.
    jest.useFakeTimers({ doNotFake: ['queueMicrotask', 'nextTick', 'setImmediate'] });
    virtualTime = true;
  });
  afterEach(() => {
    virtualTime = false;
    jest.useRealTimers();
  });
}

/** Waits `ms`: on the fake clock, moves it on by that much, running what falls due. */
export const sleep = async (ms: number): Promise<void> => {
  if (virtualTime) await jest.advanceTimersByTimeAsync(ms);
  else await new Promise((resolve) => setTimeout(resolve, ms));
};

export const settle = () => sleep(5);

/** Waits until `check` holds, failing after `timeoutMs` (of the clock in use). */
export const until = async (check: () => boolean, timeoutMs = 3000) => {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await sleep(5);
  }
};
const quietLogger = (): BroadcasterLogger & { warnings: string[]; errors: string[] } => {
  const warnings: string[] = [];
  const errors: string[] = [];
  return { warnings, errors, log: () => undefined, warn: (message) => warnings.push(message), error: (message, stack) => errors.push(stack === undefined ? message : `${message}\n${stack}`) };
};

/**
 * Handler 1 echoes to the cast type named by the body's first byte; 2 targets the IDs
 * listed in the body; 3 casts "hi" to the rooms listed in the body after a cast type byte;
 * 4 joins the room named by the body; 5 leaves it.
 */
const handlers: MessageHandlers = new Map<number, MessageHandlerFn>([
  [1, ({ body }) => newResponseMessage(body[0] as CastType, body.subarray(1))],
  [2, ({ body }) => newResponseMessage(CastType.Exclusive, null, ...body.toString().split(','))],
  [3, ({ body }) => newResponseMessage(body[0] as CastType, 'hi', ...body.subarray(1).toString().split(',').filter(Boolean))],
  [4, ({ body }, ctx) => void ctx.join(body.toString())],
  [5, ({ body }, ctx) => void ctx.leave(body.toString())],
]);

export function request(handlerId: number, body: Buffer): string {
  return JSON.stringify({ HandlerID: handlerId, Body: body.toString('base64') });
}

export interface NodeOptions {
  nodeTimeout?: number;
  clusterSecret?: string;
  maxClusterNodes?: number;
  userRoom?: (principal: unknown) => string | undefined;
  maxClusterMessageBytes?: number;
  maxClientsPerInstance?: number;
  maxRoomsPerClient?: number;
  presenceInfo?: (principal: unknown) => unknown;
  sessionGrace?: number;
  sessionSecret?: string;
  /** Puts a backplane of the test's own between the node and the hub. */
  wrap?: (backplane: InMemoryBackplane) => Backplane;
}

export class Node {
  readonly backplane: InMemoryBackplane;
  readonly core: BroadcasterCore;
  readonly events: EventMessage[] = [];
  readonly logger = quietLogger();

  constructor(
    /** The medium of its cluster (another node may be made on it later). */
    readonly medium: InMemoryHub,
    options: NodeOptions = {},
  ) {
    this.backplane = new InMemoryBackplane(medium);
    const eventHandlers: EventHandlers = new Map([
      [EventType.OnAddClient, (event: EventMessage) => void this.events.push(event)],
      [EventType.OnDelClient, (event: EventMessage) => void this.events.push(event)],
      [EventType.OnJoinRoom, (event: EventMessage) => void this.events.push(event)],
      [EventType.OnLeaveRoom, (event: EventMessage) => void this.events.push(event)],
      [EventType.OnAway, (event: EventMessage) => void this.events.push(event)],
      [EventType.OnResume, (event: EventMessage) => void this.events.push(event)],
    ]);
    this.core = new BroadcasterCore({
      messageHandlers: handlers,
      eventHandlers,
      backplane: options.wrap?.(this.backplane) ?? this.backplane,
      clusterHeartbeatInterval: 20,
      nodeTimeout: options.nodeTimeout ?? 120,
      clusterSecret: options.clusterSecret,
      maxClusterNodes: options.maxClusterNodes,
      userRoom: options.userRoom,
      maxClusterMessageBytes: options.maxClusterMessageBytes,
      maxClientsPerInstance: options.maxClientsPerInstance,
      maxRoomsPerClient: options.maxRoomsPerClient,
      presenceInfo: options.presenceInfo,
      sessionGrace: options.sessionGrace,
      sessionSecret: options.sessionSecret,
      logger: this.logger,
    });
  }

  /**
   * A client of this node; `withSession`: one that asked for a session (protocol 1.2),
   * `resume` one that asks to take a session back.
   */
  join(principal?: unknown, withSession = false, resume?: { token: string; received: number }) {
    const conn = new FakeConn();
    const session = this.core.attach(conn, { principal }, resume !== undefined ? { resume } : withSession ? {} : undefined);
    return { conn, session, id: session.id };
  }
}

export async function cluster(size: number, options?: NodeOptions): Promise<Node[]> {
  const hub = new InMemoryHub();
  const nodes = Array.from({ length: size }, () => new Node(hub, options));
  await Promise.all(nodes.map((node) => node.core.start()));
  await settle();
  return nodes;
}


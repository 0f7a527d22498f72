// The worker backplane: the worker processes of one machine linked through the primary's IPC.
import { withFacts } from '../log-facts.js';
import { consoleLogger } from '../console-logger.js';
import cluster, { type Worker } from 'node:cluster';
import { stackOf } from '../thrown-text.js';
import type { BroadcasterLogger } from '../handlers.js';
import { ThrottledLog } from '../throttled-log.js';
import type { Backplane, BackplaneListener, PublicationStamp } from './backplane.js';
import { PrimaryHistory, WorkerHistory, type HistoryReply, type HistoryRequest } from './worker-history.js';

/** Options of {@link WorkerBackplane} and {@link relayWorkerBackplanes}. */
export interface WorkerBackplaneOptions {
  /**
   * Which broadcasters of the worker processes form one cluster; the primary relays each
   * channel to every worker.
   * @default 'message-broadcaster'
   */
  channel?: string;
  /**
   * The most bytes of messages that may wait to go over one IPC channel: a worker's to
   * the primary, or the primary's to each worker. Past it (the other process stopped or
   * stalled) messages are dropped, counted and logged instead of queueing in memory
   * without bound; the cluster's numbered changes repair what a dropped membership change
   * missed once the process reads again.
   * @default 16777216 (16 MiB)
   */
  maxPendingBytes?: number;
  /** Where drops and failures are reported. @default console */
  logger?: BroadcasterLogger;
  /** In the primary: rooms whose history it keeps at most (see the broadcaster's `maxHistoryRooms`). @default 100000 */
  maxHistoryRooms?: number;
  /** In the primary: characters of publications it keeps at most in all rooms' history. @default 268435456 (256 MiB) */
  maxHistoryBytes?: number;
}

/** What the primary's relay has done, from {@link WorkerRelay.stats}. */
export interface WorkerRelayStats {
  /** Messages handed to a worker's IPC channel. */
  relayed: number;
  /** Messages not handed to a worker because its channel had `maxPendingBytes` waiting. */
  dropped: number;
  /** Bytes waiting in the workers' IPC channels now. */
  pendingBytes: number;
  /** Workers whose exit the relay announced to the others. */
  departures: number;
}

/** The primary's relay: call it to stop relaying. */
export interface WorkerRelay {
  (): void;
  stats(): WorkerRelayStats;
}

/** What travels over the IPC channel between a worker and the primary. */
interface RelayedMessage {
  broadcasterChannel: string;
  /** A cluster message, or absent in the primary's notice that a worker exited. */
  message?: string;
  /** Set by the primary: the ID of the worker the message came from, or that exited. */
  worker?: number;
  /** Set by the primary in its notice that `worker` exited. */
  exited?: true;
  /** Set by the primary on a publication it numbered: its place in its room's history. */
  stamp?: PublicationStamp;
  /** A worker's request to the room history the primary keeps. */
  history?: HistoryRequest;
  /** The primary's answer to one of them. */
  historyReply?: HistoryReply;
}

const DEFAULT_CHANNEL = 'message-broadcaster';
const DEFAULT_MAX_PENDING_BYTES = 16 * 1024 * 1024;


function isRelayed(value: unknown, channel: string): value is RelayedMessage {
  const candidate = value as Partial<RelayedMessage> | null;
  if (candidate?.broadcasterChannel !== channel) return false;
  if (typeof candidate.history === 'object' || typeof candidate.historyReply === 'object') return candidate.message === undefined;
  return typeof candidate.message === 'string' || (candidate.exited === true && Number.isSafeInteger(candidate.worker));
}

/** The primary's bounds on the room history it keeps; throws a `TypeError` on a bad one. */
function historyBoundsOf(options: WorkerBackplaneOptions): { maxRooms: number; maxBytes: number } {
  const bounds = { maxRooms: options.maxHistoryRooms ?? 100_000, maxBytes: options.maxHistoryBytes ?? 256 * 1024 * 1024 };
  if (!(Number.isSafeInteger(bounds.maxRooms) && bounds.maxRooms > 0)) throw new TypeError('maxHistoryRooms must be a positive integer');
  if (!(Number.isSafeInteger(bounds.maxBytes) && bounds.maxBytes > 0)) throw new TypeError('maxHistoryBytes must be a positive integer (bytes)');
  return bounds;
}

function maxPendingOf(options: WorkerBackplaneOptions): number {
  const max = options.maxPendingBytes ?? DEFAULT_MAX_PENDING_BYTES;
  if (!(Number.isSafeInteger(max) && max > 0)) throw new TypeError('maxPendingBytes must be a positive integer (bytes)');
  return max;
}

/**
 * Links the broadcasters of the worker processes of one machine (Node's `cluster` module)
 * through the primary process, over the IPC channel Node gives every worker: no broker
 * needed to use every core. Give each worker's broadcaster one, and call
 * {@link relayWorkerBackplanes} in the primary.
 */
export class WorkerBackplane implements Backplane {
  private readonly channel: string;
  private readonly maxPendingBytes: number;
  private readonly warnings: ThrottledLog;
  private listener: BackplaneListener | null = null;
  private pendingBytes = 0;
  /** Room history, kept by the primary process for every worker of the channel. */
  readonly history: WorkerHistory;
  private readonly onMessage = (value: unknown) => {
    if (!isRelayed(value, this.channel)) return;
    if (value.historyReply !== undefined) return this.history.answered(value.historyReply);
    const origin = value.worker === undefined ? undefined : `worker ${value.worker}`;
    if (value.exited === true) {
      if (origin !== undefined) this.listener?.originGone?.(origin);
      return;
    }
    this.listener?.message(value.message as string, origin, value.stamp);
  };
  private readonly onDisconnect = () => this.listener?.down('the IPC channel to the primary process closed');

  constructor(options: WorkerBackplaneOptions = {}) {
    this.channel = options.channel ?? DEFAULT_CHANNEL;
    this.maxPendingBytes = maxPendingOf(options);
    this.warnings = new ThrottledLog(options.logger ?? consoleLogger);
    this.history = new WorkerHistory((request) => this.send({ broadcasterChannel: this.channel, history: request }, JSON.stringify(request).length));
  }

  async connect(listener: BackplaneListener): Promise<void> {
    if (process.send === undefined) {
      throw new Error('WorkerBackplane needs a process started by cluster.fork() (or with an IPC channel)');
    }
    this.listener = listener;
    process.on('message', this.onMessage);
    process.once('disconnect', this.onDisconnect);
    listener.up();
  }

  publish(message: string): boolean {
    return this.send({ broadcasterChannel: this.channel, message }, message.length);
  }

  /** Sends to the primary within `maxPendingBytes`; false when it could not. */
  private send(relayed: RelayedMessage, size: number): boolean {
    if (!process.connected || this.listener === null) return false;
    if (this.pendingBytes + size > this.maxPendingBytes) {
      this.warnings.warn(
        'ipc-full',
        `WorkerBackplane: ${this.pendingBytes} bytes wait for the primary process (maxPendingBytes ${this.maxPendingBytes}): a message was dropped`,
        { event: 'ipc_full' },
      );
      return false;
    }
    this.pendingBytes += size;
    // The callback runs once the message left this process, or with the error that kept it.
    process.send?.(relayed, undefined, {}, () => (this.pendingBytes -= size));
    return true;
  }

  async close(): Promise<void> {
    process.off('message', this.onMessage);
    process.off('disconnect', this.onDisconnect);
    this.listener = null;
  }
}

/**
 * Run in the primary process: relays every message a worker's {@link WorkerBackplane}
 * publishes to every worker, the publisher included (as every backplane does), and tells
 * the workers at once when one of them exits, so that its clients are announced as left
 * without waiting for `nodeTimeout`. What waits for one worker is bounded by
 * `maxPendingBytes`. Returns a function that stops relaying.
 */
export function relayWorkerBackplanes(options: WorkerBackplaneOptions = {}): WorkerRelay {
  const channel = options.channel ?? DEFAULT_CHANNEL;
  const maxPendingBytes = maxPendingOf(options);
  const historyBounds = historyBoundsOf(options);
  const logger = options.logger ?? consoleLogger;
  const warnings = new ThrottledLog(logger);
  const pending = new Map<Worker, number>();
  const counters = { relayed: 0, dropped: 0, departures: 0 };
  let pendingBytes = 0;

  const sendTo = (worker: Worker, value: RelayedMessage, size: number) => {
    const waiting = pending.get(worker) ?? 0;
    if (waiting + size > maxPendingBytes) {
      counters.dropped += 1;
      warnings.warn(
        `full-${channel}`,
        `relayWorkerBackplanes: ${waiting} bytes wait for worker ${worker.id} (maxPendingBytes ${maxPendingBytes}): a message to it was dropped (${counters.dropped} so far)`,
        { event: 'ipc_full', worker: worker.id },
      );
      return;
    }
    pending.set(worker, waiting + size);
    pendingBytes += size;
    counters.relayed += 1;
    // A worker exiting while this is under way fails the send (EPIPE): the callback
    // takes that error, and the worker's own 'error' listener (below) keeps it from
    // being thrown at the primary.
    worker.send(value, undefined, {}, () => {
      pendingBytes -= size;
      const left = (pending.get(worker) ?? size) - size;
      if (left > 0 || worker.isConnected()) pending.set(worker, left);
      else pending.delete(worker);
    });
  };
  const history = new PrimaryHistory(
    historyBounds,
    (room) => warnings.warn(`history-${channel}`, `relayWorkerBackplanes: the history of room "${room}" was dropped to stay within maxHistoryRooms / maxHistoryBytes`, { event: 'history_dropped', room }),
    (message, stamp, from) => {
      const stamped: RelayedMessage = { broadcasterChannel: channel, message, worker: from, stamp };
      for (const worker of Object.values(cluster.workers ?? {})) if (worker?.isConnected()) sendTo(worker, stamped, message.length);
    },
  );
  const relay = (from: Worker, value: unknown) => {
    if (!isRelayed(value, channel)) return;
    if (value.history !== undefined) {
      const reply = history.handle(value.history, from.id);
      if (reply !== null && from.isConnected()) sendTo(from, { broadcasterChannel: channel, historyReply: reply }, 256 + JSON.stringify(reply).length);
      return;
    }
    if (typeof value.message !== 'string') return;
    const tagged: RelayedMessage = { broadcasterChannel: channel, message: value.message, worker: from.id };
    const size = value.message.length;
    for (const worker of Object.values(cluster.workers ?? {})) {
      if (worker?.isConnected()) sendTo(worker, tagged, size);
    }
  };
  const onError = (worker: Worker) => (error: Error) => {
    logger.warn(withFacts(`relayWorkerBackplanes: the IPC channel of worker ${worker.id} failed: ${stackOf(error)}`, { event: 'ipc_failed', worker: worker.id }));
  };
  const watched = new WeakSet<Worker>();
  const watch = (worker: Worker) => {
    if (watched.has(worker)) return;
    watched.add(worker);
    worker.on('error', onError(worker));
  };
  const onExit = (gone: Worker) => {
    pending.delete(gone);
    counters.departures += 1;
    const notice: RelayedMessage = { broadcasterChannel: channel, worker: gone.id, exited: true };
    for (const worker of Object.values(cluster.workers ?? {})) {
      if (worker !== undefined && worker !== gone && worker.isConnected()) sendTo(worker, notice, 64);
    }
  };
  for (const worker of Object.values(cluster.workers ?? {})) if (worker !== undefined) watch(worker);
  cluster.on('fork', watch);
  cluster.on('message', relay);
  cluster.on('exit', onExit);

  const stop = () => {
    history.close();
    cluster.off('fork', watch);
    cluster.off('message', relay);
    cluster.off('exit', onExit);
  };
  return Object.assign(stop, { stats: () => ({ ...counters, pendingBytes }) });
}

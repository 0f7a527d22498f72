import cluster, { type Worker } from 'node:cluster';
import type { Backplane, BackplaneListener } from './backplane.js';

/** Options of {@link WorkerBackplane} and {@link relayWorkerBackplanes}. */
export interface WorkerBackplaneOptions {
  /**
   * Which broadcasters of the worker processes form one cluster; the primary relays each
   * channel to every worker.
   * @default 'message-broadcaster'
   */
  channel?: string;
}

/** What travels over the IPC channel between a worker and the primary. */
interface RelayedMessage {
  broadcasterChannel: string;
  message: string;
}

const DEFAULT_CHANNEL = 'message-broadcaster';

function isRelayed(value: unknown, channel: string): value is RelayedMessage {
  const candidate = value as Partial<RelayedMessage> | null;
  return candidate?.broadcasterChannel === channel && typeof candidate.message === 'string';
}

/**
 * Links the broadcasters of the worker processes of one machine (Node's `cluster` module)
 * through the primary process, over the IPC channel Node gives every worker: no broker
 * needed to use every core. Give each worker's broadcaster one, and call
 * {@link relayWorkerBackplanes} in the primary.
 */
export class WorkerBackplane implements Backplane {
  private readonly channel: string;
  private listener: BackplaneListener | null = null;
  private readonly onMessage = (value: unknown) => {
    if (isRelayed(value, this.channel)) this.listener?.message(value.message);
  };
  private readonly onDisconnect = () => this.listener?.down('the IPC channel to the primary process closed');

  constructor(options: WorkerBackplaneOptions = {}) {
    this.channel = options.channel ?? DEFAULT_CHANNEL;
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
    if (!process.connected || this.listener === null) return false;
    const relayed: RelayedMessage = { broadcasterChannel: this.channel, message };
    process.send?.(relayed);
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
 * publishes to every worker, the publisher included (as every backplane does). Returns a
 * function that stops relaying.
 */
export function relayWorkerBackplanes(options: WorkerBackplaneOptions = {}): () => void {
  const channel = options.channel ?? DEFAULT_CHANNEL;
  const relay = (_from: Worker, value: unknown) => {
    if (!isRelayed(value, channel)) return;
    for (const worker of Object.values(cluster.workers ?? {})) {
      if (worker?.isConnected()) worker.send(value);
    }
  };
  cluster.on('message', relay);
  return () => cluster.off('message', relay);
}

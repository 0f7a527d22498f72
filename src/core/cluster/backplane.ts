// The backplane interface: the pub/sub link between the nodes of a cluster.
/** What a backplane reports to the node that connected it. */
export interface BackplaneListener {
  /**
   * A message some node published, this one included: a node hearing its own messages
   * come back is how it knows the link carries them (see the stall detection).
   * `origin`, from a backplane that knows which process published what (the worker
   * backplane), names that process as the backplane knows it, whatever the message says.
   */
  message(message: string, origin?: string): void;
  /**
   * The process that published the messages of `origin` is gone for certain (a worker
   * exited): the nodes heard from there are dropped at once, without waiting for their
   * heartbeats to stop.
   */
  originGone?(origin: string): void;
  /** The link to the other nodes is up, at first or again after an outage. */
  up(): void;
  /** The link is down; publishing fails until {@link up}. */
  down(reason: string): void;
}

/**
 * The pub/sub link between the nodes of a cluster: every message published by one node
 * reaches every node, the publisher included, in the order that node published it. {@link RedisBackplane} is the
 * one shipped; implement this to use another broker.
 */
export interface Backplane {
  /** Connects and starts reporting to `listener`; resolves once the link is up. */
  connect(listener: BackplaneListener): Promise<void>;
  /**
   * Publishes to every node. Returns `false` when the link is down and the message was
   * dropped: the cluster delivers at most once and does not replay.
   */
  publish(message: string): boolean;
  /** Disconnects; resolves when nothing is left to send. */
  close(): Promise<void>;
}

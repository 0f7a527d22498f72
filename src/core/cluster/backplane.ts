// The backplane interface: the pub/sub link between the nodes of a cluster.
/** What a backplane reports to the node that connected it. */
export interface BackplaneListener {
  /**
   * A message some node published, this one included: a node hearing its own messages
   * come back is how it knows the link carries them (see the stall detection).
   * `origin`, from a backplane that knows which process published what (the worker
   * backplane), names that process as the backplane knows it, whatever the message says.
   * `stamp` comes with a publication appended through {@link Backplane.history}.
   */
  message(message: string, origin?: string, stamp?: PublicationStamp): void;
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
  /**
   * Room history kept for the whole cluster, by the broker or a process all nodes share.
   * Optional: without it, rooms cannot have history in a cluster.
   */
  readonly history?: BackplaneHistory;
}

/** Where a publication stands in its room's history: given by the history's keeper, not by the publisher. */
export interface PublicationStamp {
  offset: number;
  epoch: string;
}

/** One publication read back from a room's history: its offset, and the message as it was appended. */
export interface StoredMessage {
  offset: number;
  message: string;
}

/** What a read of a room's history found; see {@link BackplaneHistory.read}. */
export interface BackplaneHistoryRead {
  /** The room's latest position; `null` when it has no history (never published to, expired, lost). */
  position: PublicationStamp | null;
  /** What was asked for, oldest first; empty when `complete` is false. */
  entries: StoredMessage[];
  /** Whether everything asked for is there. */
  complete: boolean;
}

/**
 * Room history for a whole cluster: it numbers each room's publications, keeps the newest,
 * and delivers every publication to every node in its room's offset order.
 */
export interface BackplaneHistory {
  /**
   * Appends `message` as the next publication of `room` (the history keeps `size` of them
   * and lives `ttl` ms after the last), then publishes it to every node, this one included,
   * with its {@link PublicationStamp}: a node's listener gets it in offset order with the
   * room's other publications. Rejects when it could not (the link is down).
   */
  append(room: string, size: number, ttl: number, message: string): Promise<void>;
  /** Reads `room`'s publications after `since` (in its epoch), or the latest `last`. */
  read(room: string, query: { since: PublicationStamp } | { last: number }): Promise<BackplaneHistoryRead>;
}

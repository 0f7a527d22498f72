// Which message of another node the frames being delivered now come from: what a session handed between nodes is checked against.
import type { NodeId } from './envelope.js';

/** The numbered streams of a node's messages that put frames before clients: its casts, and its membership changes. */
export type OriginStream = 0 | 1;
export const CAST_STREAM: OriginStream = 0;
export const CHANGE_STREAM: OriginStream = 1;

/** Where a node stands in each node's streams: per node, the last cast and the last change applied. */
export type StreamPositions = Record<NodeId, [cast: number, change: number]>;

/** The message being applied now, when it is another node's numbered cast or change. */
interface FrameOrigin {
  node: NodeId | null;
  stream: OriginStream;
  seq: number;
}

/**
 * The origin of the frames delivered right now. Only one message is applied at a time
 * (delivery is synchronous), so one shared record is enough, and costs nothing per frame.
 */
export const currentOrigin: FrameOrigin = { node: null, stream: CAST_STREAM, seq: 0 };

/** Runs `apply` with the frames it delivers marked as coming from message `seq` of `node`'s `stream`. */
export function fromOrigin(node: NodeId, stream: OriginStream, seq: number, apply: () => void): void {
  // What was current before, kept in locals: this runs for every cast from another node.
  const { node: outerNode, stream: outerStream, seq: outerSeq } = currentOrigin;
  currentOrigin.node = node;
  currentOrigin.stream = stream;
  currentOrigin.seq = seq;
  try {
    apply();
  } finally {
    currentOrigin.node = outerNode;
    currentOrigin.stream = outerStream;
    currentOrigin.seq = outerSeq;
  }
}

/** Whether the message `seq` of `node`'s `stream` is at or before `positions`. */
export function isCoveredBy(positions: StreamPositions, node: NodeId, stream: OriginStream, seq: number): boolean {
  const position = positions[node];
  return position !== undefined && seq <= position[stream];
}

// Answering a `Recover` frame: per room, the publications after the client's position, then one ack.
import type { Client } from '../client.js';
import { encodeRecoveryAck } from '../codec.js';
import { OutgoingFrame } from '../conn.js';
import type { Hub } from '../hub.js';
import type { ThrottledLog } from '../throttled-log.js';
import type { RecoverRequest } from './recover-request.js';
import type { RecoveryHolds } from './recovery-holds.js';
import type { RoomHistory } from './room-history.js';
import type { HistoryPosition } from './room-log.js';

/** What answering a recovery needs of the node. */
export interface RecoveryContext {
  hub: Hub;
  history: RoomHistory | null;
  holds: RecoveryHolds;
  warnings: ThrottledLog;
}

/**
 * Answers `request` from `client`: for each room it asked for that it is a member of and
 * that has history, the stored publications it asked for, in offset order, exactly as cast
 * (or none, and `Recovered: false`, when they are not all there); then the ack with every
 * room's outcome and position. Live publications of those rooms that arrive meanwhile are
 * held, and sent after the ack where they come after the position answered.
 */
export async function answerRecovery({ hub, history, holds, warnings }: RecoveryContext, client: Client, request: RecoverRequest): Promise<void> {
  const served = [...request.rooms.keys()].filter((room) => hub.rooms.membersOf(room)?.has(client) === true);
  const recovered: Record<string, boolean> = Object.create(null);
  const positions: Record<string, { Offset: number; Epoch: string }> = Object.create(null);
  const answered = new Map<string, HistoryPosition>();
  holds.start(client, history === null ? [] : served);
  try {
    for (const [room, query] of request.rooms) {
      let complete = false;
      if (history !== null && served.includes(room)) {
        const read = await history.read(room, query).catch((error: unknown) => {
          warnings.warn('history-read', `room history: reading "${room}" for client ${client.id} failed: ${String(error)}`, { clientId: client.id, room });
          return null;
        });
        if (!hub.has(client)) return;
        if (read !== null) {
          complete = read.complete;
          positions[room] = { Offset: read.position.offset, Epoch: read.position.epoch };
          answered.set(room, read.position);
          // A frame the slow-client policy dropped makes the room not recovered: never a gap called complete.
          for (const publication of read.publications) complete = hub.send(client, publication.frame) && complete;
        }
      }
      recovered[room] = complete;
    }
    for (const room of served) if (holds.overflowedFor(client, room)) recovered[room] = false;
    for (const room of request.rooms.keys()) {
      if (recovered[room]) history!.recovered += 1;
      else if (history !== null) history.notRecovered += 1;
    }
    hub.send(client, new OutgoingFrame(encodeRecoveryAck(client.id, request.requestId, recovered, positions)));
  } finally {
    for (const [room, held] of holds.finish(client)) {
      const position = answered.get(room);
      for (const { frame, stamp } of held.publications) {
        // What the answer held already is not sent twice.
        const answeredAlready = position !== undefined && stamp.epoch === position.epoch && stamp.offset <= position.offset;
        if (!answeredAlready && hub.has(client)) hub.send(client, frame);
      }
    }
  }
}

// Answering a `Recover` frame: per room, the publications after the client's position, then one ack.
import type { Client } from '../client.js';
import { encodeRecoveryAck } from '../codec.js';
import { OutgoingFrame } from '../conn.js';
import type { Hub } from '../hub.js';
import type { RecoverRequest } from './recover-request.js';
import type { RoomHistory } from './room-history.js';

/**
 * Answers `request` from `client`: for each room it asked for that it is a member of and
 * that has history, the stored publications it asked for, in offset order, exactly as cast
 * (or none, and `Recovered: false`, when they are not all there); then the ack with every
 * room's outcome and position. History is read here, in one go, so no live publication can
 * fall between what is read and what is sent.
 */
export function answerRecovery(hub: Hub, history: RoomHistory | null, client: Client, request: RecoverRequest): void {
  const recovered: Record<string, boolean> = Object.create(null);
  const positions: Record<string, { Offset: number; Epoch: string }> = Object.create(null);
  for (const [room, query] of request.rooms) {
    const member = hub.rooms.membersOf(room)?.has(client) === true;
    const read = member && history !== null ? history.read(room, query) : null;
    let complete = read?.complete === true;
    if (read !== null) {
      positions[room] = { Offset: read.position.offset, Epoch: read.position.epoch };
      // A frame the slow-client policy dropped makes the room not recovered: never a gap called complete.
      for (const publication of read.publications) complete = hub.send(client, publication.frame) && complete;
    }
    recovered[room] = complete;
    if (history === null) continue;
    if (complete) history.recovered += 1;
    else history.notRecovered += 1;
  }
  hub.send(client, new OutgoingFrame(encodeRecoveryAck(client.id, request.requestId, recovered, positions)));
}

// How a client's context joins and leaves rooms: names checked, and a join past the room limit refused.
import type { Client, RoomMembership } from './client.js';
import { BroadcasterException } from './errors.js';
import { assertRoomName, type MembershipOp } from './rooms.js';

/**
 * The room operations a client's context uses: `change` makes the change (false for a
 * join refused at `maxRoomsPerClient`), and a refused join throws, so the handler that
 * asked ends with a message that says why.
 */
export function roomMembershipOf(change: (op: MembershipOp, client: Client, room: string) => boolean, maxRoomsPerClient: number): RoomMembership {
  return {
    join: (client, room) => {
      assertRoomName(room);
      if (!change('join', client, room)) {
        throw new BroadcasterException(`cannot join room ${JSON.stringify(room)}: already in ${maxRoomsPerClient} rooms, the most allowed`);
      }
    },
    leave: (client, room) => {
      assertRoomName(room);
      change('leave', client, room);
    },
  };
}

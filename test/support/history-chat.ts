// The handlers the room history tests talk to: join a room, and cast to one or two rooms.
import { Injectable } from '@nestjs/common';
import { MessageHandler, Room, RoomOthers, newResponseMessage, type HandlerContext, type RequestMessage } from '../../src/index.js';

export const JOIN = 1;
export const SAY = 2;
export const SAY_OTHERS = 3;
export const SAY_TWO_ROOMS = 4;

/** Bodies are `room` (JOIN) or `room|text` (the casts). */
@Injectable()
export class RoomChat {
  @MessageHandler(JOIN)
  join(msg: RequestMessage, ctx: HandlerContext): void {
    ctx.join(msg.body.toString());
  }

  @MessageHandler(SAY)
  say(msg: RequestMessage) {
    const [room, text] = msg.body.toString().split('|');
    return newResponseMessage(Room, text, room);
  }

  @MessageHandler(SAY_OTHERS)
  sayToOthers(msg: RequestMessage) {
    const [room, text] = msg.body.toString().split('|');
    return newResponseMessage(RoomOthers, text, room);
  }

  @MessageHandler(SAY_TWO_ROOMS)
  sayTwice(msg: RequestMessage) {
    const [first, second, text] = msg.body.toString().split('|');
    return newResponseMessage(Room, text, first, second);
  }
}

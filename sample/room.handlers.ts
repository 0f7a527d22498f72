import { Injectable } from '@nestjs/common';
import { MessageBody, ConnectedSocket } from '@nestjs/websockets';
import {
  Broadcaster,
  BroadcasterException,
  ErrorCode,
  isRoomName,
  MessageHandler,
  OnEvent,
  OnJoinRoom,
  OnLeaveRoom,
  Room,
  RoomOthers,
  Self,
  newResponseMessage,
  type EventMessage,
  type HandlerContext,
  type ResponseMessage,
} from 'nestjs-message-broadcaster';

/** HandlerIDs of the sample's rooms and per-user messages. */
export const JOIN_ROOM = 5;
export const LEAVE_ROOM = 6;
export const SAY = 7;
export const MEMBERS = 8;
export const NOTIFY_USER = 9;

/** Where the rooms of users live: clients may not name a room there. */
const USER_ROOMS = 'user:';

/** The room of every connection of one user, when the client connects with `?user=name`. */
export const userRoomOf = (user: string) => `${USER_ROOMS}${user}`;

/** Whether a room is the room of a user (see {@link userRoomOf}). */
export const isUserRoom = (room: string) => room.startsWith(USER_ROOMS);

/** Bodies and answers, for the contract document. */
const ROOM_BODY = { type: 'object', required: ['room'], properties: { room: { type: 'string', minLength: 1, maxLength: 200 } } } as const;
const MEMBERS_REPLY = { type: 'object', properties: { room: { type: 'string' }, members: { type: 'array', items: { type: 'string' } } } } as const;
const MESSAGE = { type: 'object', properties: { from: { type: 'string' }, text: { type: 'string' } } } as const;

/** Rooms: join, leave, talk in one, list who is there, and write to every tab of a user. */
@Injectable()
export class RoomHandlers {
  constructor(private readonly broadcaster: Broadcaster) {}

  /** The body is the room's name. The reply lists its members; the room hears of the newcomer. */
  @MessageHandler(JOIN_ROOM, { body: 'json', summary: 'Joins a room; answers with its members.', schema: ROOM_BODY, responds: [{ castType: Self, schema: MEMBERS_REPLY }] })
  join(@MessageBody('room') room: unknown, @ConnectedSocket() client: HandlerContext): ResponseMessage {
    client.join(roomName(room));
    return this.members(room);
  }

  @MessageHandler(LEAVE_ROOM, { body: 'json', summary: 'Leaves a room.', schema: ROOM_BODY })
  leave(@MessageBody('room') room: unknown, @ConnectedSocket() client: HandlerContext): void {
    client.leave(roomName(room));
  }

  /** `{"room": "…", "text": "…"}`: cast to every member of the room, the sender included. */
  @MessageHandler(SAY, {
    body: 'json',
    summary: 'Says something in a room the sender is in; the room keeps its last 100 messages.',
    schema: { type: 'object', required: ['room', 'text'], properties: { room: { type: 'string' }, text: { type: 'string' } } },
    responds: [{ castType: Room, summary: 'To every member, the sender included.', schema: MESSAGE }],
  })
  say(@MessageBody() body: { room?: unknown; text?: unknown }, @ConnectedSocket() client: HandlerContext): ResponseMessage {
    const room = roomName(body.room);
    if (!client.rooms.includes(room)) throw new BroadcasterException(`join ${room} before talking in it`, ErrorCode.Forbidden);
    return newResponseMessage(Room, JSON.stringify({ from: client.clientId, text: String(body.text ?? '') }), room);
  }

  /** The members of a room, on every instance, to the sender alone. */
  @MessageHandler(MEMBERS, { body: 'json', summary: 'Tells the sender who is in a room, on every instance.', schema: ROOM_BODY, responds: [{ castType: Self, schema: MEMBERS_REPLY }] })
  members(@MessageBody('room') room: unknown): ResponseMessage {
    const name = roomName(room);
    return newResponseMessage(Self, JSON.stringify({ room: name, members: this.broadcaster.clientIds(name) }));
  }

  /** `{"user": "…", "text": "…"}`: cast to every connection of that user, on every instance. */
  @MessageHandler(NOTIFY_USER, {
    body: 'json',
    summary: 'Writes to every connection of a user, on every instance.',
    schema: { type: 'object', required: ['user', 'text'], properties: { user: { type: 'string' }, text: { type: 'string' } } },
    responds: [{ castType: Room, summary: "To the user's own room.", schema: MESSAGE }],
  })
  notify(@MessageBody() body: { user?: unknown; text?: unknown }, @ConnectedSocket() client: HandlerContext): ResponseMessage {
    if (typeof body.user !== 'string' || body.user === '') throw new BroadcasterException('name a "user"', ErrorCode.BadRequest);
    return newResponseMessage(Room, JSON.stringify({ from: client.clientId, text: String(body.text ?? '') }), userRoomOf(body.user));
  }

  @OnEvent(OnJoinRoom)
  joined(ev: EventMessage): ResponseMessage {
    return notice('joined', ev);
  }

  @OnEvent(OnLeaveRoom)
  left(ev: EventMessage): ResponseMessage {
    return notice('left', ev);
  }
}

/** "X joined #room", to the room's other members (as every event handler's, with HandlerID 0). */
function notice(what: 'joined' | 'left', { clientId, room }: EventMessage): ResponseMessage {
  return newResponseMessage(RoomOthers, JSON.stringify({ event: what, clientId, room }), room as string);
}

/**
 * A room named by a client. The rooms of users share the room namespace, so a client
 * that could name one would read that user's private messages and write into their
 * tabs: those names are refused here, and only the server puts clients in them.
 */
function roomName(room: unknown): string {
  if (!isRoomName(room)) {
    throw new BroadcasterException('name a "room" of 1 to 200 characters', ErrorCode.BadRequest);
  }
  if (room.startsWith(USER_ROOMS)) {
    throw new BroadcasterException(`rooms named ${USER_ROOMS}… belong to their user`, ErrorCode.Forbidden);
  }
  return room;
}

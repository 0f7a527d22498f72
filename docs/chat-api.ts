// The contract of nestjs-message-broadcaster sample chat as the client SDK's Api type: connect<ChatApi>(url).
// Written by nestjs-message-broadcaster from the server’s handlers: do not edit, generate it again.

export interface ChatApi {
  /** Echoes the body to every client. */
  1: { request: string; response: unknown };
  /** Tells the sender who is connected. */
  2: { request: string; response: {
    you?: string;
    clients?: Array<string>;
    people?: Array<{
      id?: string;
      name?: string | null;
      away?: boolean;
    }>;
  } };
  /** Passes the body on to everyone but the sender. */
  3: { request: string; response: unknown };
  /** Sends a text to the listed clients only. */
  4: { request: string; response: unknown };
  /** Joins a room; answers with its members. */
  5: { request: {
    room: string;
  }; response: {
    room?: string;
    members?: Array<string>;
  } };
  /** Leaves a room. */
  6: { request: {
    room: string;
  }; response: unknown };
  /** Says something in a room the sender is in; the room keeps its last 100 messages. */
  7: { request: {
    room: string;
    text: string;
  }; response: {
    from?: string;
    text?: string;
  } };
  /** Tells the sender who is in a room, on every instance. */
  8: { request: {
    room: string;
  }; response: {
    room?: string;
    members?: Array<string>;
  } };
  /** Writes to every connection of a user, on every instance. */
  9: { request: {
    user: string;
    text: string;
  }; response: {
    from?: string;
    text?: string;
  } };
}

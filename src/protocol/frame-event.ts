// What a server frame that is not a response is: the protocol's EventType values.

/**
 * The `EventType` of a server frame that is not a response: a client joined or left (v1),
 * an error (v1), the ack of a request that carried a `RequestID` (1.1).
 */
export const FRAME_EVENT = { Join: 1, Leave: 2, Error: 3, Ack: 4 } as const;

/** The server's own events of a client joining or leaving a room; never on the wire. */
export const ROOM_EVENT = { Join: 101, Leave: 102 } as const;

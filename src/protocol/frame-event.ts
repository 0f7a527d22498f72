// What a server frame that is not a response is: the protocol's EventType values.

/**
 * The `EventType` of a server frame that is not a response: a client joined or left (v1),
 * an error (v1), the ack of a request that carried a `RequestID` (1.1), a session's token (1.2).
 */
export const FRAME_EVENT = { Join: 1, Leave: 2, Error: 3, Ack: 4, Session: 5 } as const;

/** The server's own events of a client joining or leaving a room; never on the wire. */
export const ROOM_EVENT = { Join: 101, Leave: 102 } as const;

/** The server's own events of a session client going away and coming back; never on the wire. */
export const SESSION_EVENT = { Away: 103, Resume: 104 } as const;

/** The query parameter and value by which a client asks for a session (protocol 1.2). */
export const SESSION_QUERY = { version: 'mb', versionValue: '1.2', resume: 'resume', received: 'received' } as const;

// What a connecting client asks of sessions: one of its own, and perhaps an earlier one back.

/**
 * A connect request's session part (protocol 1.2): present when the client asked for a
 * session (`?mb=1.2`); `resume` when it asked to take an earlier one back.
 */
export interface SessionRequest {
  resume?: {
    /** The token of the session's last session frame. */
    token: string;
    /** The frames of that session the client received. */
    received: number;
  };
}

/** Handler IDs of the benchmark app: each echoes the body to a different audience. */
export const ECHO_ALL = 1;
export const ECHO_SELF = 2;
export const ECHO_EXCLUSIVE = 3;
/** Echoes to the sender, through one guard, one pipe and one interceptor. */
export const ECHO_SELF_ENHANCED = 4;
/** Casts to a room: the body is `<5 or 6>|<room>|<payload>` (Room or RoomOthers). */
export const ECHO_ROOM = 5;
/** Joins the room named by the body. */
export const JOIN_ROOM = 6;

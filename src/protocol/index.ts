// The wire protocol's vocabulary, shared by the server, the client SDK and the tools: no dependencies.
export { isStrictBase64, readCanonicalRequest, type CanonicalRequest } from './canonical-request.js';
export { CAST_TYPE, type CastTypeValue } from './cast-type.js';
export { ABNORMAL_CLOSURE, CloseCode, FIRST_FINAL_APP_CODE, isFinalClose, NORMAL_CLOSURE } from './close-code.js';
export { ErrorCode, REFUSED_UNREAD } from './error-code.js';
export { FRAME_EVENT, ROOM_EVENT } from './frame-event.js';

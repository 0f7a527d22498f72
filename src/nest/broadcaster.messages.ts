// The Nest layer's log and error texts.
export const DUPLICATE_MESSAGE_HANDLER = (handlerId: number, first: string, second: string) =>
  `HandlerID ${handlerId} has two handlers: ${first} and ${second}. Each HandlerID needs exactly one.`;

export const DUPLICATE_EVENT_HANDLER = (eventName: string, first: string, second: string) =>
  `${eventName} has two handlers: ${first} and ${second}. Each event type needs exactly one.`;

export const INVALID_HANDLER_ID = (value: unknown) =>
  `@MessageHandler() needs an integer HandlerID, got ${String(value)}.`;

export const INVALID_EVENT_TYPE = (value: unknown) =>
  `@OnEvent() needs OnAddClient (1), OnDelClient (2), OnJoinRoom (101), OnLeaveRoom (102), OnAway (103) or OnResume (104), got ${String(value)}.`;


export const UNKNOWN_OPTION = (name: string) =>
  `BroadcasterModule has no option "${name}": check its spelling against BroadcasterModuleOptions.`;

export const DUPLICATE_MODULE = (count: number) =>
  `BroadcasterModule is registered ${count} times in this application. Import it once, in the root module ` +
  '(it is global: every module can inject Broadcaster); one registration serves one endpoint.';

export const UNSUPPORTED_NEST_CORE = (part: string) =>
  `This version of @nestjs/core is not supported: its ${part} is not shaped as in Nest 11 or 12, ` +
  'so guards, pipes, interceptors and filters could not be applied to broadcaster handlers.';

export const INVALID_BODY_MODE = (value: unknown) =>
  `@MessageHandler() option "body" must be 'bytes' or 'json', got ${String(value)}.`;

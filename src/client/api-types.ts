// Compile-time types of an app's handlers for the client SDK's connect<Api>().
import type { OutgoingBody } from './messages.js';

/**
 * An application's handlers, for `connect<Api>()`: each HandlerID mapped to the body it
 * takes (`request`) and the body of the responses it casts (`response`). A `string` or
 * `Uint8Array` body is sent as is; any other type is sent as `{ json: value }`.
 *
 * ```ts
 * interface ChatApi {
 *   1: { request: string; response: string };
 *   7: { request: { room: string; text: string }; response: { from: string; text: string } };
 * }
 * const client = connect<ChatApi>(url);
 * client.send(7, { json: { room: 'lobby', text: 'hi' } }); // checked at compile time
 * ```
 */
export type ApiShape = { [handlerId: number]: { request?: unknown; response?: unknown } };

/** The API of a client connected without a type: any HandlerID, any body. */
export interface UntypedApi {
  [handlerId: number]: { request: OutgoingBody; response: unknown };
  /** Tells an untyped client from a typed one; never set. */
  readonly __untyped?: true;
}

/** The HandlerIDs an API has. */
export type HandlerIdOf<Api> = keyof Api & number;

type Wire<T> = [T] extends [string]
  ? string
  : [T] extends [Uint8Array]
    ? Uint8Array
    : [T] extends [null | undefined | void]
      ? null | undefined
      : { json: T };

/** What `send` and `request` take for a HandlerID. */
export type RequestBodyOf<Api, K> = '__untyped' extends keyof Api
  ? OutgoingBody
  : K extends keyof Api
    ? Api[K] extends { request?: infer T }
      ? Wire<T>
      : never
    : never;

/** The type `response.json()` gives for a HandlerID. */
export type ResponseBodyOf<Api, K> = K extends keyof Api ? (Api[K] extends { response?: infer T } ? T : unknown) : unknown;

// What a client SDK user listens to: state changes, responses by HandlerID, joins, leaves, errors.
import type { HandlerIdOf, ResponseBodyOf, UntypedApi } from './api-types.js';
import type { BroadcastError } from './broadcast-error.js';
import type { ClientState } from './client-options.js';
import { subscribe, type Listener } from './listeners.js';
import type { Response } from './messages.js';

/**
 * The listeners of a {@link BroadcastClient}: each `on…` adds one and returns the function
 * that removes it. The connection itself is the subclass's.
 */
export class ClientEvents<Api = UntypedApi> {
  protected readonly handlers = new Map<number, Set<Listener<Response>>>();
  protected readonly stateListeners = new Set<Listener<ClientState>>();
  protected readonly joinListeners = new Set<Listener<string>>();
  protected readonly leaveListeners = new Set<Listener<string>>();
  protected readonly errorListeners = new Set<Listener<BroadcastError>>();
  protected readonly recoveredListeners = new Set<(room: string, recovered: boolean) => void>();

  /** Listens to state changes; returns the function that stops listening. */
  onState(listener: Listener<ClientState>): () => void {
    return subscribe(this.stateListeners, listener);
  }

  /** Listens to the responses cast to this client with that HandlerID. */
  on<K extends HandlerIdOf<Api>>(handlerId: K, listener: Listener<Response<ResponseBodyOf<Api, K>>>): () => void {
    let listeners = this.handlers.get(handlerId);
    if (listeners === undefined) this.handlers.set(handlerId, (listeners = new Set()));
    return subscribe(listeners, listener as Listener<Response>);
  }

  /** Listens to other clients joining (their IDs). */
  onJoin(listener: Listener<string>): () => void {
    return subscribe(this.joinListeners, listener);
  }

  /** Listens to clients leaving (their IDs). */
  onLeave(listener: Listener<string>): () => void {
    return subscribe(this.leaveListeners, listener);
  }

  /**
   * Listens to the outcome of each room's recovery (protocol 1.2): `recovered` true when
   * every publication missed was delivered (nothing to redo), false when the app must
   * reload the room's state by other means (the history no longer reaches back).
   */
  onRecovered(listener: (room: string, recovered: boolean) => void): () => void {
    this.recoveredListeners.add(listener);
    return () => this.recoveredListeners.delete(listener);
  }

  /** Listens to error frames that answer no `request()` (a `send()` that failed, a rate limit…). */
  onError(listener: Listener<BroadcastError>): () => void {
    return subscribe(this.errorListeners, listener);
  }
}

// The frames a client sent (or will send) that wait for their answer, numbered by RequestID.
import type { BroadcastError } from './broadcast-error.js';
import { encodeBody, type OutgoingBody, type Response } from './messages.js';

/**
 * A frame sent with a `RequestID`, waiting for its answer: a `request()` (with a promise)
 * or a `send()` (`settled` null: its errors go to `onError`). Every frame carries an ID,
 * so that answers without one (rate-limit and shutdown refusals) can be matched by order.
 */
export interface PendingRequest {
  id: number;
  handlerId: number;
  frame: string;
  /** Order of sending; 0 while not sent. */
  sentSeq: number;
  responses: Response[];
  settled: { resolve(responses: Response[]): void; reject(error: BroadcastError): void } | null;
  timer: ReturnType<typeof setTimeout> | undefined;
}

/**
 * Every frame waiting for its answer, by `RequestID`, in the order they were made. An
 * answer takes its frame out; so does a timeout or a lost connection.
 */
export class PendingRequests {
  private readonly byId = new Map<number, PendingRequest>();
  private nextId = 1;
  private sentCount = 0;
  /** Whether the server ever answered a frame by its `RequestID` (it speaks protocol 1.1). */
  answeredAny = false;

  /** Numbers and frames a request, and keeps it until it is answered. */
  add(handlerId: number, body: OutgoingBody, settled: PendingRequest['settled']): PendingRequest {
    const id = this.nextId++;
    // Body before RequestID, no spaces: the form the server reads without JSON.parse.
    const frame = JSON.stringify({ HandlerID: handlerId, Body: encodeBody(body), RequestID: id });
    const request: PendingRequest = { id, handlerId, frame, sentSeq: 0, responses: [], settled, timer: undefined };
    this.byId.set(id, request);
    return request;
  }

  /** Notes that `request` is being sent now, after every frame sent before it. */
  markSent(request: PendingRequest): void {
    request.sentSeq = ++this.sentCount;
  }

  /** The frames not sent yet, oldest first. */
  unsent(): PendingRequest[] {
    return [...this.byId.values()].filter((request) => request.sentSeq === 0);
  }

  /** How many `send()` frames wait to be sent (the offline queue). */
  queuedSends(): number {
    let queued = 0;
    for (const request of this.byId.values()) if (request.settled === null && request.sentSeq === 0) queued += 1;
    return queued;
  }

  /** The frame sent longest ago that is still unanswered. */
  oldestSent(): PendingRequest | undefined {
    let oldest: PendingRequest | undefined;
    for (const request of this.byId.values()) {
      if (request.sentSeq > 0 && (oldest === undefined || request.sentSeq < oldest.sentSeq)) oldest = request;
    }
    return oldest;
  }

  /**
   * Keeps a reply to this client for the `request()` it answers. Replies come in request
   * order: a reply with some HandlerID belongs to the oldest sent frame of that HandlerID
   * still waiting for its ack.
   */
  collect(response: Response): void {
    for (const request of this.byId.values()) {
      if (request.sentSeq > 0 && request.handlerId === response.handlerId) {
        // A send()'s replies are nobody's to collect: they only go to on() listeners.
        if (request.settled !== null) request.responses.push(response);
        return;
      }
    }
  }

  /** Takes out the frame the server answered by `requestId`, if it is one of ours. */
  answered(requestId: unknown): PendingRequest | undefined {
    const request = typeof requestId === 'number' ? this.byId.get(requestId) : undefined;
    if (request === undefined) return undefined;
    this.answeredAny = true;
    this.forget(request);
    return request;
  }

  /** Takes out `request` without an answer (its time ran out). */
  forget(request: PendingRequest): void {
    clearTimeout(request.timer);
    this.byId.delete(request.id);
  }

  /** Takes out every frame that `which` picks, and rejects the `request()`s among them. */
  fail(which: (request: PendingRequest) => boolean, error: (request: PendingRequest) => BroadcastError): void {
    for (const request of [...this.byId.values()]) {
      if (!which(request)) continue;
      this.forget(request);
      request.settled?.reject(error(request));
    }
  }
}

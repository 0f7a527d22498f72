// The acks a client is owed for requests whose publications are on their way round the cluster's history.
import type { EchoListener } from '../cluster/pending-echoes.js';
import type { Appending } from './appending.js';

interface Owed {
  readonly answer: EchoListener;
  back: boolean;
  failure: unknown;
}

/**
 * The answers (ack, or error) one client is owed for requests whose publications went
 * round the cluster's history, in the order the requests were settled. Each is sent as
 * soon as its publications and every earlier request's are back, in the same turn as
 * the last of them was delivered, so that it follows that copy and comes before the
 * next request's publications. Bounded by the client's `maxRequestsInFlight` (these
 * count as in flight).
 */
export class OwedAnswers {
  private readonly owed: Owed[] = [];
  private waiters: (() => void)[] | null = null;

  get size(): number {
    return this.owed.length;
  }

  /** Owes `answer` once `appending` is settled, after every answer owed before it. */
  add(appending: Appending, answer: EchoListener): void {
    const owed: Owed = { answer, back: false, failure: undefined };
    this.owed.push(owed);
    appending.whenSettled((failure) => {
      owed.back = true;
      owed.failure = failure;
      this.sendReady();
    });
  }

  /** Resolves once nothing is owed. */
  drained(): Promise<void> {
    if (this.owed.length === 0) return Promise.resolve();
    return new Promise((resolve) => (this.waiters ??= []).push(resolve));
  }

  private sendReady(): void {
    let ready = 0;
    while (ready < this.owed.length && this.owed[ready].back) ready += 1;
    if (ready === 0) return;
    const sending = this.owed.splice(0, ready);
    for (const { answer, failure } of sending) {
      if (failure === undefined) answer();
      else answer(failure);
    }
    if (this.owed.length > 0 || this.waiters === null) return;
    const waiters = this.waiters;
    this.waiters = null;
    for (const resolve of waiters) resolve();
  }
}

// The publications of one cast on their way round the cluster's room history.
import type { EchoListener } from '../cluster/pending-echoes.js';

/**
 * The publications of one cast (one outcome's responses, or one server cast) appended to
 * the cluster's room history and not all back yet. It is settled, synchronously, when
 * the last of them came back to this node — or failed, with the first failure.
 */
export class Appending {
  private waiting = 0;
  private failure: unknown = undefined;
  private listener: EchoListener | null = null;
  private settled = false;

  /** A listener for one more publication of this cast (see `Cluster.publishPublication`). */
  track(): EchoListener {
    this.waiting += 1;
    let told = false;
    return (failure?: unknown) => {
      if (told) return;
      told = true;
      this.waiting -= 1;
      if (failure !== undefined && this.failure === undefined) this.failure = failure;
      this.settleIfDone();
    };
  }

  /** Tells `listener` when every publication came back (no argument) or one failed; once. */
  whenSettled(listener: EchoListener): void {
    this.listener = listener;
    this.settleIfDone();
  }

  /** The same, as a promise (rejected with the failure). */
  promise(): Promise<void> {
    return new Promise((resolve, reject) => this.whenSettled((failure) => (failure === undefined ? resolve() : reject(failure))));
  }

  private settleIfDone(): void {
    if (this.settled || this.waiting > 0 || this.listener === null) return;
    this.settled = true;
    if (this.failure === undefined) this.listener();
    else this.listener(this.failure);
  }
}

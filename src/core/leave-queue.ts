// Leaves handled one after another, never one inside another.
import { withFacts } from './log-facts.js';
import type { Client } from './client.js';
import type { BroadcasterLogger } from './handlers.js';
import { stackOf } from './thrown-text.js';

/**
 * Runs a leave for each client pushed, in order. Announcing a leave can evict other
 * clients that are too far behind, whose leaves come in turn: they are queued and run
 * one after another here, never from inside the delivery that caused them, so that a
 * burst of thousands of slow clients cannot nest calls as deep as it is long.
 */
export class LeaveQueue {
  private readonly leaving: Client[] = [];
  private running = false;

  constructor(
    private readonly leave: (client: Client) => void,
    private readonly logger: BroadcasterLogger,
  ) {}

  push(client: Client): void {
    this.leaving.push(client);
    if (this.running) return;
    this.running = true;
    try {
      for (let next = 0; next < this.leaving.length; next++) {
        const leaver = this.leaving[next];
        try {
          this.leave(leaver);
        } catch (error) {
          this.logger.error(withFacts(`announcing that client ${leaver.id} left failed`, { event: 'leave_failed', clientId: leaver.id }), stackOf(error));
        }
      }
    } finally {
      this.leaving.length = 0;
      this.running = false;
    }
  }
}

// One contract for every backplane: the same tests, run against each of them.
import { until } from './until.js';

/** One node's end of a backplane under test, as the contract drives it. */
export interface ContractMember {
  publish(message: string): boolean;
  /** Every message this member was handed, in order. */
  readonly received: string[];
  /** How often the member was told the link is up, and down. */
  readonly links: { ups: number; downs: number };
  close(): Promise<void>;
}

/** How to make the members of one kind of backplane, and what that kind can be put through. */
export interface BackplaneFixture {
  /** `count` members, connected and linked to each other. */
  members(count: number): Promise<ContractMember[]>;
  /** Takes the link of every member down, then back up, as an outage of the broker would. */
  outage?: { down(): Promise<void>; up(): Promise<void> };
  /** Stops whatever the fixture started. */
  stop(): Promise<void>;
}

/**
 * The backplane contract: every message published reaches every member, the publisher
 * included, each publisher's in the order it published them; a link that goes down says
 * so, refuses to publish, and says when it is up again; a member that closed hears
 * nothing more, and the others go on.
 */
export function backplaneContract(name: string, makeFixture: () => Promise<BackplaneFixture>, { outages = true } = {}): void {
  describe(`${name}: the backplane contract`, () => {
    let fixture: BackplaneFixture;
    beforeEach(async () => {
      fixture = await makeFixture();
    });
    afterEach(async () => {
      await fixture.stop();
    });

    it('hands every message to every member, the publisher included, each publisher’s in its order', async () => {
      const members = await fixture.members(3);
      const sent = members.map((_, m) => Array.from({ length: 200 }, (__, i) => `${m}:${i}`));
      // Interleaved, as nodes publish at once.
      for (let i = 0; i < 200; i++) for (const [m, member] of members.entries()) expect(member.publish(sent[m][i])).toBe(true);
      await until(() => members.every((member) => member.received.length >= 600), 'every member to get all 600 messages', 20_000);
      for (const member of members) {
        expect(member.received).toHaveLength(600);
        for (const [m, messages] of sent.entries()) expect(member.received.filter((text) => text.startsWith(`${m}:`))).toEqual(messages);
      }
    });

    // A backplane with no broker to lose (the worker backplane's link is its IPC channel)
    // has no outage to recover from.
    (outages ? it : it.skip)('says when the link goes down and comes back, refuses to publish meanwhile, and carries messages again after', async () => {
      const outage = fixture.outage!;
      const [a, b] = await fixture.members(2);
      await outage.down();
      await until(() => a.links.downs >= 1 && b.links.downs >= 1, 'both members to hear the link went down');
      expect(a.publish('while down')).toBe(false);
      await outage.up();
      await until(() => a.links.ups >= 2 && b.links.ups >= 2, 'both members to hear the link is back', 20_000);
      expect(b.received).not.toContain('while down');
      await until(() => a.publish('after') && b.received.includes('after'), 'a message across the restored link', 20_000);
    });

    it('hands a member nothing once it closed, and the others go on', async () => {
      const [a, b, c] = await fixture.members(3);
      await c.close();
      const before = c.received.length;
      expect(a.publish('after close')).toBe(true);
      await until(() => b.received.includes('after close'), 'the open member to get the message');
      expect(c.received).toHaveLength(before);
    });
  });
}

import type { Cluster } from '../cluster/cluster';
import { OutgoingFrame } from '../conn';
import type { Hub } from '../hub';
import { CastType } from '../message';
import { emptyStats } from '../stats';
import { SessionHandover, type HandoverNode } from './session-handover';
import { Shadows } from './shadows';

/** A handover whose cluster records what it publishes and rejects, on a hub with no clients. */
function handoverAlone() {
  const published: Array<{ kind: string; link: string }> = [];
  const rejected: string[] = [];
  const cluster = {
    signs: true,
    publishRelay: (envelope: { kind: string; link: string }) => published.push(envelope),
    reject: (what: string) => rejected.push(what),
    remote: { remoteRoomsOf: () => [] },
  } as unknown as Cluster;
  const shadows = new Shadows({ maxBufferedBytes: 1024 * 1024, maxBufferedMessages: 1000 });
  const hub = { clients: new Map(), shadows } as unknown as Hub;
  const node = { closing: false } as unknown as HandoverNode;
  const warnings: string[] = [];
  const logger = { log: () => undefined, warn: (line: string) => warnings.push(line), error: () => undefined };
  return { handover: new SessionHandover(cluster, hub, node, emptyStats(), logger), published, rejected, shadows };
}

describe('what another node can make a node keep while it hands sessions over', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('agrees to take at most 10,000 clients at once; past that it refuses, counted in rejected', () => {
    const { handover, published, rejected, shadows } = handoverAlone();
    for (let i = 0; i <= 10_000; i++) handover.receive({ kind: 'session-shadow', node: 'peer', to: 'me', link: `link-${i}`, clientId: `client-${i}` });
    expect(published.filter((envelope) => envelope.kind === 'session-shadowing')).toHaveLength(10_000);
    expect(published.at(-1)).toMatchObject({ kind: 'session-refused', link: 'link-10000' });
    expect(rejected).toEqual([expect.stringContaining('10000')]);
    expect(shadows.size).toBe(10_000);
    // What it agreed to take and never got is given up after 10 s.
    jest.advanceTimersByTime(10_000);
    expect(shadows.size).toBe(0);
  });
});

describe('Shadows (what reaches a client being handed over)', () => {
  it('keeps within the backlog limits; past them it keeps nothing, and says so when the session arrives', () => {
    const shadows = new Shadows({ maxBufferedBytes: 1024 * 1024, maxBufferedMessages: 3 });
    shadows.start('ana', () => false);
    const all = { castType: CastType.All, senderId: '', targets: null };
    for (let i = 0; i < 3; i++) shadows.offer(all, new OutgoingFrame(`{"n":${i}}`));
    expect(shadows.take('ana', {})?.map((frame) => frame.text)).toEqual(['{"n":0}', '{"n":1}', '{"n":2}']);
    shadows.start('ana', () => false);
    for (let i = 0; i < 4; i++) shadows.offer(all, new OutgoingFrame(`{"n":${i}}`));
    expect(shadows.take('ana', {})).toBeNull();
  });
});

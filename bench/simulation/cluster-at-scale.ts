import { performance } from 'node:perf_hooks';
import { BroadcasterCore, InMemoryBackplane, InMemoryHub, newResponseMessage, All, type Backplane, type BackplaneListener } from 'nestjs-message-broadcaster/core';

// A cluster of many instances in one process over the in-memory backplane: what remote
// membership costs each instance, what one instance's link blip ships to the others, how
// long until every instance agrees again, and what one cast publishes.
// Usage: node dist-bench/bench/simulation/cluster-at-scale.js [instances=20] [clientsEach=5000]

const instances = Number(process.argv[2] ?? 20);
const clientsEach = Number(process.argv[3] ?? 5000);
const HEARTBEAT = 200;

/** Counts what one instance publishes and what reaches it, in messages and bytes. */
class CountingBackplane implements Backplane {
  published = { messages: 0, bytes: 0 };
  received = { messages: 0, bytes: 0 };
  casts = { messages: 0, bytes: 0 };
  constructor(readonly inner: InMemoryBackplane) {}
  connect(listener: BackplaneListener): Promise<void> {
    return this.inner.connect({
      ...listener,
      message: (message) => {
        this.received.messages += 1;
        this.received.bytes += Buffer.byteLength(message);
        listener.message(message);
      },
    });
  }
  publish(message: string): boolean {
    this.published.messages += 1;
    this.published.bytes += Buffer.byteLength(message);
    if (message.startsWith('{"kind":"cast"')) {
      this.casts.messages += 1;
      this.casts.bytes += Buffer.byteLength(message);
    }
    return this.inner.publish(message);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

const quiet = { log: () => undefined, warn: () => undefined, error: () => undefined };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const gc = (globalThis as { gc?: () => void }).gc;
const heap = () => {
  gc?.();
  return process.memoryUsage().heapUsed;
};
const nullConn = { send: () => undefined, close: () => undefined };

async function main(): Promise<void> {
  const hub = new InMemoryHub();
  const backplanes = Array.from({ length: instances }, () => new CountingBackplane(new InMemoryBackplane(hub)));
  const cores = backplanes.map(
    (backplane) =>
      new BroadcasterCore({ backplane, announceClients: false, clusterHeartbeatInterval: HEARTBEAT, nodeTimeout: 10 * HEARTBEAT, logger: quiet }),
  );
  await Promise.all(cores.map((core) => core.start()));
  const total = instances * clientsEach;
  const agreed = () => cores.every((core) => core.stats().cluster?.remoteClients === total - core.localClientCount);

  const heapBefore = heap();
  for (const core of cores) for (let i = 0; i < clientsEach; i++) core.attach(nullConn);
  while (!agreed()) await sleep(20);
  const heapAfter = heap();
  // Every instance holds its own clients and the other instances' IDs.
  const perInstance = (heapAfter - heapBefore) / instances;

  const reset = () => {
    for (const backplane of backplanes) {
      backplane.published = { messages: 0, bytes: 0 };
      backplane.received = { messages: 0, bytes: 0 };
      backplane.casts = { messages: 0, bytes: 0 };
    }
  };
  const traffic = () =>
    backplanes.reduce(
      (sum, b) => ({ published: sum.published + b.published.bytes, received: sum.received + b.received.bytes, messages: sum.messages + b.published.messages }),
      { published: 0, received: 0, messages: 0 },
    );

  // A blip: one instance's link goes down for a moment (nothing changes meanwhile) and comes back.
  await sleep(3 * HEARTBEAT);
  reset();
  const blipping = backplanes[instances - 1].inner;
  blipping.setLinked(false);
  await sleep(HEARTBEAT / 2);
  const backAt = performance.now();
  blipping.setLinked(true);
  await sleep(5 * HEARTBEAT);
  const blip = traffic();

  // A blip during which 100 of its clients left and 100 others joined.
  const changedCore = cores[instances - 1];
  const leavers = Array.from({ length: 100 }, () => changedCore.attach(nullConn));
  while (!cores.every((core) => core.stats().cluster?.remoteClients === total + 100 - core.localClientCount)) await sleep(20);
  await sleep(3 * HEARTBEAT);
  reset();
  blipping.setLinked(false);
  for (const leaver of leavers) leaver.detach();
  const joiners = Array.from({ length: 100 }, () => changedCore.attach(nullConn));
  await sleep(HEARTBEAT / 2);
  const changedBackAt = performance.now();
  blipping.setLinked(true);
  const others = cores.slice(0, instances - 1);
  for (;;) {
    const agree = others.every((core) => {
      const ids = new Set(core.clientIds());
      return joiners.every((j) => ids.has(j.id)) && leavers.every((l) => !ids.has(l.id));
    });
    if (agree) break;
    await sleep(20);
  }
  const agreeMs = performance.now() - changedBackAt;
  await sleep(3 * HEARTBEAT);
  const changedBlip = traffic();

  // One All cast from a server.
  await sleep(3 * HEARTBEAT);
  reset();
  cores[0].cast(newResponseMessage(All, 'x'.repeat(40)));
  await sleep(20);
  const cast = backplanes[0].casts;

  const kib = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;
  console.log(
    JSON.stringify(
      {
        instances,
        clientsEach,
        heapPerInstanceForMembership: kib(perInstance),
        idleBlip: { published: kib(blip.published), deliveredToInstances: kib(blip.received), messages: blip.messages, measuredOverMs: Math.round(performance.now() - backAt) },
        blipWith200Changes: { published: kib(changedBlip.published), deliveredToInstances: kib(changedBlip.received), messages: changedBlip.messages, agreedAfterMs: Math.round(agreeMs) },
        oneCast: { messages: cast.messages, bytes: cast.bytes },
      },
      null,
      2,
    ),
  );
  await Promise.all(cores.map((core) => core.shutdown(100)));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

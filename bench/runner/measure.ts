import { performance } from 'node:perf_hooks';
import type { SwarmConn } from '../swarm/swarm-conn.js';

/** What one measured run saw. A run whose counts do not add up is void, with the reason. */
export interface Delivery {
  deliveries: number;
  seconds: number;
  /** Latency samples in milliseconds (a sample of clients, every message). */
  latencies: number[];
  void?: string;
}

/** How the sender paces its requests. */
export type Pace = { window: number } | { rate: number };

export interface CastRun {
  sender: SwarmConn;
  /** Clients that must receive every cast, exactly once each. */
  receivers: SwarmConn[];
  /** Clients that must receive nothing. */
  bystanders?: SwarmConn[];
  request: string;
  casts: number;
  pace: Pace;
}

const STALL_MS = 15_000;
const QUIET_MS = 150;
const LATENCY_SAMPLE_CLIENTS = 200;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * One sender casts `casts` times; each receiver counts its frames. Closed loop keeps
 * `window` casts in flight (a cast is done when every receiver has it); open loop sends
 * at a fixed rate. Latency is the time from sending a request to each receipt.
 */
export async function measureCasts(run: CastRun): Promise<Delivery> {
  const { sender, receivers, casts, request } = run;
  const bystanders = run.bystanders ?? [];
  const sentAt = new Float64Array(casts);
  const receivedBy = new Uint32Array(casts);
  const latencies: number[] = [];
  const sampleStride = Math.max(1, Math.floor(receivers.length / LATENCY_SAMPLE_CLIENTS));
  let sent = 0;
  let done = 0;
  let extra = 0;
  let lastProgress = performance.now();
  let finish: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (finish = resolve));

  const send = () => {
    sentAt[sent] = performance.now();
    sent += 1;
    sender.send(request);
  };

  receivers.forEach((conn, index) => {
    const base = conn.frames;
    const sampled = index % sampleStride === 0;
    conn.onFrames = (_, completed) => {
      const now = performance.now();
      lastProgress = now;
      const end = conn.frames - base;
      for (let k = end - completed; k < end; k++) {
        if (k >= casts) {
          extra += 1;
          continue;
        }
        if (sampled) latencies.push(now - sentAt[k]);
        receivedBy[k] += 1;
        if (receivedBy[k] === receivers.length) {
          done += 1;
          if ('window' in run.pace && sent < casts) send();
          if (done === casts) finish();
        }
      }
    };
  });
  for (const conn of bystanders) conn.onFrames = (_, completed) => (extra += completed);

  const started = performance.now();
  if ('window' in run.pace) {
    for (let i = 0; i < Math.min(run.pace.window, casts); i++) send();
  } else {
    void paceSends(run.pace.rate, casts, started, send);
  }
  const stalled = await Promise.race([finished.then(() => false), watchStall(() => lastProgress, () => done === casts)]);
  const seconds = (performance.now() - started) / 1000;
  await sleep(QUIET_MS);
  for (const conn of [...receivers, ...bystanders]) conn.onFrames = null;

  const deliveries = receivers.length * casts;
  const result: Delivery = { deliveries, seconds, latencies };
  if (stalled) result.void = `stalled: ${done} of ${casts} casts reached everyone`;
  else if (extra > 0) result.void = `${extra} frames more than the ${deliveries} expected`;
  return result;
}

export interface ManySendersRun {
  clients: SwarmConn[];
  request: string;
  /** Requests each client sends. */
  perClient: number;
  /** Requests per second each client sends. */
  rate: number;
}

/** Every client sends at a modest rate and receives everyone's casts. */
export async function measureManySenders(run: ManySendersRun): Promise<Delivery> {
  const { clients, perClient } = run;
  const expected = clients.length * perClient;
  const bases = clients.map((conn) => conn.frames);
  const started = performance.now();
  const pacing = clients.map((conn, index) =>
    // Spread the senders over one interval so they do not all send in the same turn.
    sleep((index / clients.length) * (1000 / run.rate)).then(() =>
      paceSends(run.rate, perClient, performance.now(), () => conn.send(run.request)),
    ),
  );
  const total = () => clients.reduce((sum, conn, i) => sum + conn.frames - bases[i], 0);
  const result = await measureUntil(total, expected * clients.length, started);
  await Promise.all(pacing);
  if (result.void !== undefined) return result;
  const wrong = clients.filter((conn, i) => conn.frames - bases[i] !== expected).length;
  if (wrong > 0) result.void = `${wrong} clients did not receive exactly ${expected} frames`;
  return result;
}

export interface RequestReplyRun {
  clients: SwarmConn[];
  request: string;
  /** Requests each client sends, one at a time. */
  perClient: number;
  /** Frames that answer one request: 2 for an acked request (its reply, then its ack). */
  framesPerReply?: number;
}

/**
 * Every client sends a request, and the next one as soon as its reply arrives, until it
 * has sent `perClient`; the latency is each request's round trip.
 */
export async function measureRequestReply(run: RequestReplyRun): Promise<Delivery> {
  const { clients, request, perClient, framesPerReply = 1 } = run;
  const latencies: number[] = [];
  const sampleStride = Math.max(1, Math.floor(clients.length / LATENCY_SAMPLE_CLIENTS));
  const bases = clients.map((conn) => conn.frames);
  const started = performance.now();
  clients.forEach((conn, index) => {
    let sentAt = performance.now();
    let sent = 1;
    let frames = 0;
    conn.onFrames = (_, completed) => {
      const now = performance.now();
      for (let k = 0; k < completed; k++) {
        // A request is answered by its last frame (an acked request's ack follows its reply).
        if (++frames % framesPerReply !== 0) continue;
        if (index % sampleStride === 0) latencies.push(now - sentAt);
        if (sent < perClient) {
          sent += 1;
          sentAt = now;
          conn.send(request);
        }
      }
    };
    conn.send(request);
  });
  const total = () => clients.reduce((sum, conn, i) => sum + conn.frames - bases[i], 0);
  const expectedFrames = perClient * framesPerReply;
  const result = await measureUntil(total, clients.length * expectedFrames, started);
  for (const conn of clients) conn.onFrames = null;
  result.latencies = latencies;
  result.deliveries = clients.length * perClient;
  if (result.void !== undefined) return result;
  const wrong = clients.filter((conn, i) => conn.frames - bases[i] !== expectedFrames).length;
  if (wrong > 0) result.void = `${wrong} clients did not receive exactly ${perClient} replies (${expectedFrames} frames)`;
  return result;
}

/** Waits until `total()` reaches `expected` frames; returns the seconds it took, or a void reason. */
export async function measureUntil(total: () => number, expected: number, started: number): Promise<Delivery> {
  let last = -1;
  let lastProgress = performance.now();
  for (;;) {
    const now = total();
    if (now >= expected) break;
    if (now !== last) [last, lastProgress] = [now, performance.now()];
    if (performance.now() - lastProgress > STALL_MS) {
      return { deliveries: expected, seconds: 0, latencies: [], void: `stalled at ${now} of ${expected} frames` };
    }
    await sleep(2);
  }
  const seconds = (performance.now() - started) / 1000;
  await sleep(QUIET_MS);
  const result: Delivery = { deliveries: expected, seconds, latencies: [] };
  if (total() !== expected) result.void = `${total()} frames instead of ${expected}`;
  return result;
}

async function paceSends(rate: number, count: number, started: number, send: () => void): Promise<void> {
  const interval = 1000 / rate;
  for (let i = 0; i < count; i++) {
    const due = started + i * interval;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    send();
  }
}

async function watchStall(lastProgress: () => number, isDone: () => boolean): Promise<boolean> {
  while (!isDone()) {
    if (performance.now() - lastProgress() > STALL_MS) return true;
    await sleep(100);
  }
  return false;
}

// Room recovery: how long a client waits for the answer to a `Recover` frame of many publications.
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import type { RecoveryScenario } from '../scenario-types.js';
import { ECHO_ROOM, JOIN_ROOM } from '../servers/handler-ids.js';
import type { Contender } from '../servers/main.js';
import { startFleet } from './fleet.js';
import { record, type RunRecord } from './run-record.js';

const ROOM = 'recovered';
const PUBLISH_BATCH = 100;

/** A raw client counting the publications it is sent, and resolving the wait for each ack. */
class RecoveringClient {
  publications = 0;
  epoch = '';
  private onAck: ((frame: string) => void) | null = null;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data: Buffer) => {
      const text = data.toString('utf8');
      if (text.startsWith('{"EventType":4,')) {
        this.onAck?.(text);
        return;
      }
      const epoch = /"Epoch":"([^"]+)"/.exec(text);
      if (epoch === null) return;
      this.publications += 1;
      this.epoch = epoch[1];
    });
  }

  static open(port: number): Promise<RecoveringClient> {
    const socket = new WebSocket(`ws://127.0.0.1:${port}/`, { perMessageDeflate: false });
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve(new RecoveringClient(socket)));
      socket.once('error', reject);
    });
  }

  /** Sends frames, the last with `RequestID`; resolves with that request's ack. */
  request(frames: string[]): Promise<string> {
    const acked = new Promise<string>((resolve) => (this.onAck = resolve));
    for (const frame of frames) this.socket.send(frame);
    return acked;
  }
}

const request = (handlerId: number, body: string, requestId?: number) =>
  `{"HandlerID":${handlerId},"Body":"${Buffer.from(body).toString('base64')}"${requestId === undefined ? '' : `,"RequestID":${requestId}`}}`;

/**
 * A room is given `publications` publications of `payload` bytes; then a client on the
 * last instance (the other one, over Redis) asks `Recover` from offset 0, `warmup` times
 * unmeasured and `recoveries` times measured: from sending the frame to its ack is one
 * latency, and each publication received is one delivery.
 */
export async function runRecovery(scenario: RecoveryScenario, contender: Contender): Promise<RunRecord> {
  const fleet = await startFleet(contender, { announceClients: false, history: true }, scenario.nodes);
  const clients: RecoveringClient[] = [];
  try {
    const publisher = await RecoveringClient.open(fleet.ports[0]);
    const reader = await RecoveringClient.open(fleet.ports[fleet.ports.length - 1]);
    clients.push(publisher, reader);
    await publisher.request([request(JOIN_ROOM, ROOM, 1)]);
    const payload = 'x'.repeat(scenario.payload);
    // In batches, each acked, within the requests a client may have in flight.
    for (let sent = 0; sent < scenario.publications; sent += PUBLISH_BATCH) {
      const count = Math.min(PUBLISH_BATCH, scenario.publications - sent);
      await publisher.request(Array.from({ length: count }, (_, i) => request(ECHO_ROOM, `5|${ROOM}|${payload}`, i === count - 1 ? 2 : undefined)));
    }
    // Joined once the room is published to, so that it is sent only what it recovers.
    await reader.request([request(JOIN_ROOM, ROOM, 1)]);
    const recover = `{"Recover":{"${ROOM}":{"Offset":0,"Epoch":"${publisher.epoch}"}},"RequestID":3}`;
    const latencies: number[] = [];
    let before;
    let swarmStart = process.cpuUsage();
    let started = 0;
    for (let i = 0; i < scenario.warmup + scenario.recoveries; i++) {
      if (i === scenario.warmup) {
        before = await fleet.usage();
        swarmStart = process.cpuUsage();
        started = performance.now();
      }
      reader.publications = 0;
      const asked = performance.now();
      const ack = await reader.request([recover]);
      if (i >= scenario.warmup) latencies.push(performance.now() - asked);
      if (!ack.includes(`"${ROOM}":true`) || reader.publications !== scenario.publications) {
        throw new Error(`recovery ${i} was not whole: ${reader.publications} of ${scenario.publications} publications, ack ${ack}`);
      }
    }
    const seconds = (performance.now() - started) / 1000;
    const swarm = process.cpuUsage(swarmStart);
    const delivery = { deliveries: scenario.publications * scenario.recoveries, seconds, latencies };
    return record(scenario.name, contender, scenario.clients, delivery, before, await fleet.usage(), swarm);
  } finally {
    for (const client of clients) client.socket.terminate();
    await fleet.stop();
  }
}

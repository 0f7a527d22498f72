// Sessions resumed: how long a resume takes to its session frame, and how fast missed frames come back.
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import type { ResumeScenario } from '../scenario-types.js';
import { ECHO_EXCLUSIVE } from '../servers/handler-ids.js';
import type { Contender } from '../servers/main.js';
import { record, type RunRecord } from './run-record.js';
import { ServerProcess } from './server-process.js';

/** A raw session client: its session frame's token, and the frames it counted. */
interface SessionClient {
  socket: WebSocket;
  id: string;
  token: string;
  received: number;
}

/** Opens a session connection (resuming one with `resume`); resolves at its session frame. */
function open(base: string, resume?: { token: string; received: number }, onFrame?: (client: SessionClient) => void): Promise<SessionClient> {
  const query = resume === undefined ? 'mb=1.2' : `mb=1.2&resume=${encodeURIComponent(resume.token)}&received=${resume.received}`;
  const socket = new WebSocket(`${base}?${query}`, { perMessageDeflate: false });
  return new Promise((resolve, reject) => {
    const client: SessionClient = { socket, id: '', token: '', received: resume?.received ?? 0 };
    socket.on('error', reject);
    socket.on('message', (data: Buffer) => {
      const text = data.toString('utf8');
      if (text.startsWith('{"EventType":5,')) {
        const frame = JSON.parse(text) as { ClientID: string; Session: string };
        client.id = frame.ClientID;
        client.token = frame.Session;
        resolve(client);
        return;
      }
      client.received += 1;
      onFrame?.(client);
    });
  });
}

/** Cuts a connection as a network would: no close frame. */
function cut(client: SessionClient): void {
  (client.socket as unknown as { _socket: Socket })._socket.destroy();
}

/**
 * Each of `clients` session clients is cut and resumes at once: the time from opening the
 * new connection to its session frame is one latency. Then one client, away, is cast
 * `replay` frames, and resumes: how long until it has them all gives the frames replayed
 * per second (the deliveries of the record).
 */
export async function runResume(scenario: ResumeScenario, contender: Contender): Promise<RunRecord> {
  const server = await ServerProcess.start(contender, { announceClients: false });
  const base = `ws://127.0.0.1:${server.port}/`;
  // Every socket opened, to be closed however the run ends.
  const sockets: WebSocket[] = [];
  const kept = (client: SessionClient): SessionClient => {
    sockets.push(client.socket);
    return client;
  };
  try {
    const clients: SessionClient[] = [];
    for (let i = 0; i < scenario.clients; i++) clients.push(kept(await open(base)));
    const latencies: number[] = [];
    for (const [i, client] of clients.entries()) {
      cut(client);
      const started = performance.now();
      clients[i] = kept(await open(base, client));
      latencies.push(performance.now() - started);
    }
    const [away, sender] = clients;
    cut(away);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const body = Buffer.from(JSON.stringify([away.id])).toString('base64');
    const acked = new Promise<void>((resolve) => sender.socket.on('message', (data: Buffer) => data.includes('"EventType":4') && resolve()));
    for (let i = 1; i <= scenario.replay; i++) {
      sender.socket.send(`{"HandlerID":${ECHO_EXCLUSIVE},"Body":"${body}"${i === scenario.replay ? ',"RequestID":1' : ''}}`);
    }
    await acked;
    const before = await server.usage();
    const swarmStart = process.cpuUsage();
    const started = performance.now();
    const expected = away.received + scenario.replay;
    // Resolved by the frame that completes the replay, which may come before open() resolves.
    const back = await new Promise<SessionClient>((resolve, reject) => {
      open(base, away, (client) => client.received >= expected && resolve(client)).catch(reject);
    });
    const seconds = (performance.now() - started) / 1000;
    const swarm = process.cpuUsage(swarmStart);
    kept(back);
    return record(scenario.name, contender, scenario.clients, { deliveries: scenario.replay, seconds, latencies }, before, await server.usage(), swarm);
  } finally {
    for (const socket of sockets) socket.terminate();
    await server.stop();
  }
}

import { performance } from 'node:perf_hooks';
import { dialects, openSwarm } from './dialects.js';
import type { SwarmConn } from './swarm-conn.js';
import type { Contender } from '../servers/main.js';

/** What the runner asks of a swarm process. */
export type SwarmCommand =
  | { type: 'open'; port: number; contender: Contender; count: number; localAddress: string }
  | { type: 'arm'; casts: number }
  | { type: 'send'; request: string; casts: number }
  | { type: 'check' };

/** What a swarm process answers. */
export type SwarmReply =
  | { type: 'opened'; count: number }
  | { type: 'armed' }
  | { type: 'done'; at: number; cpuMicros: number }
  | { type: 'checked'; wrong: number };

// One share of a swarm too large for one process (the open-files limit), in a process of
// its own: it opens its clients from its own loopback address, then counts what arrives.
const conns: SwarmConn[] = [];
let bases: number[] = [];
let expected = 0;

function reply(message: SwarmReply): void {
  process.send?.(message);
}

function watch(): void {
  const cpu = process.cpuUsage();
  let pending = conns.filter((conn, i) => conn.frames - bases[i] < expected).length;
  if (pending === 0) return reply({ type: 'done', at: now(), cpuMicros: 0 });
  conns.forEach((conn, i) => {
    conn.onFrames = () => {
      if (conn.frames - bases[i] < expected) return;
      conn.onFrames = null;
      pending -= 1;
      if (pending === 0) {
        const used = process.cpuUsage(cpu);
        reply({ type: 'done', at: now(), cpuMicros: used.user + used.system });
      }
    };
  });
}

/** Wall-clock milliseconds, comparable between the processes of one machine. */
function now(): number {
  return performance.timeOrigin + performance.now();
}

process.on('message', (command: SwarmCommand) => {
  switch (command.type) {
    case 'open':
      void openSwarm(command.port, dialects[command.contender], command.count, 0, conns, command.localAddress).then(() =>
        reply({ type: 'opened', count: conns.length }),
      );
      break;
    case 'arm':
      bases = conns.map((conn) => conn.frames);
      expected = command.casts;
      watch();
      reply({ type: 'armed' });
      break;
    case 'send':
      for (let i = 0; i < command.casts; i++) conns[0].send(command.request);
      break;
    case 'check':
      reply({ type: 'checked', wrong: conns.filter((conn, i) => conn.frames - bases[i] !== expected).length });
      break;
  }
});
process.on('disconnect', () => {
  for (const conn of conns) conn.destroy();
  process.exit(0);
});

import { execFileSync, spawn, type ChildProcessByStdio } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';

// The benchmark's native swarm is the instrument the fan-out and request/reply figures are
// read with, so its counting is tested here against a plain ws server that can be told to
// misbehave. Without a C compiler the suite is skipped (loudly), except under CI=true.
const SOURCE_DIR = join(__dirname, '..', 'bench', 'native-swarm');
const SOURCES = readdirSync(SOURCE_DIR)
  .filter((file) => file.endsWith('.c'))
  .map((file) => join(SOURCE_DIR, file));
const binary = join(mkdtempSync(join(tmpdir(), 'native-swarm-')), 'swarm');
const compiled = (() => {
  try {
    execFileSync('cc', ['-O2', '-Wall', '-Werror', '-o', binary, ...SOURCES], { stdio: 'pipe' });
    return true;
  } catch (error) {
    const message = `the native swarm did not compile (cc missing? apt-get install gcc): ${(error as Error).message}`;
    if (process.env.CI === 'true') throw new Error(message, { cause: error });
    console.warn(`SKIPPED: ${message}`);
    return false;
  }
})();
const describeCompiled = compiled ? describe : describe.skip;

interface Misbehaviour {
  /** A client (by connection order) that gets every broadcast twice. */
  twice?: number;
  /** A client that also gets every reply meant for someone else. */
  eavesdropper?: number;
  /** Speak Engine.IO: an open packet, a namespace ack to "40", and a ping ("2") before each reply. */
  socketIo?: boolean;
}

/** Each text message is echoed to every client, or to its sender alone when it starts with "self". */
async function startServer(misbehaviour: Misbehaviour = {}) {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise((resolve) => wss.once('listening', resolve));
  const peers: WebSocket[] = [];
  let pongs = 0;
  let engineIoPongs = 0;
  wss.on('connection', (socket) => {
    const index = peers.push(socket) - 1;
    socket.on('pong', () => (pongs += 1));
    socket.ping(Buffer.from('are you there'));
    socket.send(misbehaviour.socketIo ? '0{"sid":"x"}' : 'welcome');
    socket.on('message', (data: Buffer) => {
      const text = data.toString();
      if (misbehaviour.socketIo && text === '40') return socket.send('40{"sid":"y"}');
      if (text === '3') return (engineIoPongs += 1);
      if (misbehaviour.socketIo) socket.send('2');
      if (text.startsWith('acked')) {
        // A protocol 1.1 request: its reply, then its ack.
        socket.send(text);
        socket.send('ack');
        return;
      }
      if (text.startsWith('self')) {
        socket.send(text);
        if (misbehaviour.eavesdropper !== undefined && index !== misbehaviour.eavesdropper) peers[misbehaviour.eavesdropper].send(text);
        return;
      }
      peers.forEach((peer, i) => {
        peer.send(text);
        if (i === misbehaviour.twice) peer.send(text);
      });
    });
  });
  return {
    port: (wss.address() as AddressInfo).port,
    pongs: () => pongs,
    engineIoPongs: () => engineIoPongs,
    close: () => {
      // ws waits for its clients to go before it calls back.
      for (const peer of peers) peer.terminate();
      return new Promise((resolve) => wss.close(resolve));
    },
  };
}

class Swarm {
  private readonly child: ChildProcessByStdio<Writable, Readable, null> = spawn(binary, [], { stdio: ['pipe', 'pipe', 'inherit'] });
  private readonly answers: string[] = [];
  private waiter: (() => void) | null = null;

  constructor() {
    createInterface({ input: this.child.stdout }).on('line', (line) => {
      this.answers.push(line);
      this.waiter?.();
    });
  }

  async ask(command: string): Promise<string> {
    this.child.stdin.write(`${command}\n`);
    while (this.answers.length === 0) await new Promise<void>((resolve) => (this.waiter = resolve));
    return this.answers.shift()!;
  }

  stop(): void {
    this.child.kill();
  }
}

describeCompiled('the benchmark’s native swarm', () => {
  let swarm: Swarm;
  afterEach(() => swarm.stop());

  it('opens its clients, counts every cast to every client, and answers pings', async () => {
    const server = await startServer();
    swarm = new Swarm();
    expect(await swarm.ask(`open ${server.port} 50 127.0.0.1 1 0 /`)).toBe('opened 50');
    // A body past 64 KiB takes the 8-byte length and spans many reads.
    const answer = await swarm.ask(`casts 30 4 0 50 ${'x'.repeat(70_000)}`);
    const [word, deliveries, nanos, , p50, p99, wrong] = answer.split(' ');
    expect([word, deliveries, wrong]).toEqual(['done', String(30 * 50), '0']);
    expect(Number(nanos)).toBeGreaterThan(0);
    expect(Number(p99)).toBeGreaterThanOrEqual(Number(p50));
    expect(server.pongs()).toBe(50);
    await server.close();
  });

  it('finds a receiver that got a cast twice, and a bystander that got anything', async () => {
    const server = await startServer({ twice: 7, eavesdropper: 3 });
    swarm = new Swarm();
    await swarm.ask(`open ${server.port} 20 127.0.0.1 1 0 /`);
    expect((await swarm.ask('casts 5 1 0 20 hello')).split(' ')[6]).toBe('1');
    expect((await swarm.ask('casts 5 1 0 1 self')).split(' ')[6]).toBe('1');
    await server.close();
  });

  it('keeps one request in flight per client and counts each reply', async () => {
    const server = await startServer();
    swarm = new Swarm();
    await swarm.ask(`open ${server.port} 40 127.0.0.1 1 0 /`);
    const [word, deliveries, , , , , wrong] = (await swarm.ask('requests 6 self-echo')).split(' ');
    expect([word, deliveries, wrong]).toEqual(['done', String(40 * 6), '0']);
    await server.close();
  });

  it('counts an acked request as answered once its reply and its ack are in, and only then sends the next', async () => {
    const server = await startServer();
    swarm = new Swarm();
    await swarm.ask(`open ${server.port} 40 127.0.0.1 1 0 /`);
    const [word, deliveries, , , , , wrong] = (await swarm.ask('acked-requests 5 acked')).split(' ');
    expect([word, deliveries, wrong]).toEqual(['done', String(40 * 5), '0']);
    // Read as v1 requests, each ack counts as a reply of its own: the run ends early and the
    // frames that follow leave every client with more than it asked for.
    const [, , , , , , miscounted] = (await swarm.ask('requests 5 acked')).split(' ');
    expect(Number(miscounted)).toBeGreaterThan(0);
    await server.close();
  });

  it('joins like a Socket.IO client and answers Engine.IO pings without counting them', async () => {
    const server = await startServer({ socketIo: true });
    swarm = new Swarm();
    expect(await swarm.ask(`open ${server.port} 10 127.0.0.1 2 1 /socket.io/?EIO=4&transport=websocket`)).toBe('opened 10');
    const [word, deliveries, , , , , wrong] = (await swarm.ask('requests 4 self')).split(' ');
    expect([word, deliveries, wrong]).toEqual(['done', String(10 * 4), '0']);
    expect(server.engineIoPongs()).toBe(10 * 4);
    await server.close();
  });

  it('spreads its clients over two servers, lets chosen clients send their own line, and casts to a range', async () => {
    const [one, two] = [await startServer(), await startServer()];
    swarm = new Swarm();
    expect(await swarm.ask(`open ${one.port} 5 127.0.0.1 1 0 /`)).toBe('opened 5');
    expect(await swarm.ask(`open ${two.port} 5 127.0.0.1 1 0 /`)).toBe('opened 10');
    const lines = Array.from({ length: 8 }, (_, i) => `self-${i}`);
    expect(await swarm.ask([`send 2 10`, ...lines].join('\n'))).toBe('sent');
    // Client 0 is on the first server: its casts reach clients 0 to 4, and none of the second's.
    const [word, deliveries, , , , , wrong] = (await swarm.ask('casts 4 2 0 5 hello')).split(' ');
    expect([word, deliveries, wrong]).toEqual(['done', String(4 * 5), '0']);
    await Promise.all([one.close(), two.close()]);
  });

  it('fans out across two swarm processes: one sends, each counts its own clients', async () => {
    const server = await startServer({ twice: 12 });
    swarm = new Swarm();
    const second = new Swarm();
    try {
      await swarm.ask(`open ${server.port} 10 127.0.0.1 1 0 /`);
      await second.ask(`open ${server.port} 10 127.0.0.2 1 0 /`);
      expect([await swarm.ask('arm'), await second.ask('arm')]).toEqual(['armed', 'armed']);
      const [sender, counter] = await Promise.all([swarm.ask('fanout 25 1 hello'), second.ask('fanout 25 0 hello')]);
      const [word, sentAt, doneAt, , wrong] = sender.split(' ');
      expect([word, wrong]).toEqual(['fanned', '0']);
      expect(Number(doneAt)).toBeGreaterThan(Number(sentAt));
      // Client 12 (the second swarm's third) got every cast twice.
      const [, nothingSent, counterDone, , counterWrong] = counter.split(' ');
      expect([nothingSent, counterWrong]).toEqual(['0', '1']);
      expect(Number(counterDone)).toBeGreaterThan(Number(sentAt));
    } finally {
      second.stop();
    }
    await server.close();
  });
});

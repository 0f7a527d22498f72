import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Dialect } from './dialects.js';

const SOURCE_DIR = fileURLToPath(new URL('../../../bench/native-swarm/', import.meta.url));
/** The swarm's C files, and the header they share. */
const SOURCES = readdirSync(SOURCE_DIR)
  .filter((file) => file.endsWith('.c') || file.endsWith('.h'))
  .map((file) => join(SOURCE_DIR, file));
const BINARY = fileURLToPath(new URL('./native-swarm', import.meta.url));

/** What the native swarm saw of one measured run. */
export interface NativeRun {
  deliveries: number;
  seconds: number;
  /** The swarm's own CPU (user + system) over the run, in microseconds. */
  cpuMicros: number;
  p50Ms: number;
  p99Ms: number;
  void?: string;
}

/** What one of several native swarm processes saw of a fan-out. */
export interface NativeFanOut {
  /** Wall-clock milliseconds of the first send; 0 for a swarm that sent nothing. */
  sentAt: number;
  /** Wall-clock milliseconds of the last frame this swarm counted. */
  doneAt: number;
  cpuMicros: number;
  void?: string;
}

/**
 * Compiles the native swarm (C, one epoll loop) next to the compiled bench when its source
 * is newer, and returns its path; `undefined`, with the reason on stderr, when no C
 * compiler is there.
 */
export function buildNativeSwarm(): string | undefined {
  if (existsSync(BINARY) && SOURCES.every((source) => statSync(BINARY).mtimeMs >= statSync(source).mtimeMs)) return BINARY;
  try {
    mkdirSync(fileURLToPath(new URL('.', import.meta.url)), { recursive: true });
    const files = SOURCES.filter((source) => source.endsWith('.c'));
    execFileSync('cc', ['-O2', '-Wall', '-o', BINARY, ...files], { stdio: ['ignore', 'inherit', 'inherit'] });
    return BINARY;
  } catch (error) {
    console.warn(`the native swarm could not be built (${(error as Error).message}); the Node swarm is used instead`);
    return undefined;
  }
}

/**
 * The native swarm in its own process: its clients, and the runs it drives itself, so
 * that pacing and counting cost no round trip through this process.
 */
export class NativeSwarm {
  private readonly lines: Interface;
  private readonly waiting: Array<(line: string) => void> = [];
  private exited: string | undefined;
  private clients = 0;

  private constructor(private readonly child: ChildProcess) {
    this.lines = createInterface({ input: child.stdout! });
    this.lines.on('line', (line) => this.waiting.shift()?.(line));
    child.once('exit', (code, signal) => {
      this.exited = `the native swarm exited (${signal ?? code})`;
      for (const resolve of this.waiting.splice(0)) resolve(`void ${this.exited}`);
    });
  }

  /** Starts a native swarm process, with no clients yet. */
  static start(binary: string): NativeSwarm {
    return new NativeSwarm(spawn(binary, [], { stdio: ['pipe', 'pipe', 'inherit'] }));
  }

  /**
   * Opens `count` more clients to `port` and waits until each has joined as the dialect
   * says; they are numbered after those opened before.
   */
  async open(port: number, dialect: Dialect, count: number, localAddress = '127.0.0.1'): Promise<void> {
    const expected = this.clients + count;
    const socketIo = dialect.join === undefined ? 0 : 1;
    const answer = await this.ask(`open ${port} ${count} ${localAddress} ${dialect.setupFrames} ${socketIo} ${dialect.path}`);
    if (answer !== `opened ${expected}`) throw new Error(`the native swarm did not open its clients: ${answer}`);
    this.clients = expected;
  }

  /** Client 0 casts `casts` times, `window` in flight; clients `first` to `last` − 1 must get each, the others none. */
  casts(casts: number, window: number, first: number, last: number, request: string): Promise<NativeRun> {
    return this.run(`casts ${casts} ${window} ${first} ${last} ${request}`);
  }

  /** Clients `first`, `first` + 1… each send their own request and wait for one frame back. */
  async sendEach(first: number, requests: string[]): Promise<void> {
    const answer = await this.ask([`send ${first} ${first + requests.length}`, ...requests].join('\n'));
    if (answer !== 'sent') throw new Error(`the native swarm answered: ${answer}`);
  }

  /**
   * Every client keeps one request in flight until it has `perClient` replies; `acked`
   * requests (protocol 1.1) are answered by a reply and then an ack.
   */
  requests(perClient: number, request: string, acked = false): Promise<NativeRun> {
    return this.run(`${acked ? 'acked-requests' : 'requests'} ${perClient} ${request}`);
  }

  /** Starts counting: a later {@link fanOut} waits for frames that arrive after this. */
  async arm(): Promise<void> {
    const answer = await this.ask('arm');
    if (answer !== 'armed') throw new Error(`the native swarm answered: ${answer}`);
  }

  /**
   * Waits until each client has `casts` frames since {@link arm}; with `send`, client 0
   * first sends `request` that many times at once.
   */
  async fanOut(casts: number, send: boolean, request: string): Promise<NativeFanOut> {
    const answer = await this.ask(`fanout ${casts} ${send ? 1 : 0} ${request}`);
    if (answer.startsWith('void ')) return { sentAt: 0, doneAt: 0, cpuMicros: 0, void: answer.slice(5) };
    const [word, sentAt, doneAt, cpuMicros, wrong] = answer.split(' ');
    if (word !== 'fanned') throw new Error(`the native swarm answered: ${answer}`);
    const result: NativeFanOut = { sentAt: Number(sentAt) / 1e6, doneAt: Number(doneAt) / 1e6, cpuMicros: Number(cpuMicros) };
    if (Number(wrong) > 0) result.void = `${wrong} clients did not receive exactly ${casts} frames`;
    return result;
  }

  stop(): void {
    this.child.stdin?.end();
    this.child.kill();
  }

  private async run(command: string): Promise<NativeRun> {
    const answer = await this.ask(command);
    if (answer.startsWith('void ')) return { deliveries: 0, seconds: 0, cpuMicros: 0, p50Ms: 0, p99Ms: 0, void: answer.slice(5) };
    const [word, deliveries, nanos, cpuMicros, p50, p99, wrong] = answer.split(' ');
    if (word !== 'done') throw new Error(`the native swarm answered: ${answer}`);
    const result: NativeRun = {
      deliveries: Number(deliveries),
      seconds: Number(nanos) / 1e9,
      cpuMicros: Number(cpuMicros),
      p50Ms: Number(p50) / 1000,
      p99Ms: Number(p99) / 1000,
    };
    if (Number(wrong) > 0) result.void = `${wrong} clients did not receive exactly what they should`;
    return result;
  }

  private ask(command: string): Promise<string> {
    if (this.exited !== undefined) return Promise.resolve(`void ${this.exited}`);
    const answer = new Promise<string>((resolve) => this.waiting.push(resolve));
    this.child.stdin!.write(`${command}\n`);
    return answer;
  }
}

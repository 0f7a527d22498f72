import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { AppModule } from '../sample/app.module.js';
import { startApp, type RunningApp } from './support/app.js';

const WSCAT = join(createRequire(__filename).resolve('wscat/package.json'), '..', 'bin', 'wscat');
const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}';
const HELLO_REQUEST = '{"HandlerID": 1, "Body":"SGVsbG8sIHdvcmxkIQ=="}';

/** wscat, a third-party client, with its output read line by line. */
class Wscat {
  private readonly lines: string[] = [];
  private readonly waiters: Array<() => void> = [];
  readonly exited: Promise<number | null>;
  private readonly process: ChildProcessWithoutNullStreams;

  constructor(args: string[]) {
    // Its stdin stays open: wscat quits at once when stdin ends.
    this.process = spawn(process.execPath, [WSCAT, ...args], { stdio: 'pipe' });
    let pending = '';
    this.process.stdout.on('data', (chunk: Buffer) => {
      pending += chunk.toString('utf8');
      const complete = pending.split('\n');
      pending = complete.pop() ?? '';
      this.lines.push(...complete.filter((line) => line.trim() !== ''));
      this.waiters.splice(0).forEach((wake) => wake());
    });
    this.exited = new Promise((resolve) => this.process.on('exit', resolve));
  }

  async line(index: number, timeoutMs = 5000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (this.lines.length <= index) {
      if (Date.now() > deadline) throw new Error(`wscat printed only: ${JSON.stringify(this.lines)}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 100);
      });
    }
    return this.lines[index];
  }

  stop(): Promise<number | null> {
    this.process.kill();
    return this.exited;
  }
}

describe('the original README session, replayed with wscat against the sample app', () => {
  let running: RunningApp;
  const processes: Wscat[] = [];

  beforeEach(async () => {
    running = await startApp(AppModule.withEndpoint('/'));
  });

  afterEach(async () => {
    await Promise.all(processes.splice(0).map((wscat) => wscat.stop()));
    await running.app.close();
  });

  it('shows each client its OnAddClient first, and echoes a sent message to every client', async () => {
    const url = `ws://localhost:${running.port}/`;
    const listener = new Wscat(['-c', url]);
    processes.push(listener);
    const [, listenerId] = /"ClientID":"(.+)"/.exec(await listener.line(0)) ?? [];
    expect(await listener.line(0)).toMatch(new RegExp(`^\\{"EventType":1,"ClientID":"${UUID}"\\}$`));

    const sender = new Wscat(['-c', url, '-o', `localhost:${running.port}`, '-x', HELLO_REQUEST, '-w', '1']);
    processes.push(sender);
    const senderJoin = await sender.line(0);
    expect(senderJoin).toMatch(new RegExp(`^\\{"EventType":1,"ClientID":"${UUID}"\\}$`));
    const senderId = JSON.parse(senderJoin).ClientID;
    expect(senderId).not.toBe(listenerId);

    const echo = `{"SenderID":"${senderId}","HandlerID":1,"CastType":1,"CastFor":null,"Body":"SGVsbG8sIHdvcmxkIQ=="}`;
    expect(await listener.line(1)).toBe(`{"EventType":1,"ClientID":"${senderId}"}`);
    expect(await listener.line(2)).toBe(echo);
    expect(await sender.line(1)).toBe(echo);

    // The sample's presence handlers only log: the sender's leave is the listener's next frame.
    expect(await sender.exited).toBe(0);
    expect(await listener.line(3)).toBe(`{"EventType":2,"ClientID":"${senderId}"}`);
  });
});

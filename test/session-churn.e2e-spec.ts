import { setTimeout as sleep } from 'node:timers/promises';
import { All, Broadcaster, Exclusive, Room, newResponseMessage } from '../src/index.js';
import { appModule, startApp, type RunningApp } from './support/app.js';
import { SessionSocket } from './support/session-socket.js';
import { until } from './support/until.js';

const CLIENTS = 200;
const MESSAGES = 10_000;
const ROOMS = ['red', 'green', 'blue', 'gold'];

/** A session client that takes its session back every time its connection is cut. */
class ResumingClient {
  socket!: SessionSocket;
  /** The numbered casts received, across every socket of the session, in order. */
  readonly numbers: number[] = [];
  readonly failures: string[] = [];
  resumes = 0;
  resuming = false;
  private taken = 0;

  async start(url: string): Promise<void> {
    this.watch(await SessionSocket.open(url), url);
  }

  get id(): string {
    return this.socket.id;
  }

  private watch(socket: SessionSocket, url: string): void {
    this.socket = socket;
    this.resuming = false;
    void socket.closed.then(async () => {
      if (this.socket !== socket || this.stopped) return;
      this.collect();
      this.resuming = true;
      const back = await SessionSocket.open(url, { token: socket.token, received: socket.received });
      if (back.session.Resumed !== true || back.id !== socket.id) this.failures.push(`resume refused: ${JSON.stringify(back.session)}`);
      this.resumes += 1;
      this.taken = 0;
      this.watch(back, url);
    });
  }

  stopped = false;

  /** Moves what the current socket received into `numbers`. */
  collect(): void {
    const bodies = this.socket.bodies();
    for (const body of bodies.slice(this.taken)) this.numbers.push(Number(body));
    this.taken = bodies.length;
  }
}

describe('sessions under churn: no gap, no duplicate', () => {
  let running: RunningApp;
  beforeAll(async () => {
    running = await startApp(appModule([], { sessionGrace: 10_000 }));
  });
  afterAll(() => running.app.close());

  it(`delivers each of ${MESSAGES} casts (All, Room, Exclusive) to ${CLIENTS} session clients exactly once, in order, while connections are cut every ~100 ms`, async () => {
    const broadcaster = running.app.get(Broadcaster);
    const clients: ResumingClient[] = [];
    for (let i = 0; i < CLIENTS; i++) {
      const client = new ResumingClient();
      await client.start(running.url);
      clients.push(client);
    }
    const roomOf = new Map(clients.map((client, i) => [client.id, ROOMS[i % ROOMS.length]]));
    for (const client of clients) broadcaster.join(client.id, roomOf.get(client.id)!);

    // What each client must end with: the numbers addressed to it, in order.
    const expected = new Map<string, number[]>(clients.map((client) => [client.id, []]));
    let cuts = 0;
    let cutting = true;
    const cutter = (async () => {
      while (cutting) {
        await sleep(80 + Math.random() * 40);
        const open = clients.filter((client) => !client.resuming && client.socket.socket.readyState === 1);
        const victim = open[Math.floor(Math.random() * open.length)];
        if (victim === undefined) continue;
        victim.socket.cut();
        cuts += 1;
      }
    })();

    for (let n = 1; n <= MESSAGES; n++) {
      const body = Buffer.from(String(n));
      const kind = n % 3;
      if (kind === 0) {
        await broadcaster.cast(newResponseMessage(All, body));
        for (const list of expected.values()) list.push(n);
      } else if (kind === 1) {
        const room = ROOMS[n % ROOMS.length];
        await broadcaster.cast(newResponseMessage(Room, body, room));
        for (const [id, list] of expected) if (roomOf.get(id) === room) list.push(n);
      } else {
        const targets = clients.filter((_, i) => (i * 7 + n) % 5 === 0).map((client) => client.id);
        await broadcaster.cast(newResponseMessage(Exclusive, body, ...targets));
        for (const id of targets) expected.get(id)!.push(n);
      }
      if (n % 25 === 0) await sleep(5);
    }
    cutting = false;
    await cutter;

    await until(
      () => {
        for (const client of clients) client.collect();
        return clients.every((client) => !client.resuming && client.numbers.length >= expected.get(client.id)!.length);
      },
      'every client to receive what was cast to it',
      60_000,
    );
    await sleep(200);
    for (const client of clients) client.collect();

    expect(cuts).toBeGreaterThan(10);
    expect(clients.reduce((sum, client) => sum + client.resumes, 0)).toBe(cuts);
    for (const client of clients) {
      expect(client.failures).toEqual([]);
      expect(client.numbers).toEqual(expected.get(client.id));
    }
    expect(broadcaster.stats().sessions).toMatchObject({ resumed: cuts, refused: 0, expired: 0, overflowed: 0 });
    for (const client of clients) {
      client.stopped = true;
      await client.socket.close();
    }
  }, 180_000);
});

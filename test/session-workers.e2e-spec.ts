import type { ChildProcess } from 'node:child_process';
import { SessionSocket } from './support/session-socket.js';
import { startWorkers, stopWorkers } from './support/worker-cluster.js';
import { TestClient } from './support/ws-client.js';

/** Asks handler `handlerId` of the fixture (run by the worker holding the session) and reads its reply. */
async function ask(socket: SessionSocket, handlerId: number): Promise<string> {
  const before = socket.frames.length;
  socket.socket.send(JSON.stringify({ HandlerID: handlerId, Body: null }));
  await socket.until(() => socket.frames.slice(before).some((frame) => frame.HandlerID === handlerId), `the reply of handler ${handlerId}`);
  const reply = socket.frames.slice(before).find((frame) => frame.HandlerID === handlerId)!;
  return Buffer.from(reply.Body as string, 'base64').toString('utf8');
}

describe('a session resumed on another worker process, and a worker shut down (worker backplane)', () => {
  jest.setTimeout(60_000);
  let primary: ChildProcess | null = null;
  afterEach(async () => {
    await stopWorkers(primary);
    primary = null;
  });

  it('takes the session back on whichever worker the reconnection reaches, with every frame it missed: it moves there; nobody sees a leave', async () => {
    const started = await startWorkers(2, true);
    primary = started.primary;
    const { url } = started;
    const watcher = await TestClient.join(url);
    let socket = await SessionSocket.open(url);
    const id = socket.id;
    const home = await ask(socket, 3);
    let received = socket.received;
    const missed: string[] = [];
    // Reconnect until a reconnection lands on the other worker (the primary deals
    // connections round-robin), each time with a cast made while away. The session moves
    // to the worker the reconnection reached: its requests then run there.
    let landedElsewhere = false;
    for (let attempt = 0; attempt < 6 && !landedElsewhere; attempt++) {
      const token = socket.token;
      socket.cut();
      await socket.closed;
      const text = `while away ${attempt}`;
      watcher.client.request(1, text);
      missed.push(text);
      socket = await SessionSocket.open(url, { token, received });
      expect(socket.session).toEqual({ EventType: 5, ClientID: id, Session: expect.any(String), Resumed: true });
      await socket.until(() => socket.bodies().includes(text), 'the cast it missed');
      landedElsewhere = (await ask(socket, 3)) !== home;
      received = socket.received;
    }
    expect(landedElsewhere).toBe(true);
    expect(JSON.parse(await ask(socket, 5))).toMatchObject({ takenOver: 1, relaying: 0 });
    // Each cast made while away arrived exactly once, across all the reconnections.
    expect(socket.bodies().filter((body) => body.startsWith('while away'))).toEqual([missed[missed.length - 1]]);
    const watcherSaw = (await watcher.client.drain(200)).map((text) => JSON.parse(text) as Record<string, unknown>);
    expect(watcherSaw.filter((frame) => frame.EventType === 2)).toEqual([]);
    await socket.close();
    await watcher.client.close();
  });

  it('hands the session clients of a worker that shuts down to another worker: they resume with nothing missed, and nobody sees a leave', async () => {
    const started = await startWorkers(2, true);
    primary = started.primary;
    const { url } = started;
    const ana = await SessionSocket.open(url);
    const anaWorker = await ask(ana, 3);
    // A sender on the other worker (connections are dealt round-robin).
    let sender = await SessionSocket.open(url);
    while ((await ask(sender, 3)) === anaWorker) {
      await sender.close();
      sender = await SessionSocket.open(url);
    }
    const senderFramesBefore = sender.frames.length;

    ana.socket.send(JSON.stringify({ HandlerID: 6, Body: null }));
    for (let i = 1; i <= 200; i++) {
      sender.socket.send(JSON.stringify({ HandlerID: 1, Body: Buffer.from(`n${i}`).toString('base64') }));
      if (i % 20 === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect((await ana.closed).code).toBe(1012);

    const back = await SessionSocket.open(url, { token: ana.token, received: ana.received });
    expect(back.session).toMatchObject({ ClientID: ana.id, Resumed: true });
    expect(await ask(back, 3)).not.toBe(anaWorker);
    const numbered = () => [...ana.bodies(), ...back.bodies()].filter((body) => /^n\d+$/.test(body)).map((body) => Number(body.slice(1)));
    await back.until(() => numbered().length >= 200, 'every cast');
    expect(numbered()).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    const senderSaw = sender.frames.slice(senderFramesBefore);
    expect(senderSaw.filter((frame) => frame.ClientID === ana.id && (frame.EventType === 1 || frame.EventType === 2))).toEqual([]);
    await back.close();
    await sender.close();
  });
});

import WebSocket from 'ws';
import { type BroadcastError, connect, type ClientOptions, type WebSocketConstructor } from '../src/client/index.js';
import { rawServer } from './support/raw-ws-server.js';
import { until } from './support/until.js';

const WS = WebSocket as unknown as WebSocketConstructor;
const fast: ClientOptions = { WebSocket: WS, reconnect: { min: 50, max: 200 } };
const b64 = (text: string) => Buffer.from(text).toString('base64');

const clients: Array<{ close(): void }> = [];
afterEach(() => {
  for (const client of clients.splice(0)) client.close();
});

describe('the client SDK facing a broken or hostile server', () => {
  it('reports frames it cannot read through onError and drops them, never throwing', async () => {
    const server = await rawServer((socket) => {
      socket.send(JSON.stringify({ EventType: 1, ClientID: 'me' }));
      for (const frame of ['null', '[]', '"text"', 'not json', '{"EventType":1}', '{"EventType":3,"Code":5}']) socket.send(frame);
      socket.send(JSON.stringify({ SenderID: 'x', HandlerID: 1, CastType: 1, CastFor: null, Body: 'not base64!' }));
      socket.send(JSON.stringify({ SenderID: 'x', HandlerID: 77, CastType: 1, CastFor: null, Body: '%%%%' }));
      socket.send(JSON.stringify({ SenderID: 'x', HandlerID: 1, CastType: 1, CastFor: 'me', Body: null }));
      socket.send(JSON.stringify({ SenderID: 'x', HandlerID: 1, CastType: 1, CastFor: null, Body: b64('fine') }));
    });
    const client = connect(server.url, fast);
    clients.push(client);
    const errors: BroadcastError[] = [];
    const heard: string[] = [];
    client.onError((error) => errors.push(error));
    client.on(1, (response) => heard.push(response.text()));
    await until(() => heard.length === 1, 'the good frame');
    expect(heard).toEqual(['fine']);
    expect(client.state).toBe('open');
    expect(errors.map((error) => [error.code, error.message])).toEqual([
      ['invalid_frame', 'dropped a frame that is not a JSON object from the server'],
      ['invalid_frame', 'dropped a frame that is not a JSON object from the server'],
      ['invalid_frame', 'dropped a frame that is not a JSON object from the server'],
      ['invalid_frame', 'dropped a frame that is not JSON from the server'],
      ['invalid_frame', 'dropped a ClientID that is not a string from the server'],
      ['invalid_frame', 'dropped a Code that is not a string from the server'],
      ['invalid_frame', 'dropped a Body that is not base64 from the server'],
      ['invalid_frame', 'dropped a Body that is not base64 from the server'],
      ['invalid_frame', 'dropped a CastFor that is not a list of strings from the server'],
    ]);
    await server.close();
  });

  it('settles the oldest unanswered request with a refusal that carries no RequestID, as the contract orders', async () => {
    let frames = 0;
    const server = await rawServer((socket) => {
      socket.send(JSON.stringify({ EventType: 1, ClientID: 'me' }));
      socket.on('message', (data) => {
        const { HandlerID, RequestID } = JSON.parse(String(data)) as { HandlerID: number; RequestID: number };
        frames += 1;
        // Every other frame is refused before it is read, as a rate limit does.
        if (frames % 2 === 1) socket.send(JSON.stringify({ EventType: 3, ClientID: 'me', HandlerID: 0, Code: 'rate_limited', Error: 'too many messages: slow down' }));
        else socket.send(JSON.stringify({ EventType: 4, ClientID: 'me', HandlerID, RequestID }));
      });
    });
    const client = connect(server.url, fast);
    clients.push(client);
    await until(() => client.state === 'open', 'the client to open');
    const refused = client.request(1, 'one');
    const acked = client.request(1, 'two');
    await expect(refused).rejects.toMatchObject({ code: 'rate_limited' });
    await expect(acked).resolves.toEqual([]);

    // A send() is numbered too: its refusal is not taken for the request after it.
    const errors: string[] = [];
    client.onError((error) => errors.push(error.code));
    client.send(1, 'three');
    await expect(client.request(1, 'four')).resolves.toEqual([]);
    expect(errors).toEqual(['rate_limited']);
    await server.close();
  });

  it('gives up a connection whose server never speaks after openTimeout, and tries again', async () => {
    let connections = 0;
    const server = await rawServer(() => void (connections += 1));
    const client = connect(server.url, { ...fast, openTimeout: 150 });
    clients.push(client);
    const states: string[] = [];
    client.onState((state) => states.push(state));
    await until(() => connections >= 3, 'two more tries');
    expect(states).toContain('reconnecting');
    expect(client.state).not.toBe('open');
    await server.close();
  });
});

describe('the client SDK against the Go original\'s own frames', () => {
  // As captured from its example server: every frame is a response with an EventType;
  // joins and leaves are its OnAddClient/OnDelClient handlers' responses, cast to All.
  const goFrame = (senderId: string, eventType: number, handlerId: number, body: string) =>
    JSON.stringify({ SenderID: senderId, EventType: eventType, HandlerID: handlerId, CastType: 1, CastFor: null, Body: b64(body) });

  it('learns its ID from its own join, hears others join and leave, and receives responses by HandlerID', async () => {
    const server = await rawServer((socket) => {
      socket.send(goFrame('7034156d-e371-d329-c830-4341664658a3', 1, 0, 'OnAddClient'));
      socket.send(goFrame('10b0328a-4b0e-7db3-78af-f62192058c68', 1, 0, 'OnAddClient'));
      socket.send(goFrame('10b0328a-4b0e-7db3-78af-f62192058c68', 0, 1, 'hi'));
      socket.send(goFrame('10b0328a-4b0e-7db3-78af-f62192058c68', 2, 0, 'OnDelClient'));
    });
    const client = connect(server.url, fast);
    clients.push(client);
    const log: string[] = [];
    client.onJoin((id) => log.push(`join ${id}`));
    client.onLeave((id) => log.push(`leave ${id}`));
    client.on(1, (response) => log.push(`1 from ${response.senderId}: ${response.text()}`));
    client.on(0, (response) => log.push(`0: ${response.text()}`));
    await until(() => log.length === 6, 'every frame');
    expect(client.id).toBe('7034156d-e371-d329-c830-4341664658a3');
    expect(log).toEqual([
      '0: OnAddClient',
      'join 10b0328a-4b0e-7db3-78af-f62192058c68',
      '0: OnAddClient',
      '1 from 10b0328a-4b0e-7db3-78af-f62192058c68: hi',
      'leave 10b0328a-4b0e-7db3-78af-f62192058c68',
      '0: OnDelClient',
    ]);
    await server.close();
  });
});

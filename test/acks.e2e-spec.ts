import { AppModule } from '../sample/app.module.js';
import { ECHO } from '../sample/chat.handlers.js';
import { startApp, type RunningApp } from './support/app.js';
import { bodyText, TestClient } from './support/ws-client.js';

describe('request acks (protocol 1.1) over a real app', () => {
  let running: RunningApp;
  beforeEach(async () => {
    running = await startApp(AppModule.withEndpoint('/'));
  });
  afterEach(() => running.app.close());

  it('acks a request with a RequestID after its echo, and leaves a v1 request as it was', async () => {
    const { client: alice, id } = await TestClient.join(running.url);
    alice.send({ HandlerID: ECHO, Body: Buffer.from('with id').toString('base64'), RequestID: 'req-1' });
    expect(bodyText(await alice.nextJson())).toBe('with id');
    expect(await alice.next()).toBe(`{"EventType":4,"ClientID":"${id}","HandlerID":${ECHO},"RequestID":"req-1"}`);
    alice.request(ECHO, 'v1');
    expect(bodyText(await alice.nextJson())).toBe('v1');
    expect(await alice.drain(150)).toEqual([]);
    alice.send({ HandlerID: 999, RequestID: 42 });
    expect(await alice.nextJson()).toEqual({
      EventType: 3,
      ClientID: id,
      HandlerID: 999,
      Code: 'unknown_handler',
      Error: 'no handler for HandlerID 999',
      RequestID: 42,
    });
    await alice.close();
  });
});

import { Injectable } from '@nestjs/common';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { All, Broadcaster, MessageHandler, newResponseMessage, type RequestMessage } from '../src/index.js';
import { appModule, startApp } from './support/app.js';
import { TestClient } from './support/ws-client.js';

@Injectable()
class Echo {
  @MessageHandler(1)
  echo(msg: RequestMessage) {
    return newResponseMessage(All, msg.body);
  }
}

function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

describe('soak', () => {
  it('leaves no client and no memory behind after 2,000 connect, message, disconnect cycles', async () => {
    const running = await startApp(appModule([Echo]));
    const broadcaster = running.app.get(Broadcaster);
    try {
      const cycle = async (n: number) => {
        const { client, id } = await TestClient.join(running.url);
        client.request(1, `cycle ${n}`);
        // Others' joins, leaves and echoes arrive too; wait for this client's own echo.
        while ((await client.nextJson()).SenderID !== id);
        if (n % 2 === 0) await client.close();
        else (client.socket as unknown as { terminate(): void }).terminate();
      };
      const batch = async (from: number) => Promise.all(Array.from({ length: 50 }, (_, i) => cycle(from + i)));

      for (let n = 0; n < 200; n += 50) await batch(n);
      collectGarbage();
      const heapAtStart = process.memoryUsage().heapUsed;
      for (let n = 200; n < 2000; n += 50) await batch(n);
      while (broadcaster.clientIds().length > 0) await new Promise((resolve) => setTimeout(resolve, 10));
      collectGarbage();
      const growth = process.memoryUsage().heapUsed - heapAtStart;

      const stats = broadcaster.stats();
      expect(stats.clients).toBe(0);
      expect(stats.clientsJoined).toBe(2000);
      expect(stats.messagesIn).toBe(2000);
      // 1,800 cycles after warm-up; a leak of even 1 KiB per client would show as ~1.8 MiB.
      expect(growth).toBeLessThan(1.5 * 1024 * 1024);
    } finally {
      await running.app.close();
    }
  }, 60000);
});

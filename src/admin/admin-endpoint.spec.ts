import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AdminEndpoint, MAX_ADMIN_VIEWERS } from './admin-endpoint';
import type { AdminSampler } from './admin-sampler';

/** A response that records what it was given; `writableLength` is what it has not sent yet. */
class FakeResponse extends EventEmitter {
  status = 0;
  written: string[] = [];
  writableLength = 0;
  destroyed = false;
  writeHead(status: number) {
    this.status = status;
  }
  write(data: string) {
    this.written.push(data);
  }
  end(data?: string) {
    if (data !== undefined) this.written.push(data);
  }
  destroy() {
    this.destroyed = true;
    this.emit('close');
  }
}

describe('AdminEndpoint (its events)', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  const warnings: string[] = [];
  const endpoint = () =>
    new AdminEndpoint({ authorize: () => true, path: '/admin' }, { sample: () => ({ clients: 1 }) } as unknown as AdminSampler, {
      log: () => undefined,
      warn: (message) => warnings.push(message),
      error: () => undefined,
    });
  const open = async (admin: AdminEndpoint) => {
    const response = new FakeResponse();
    await admin.events({} as IncomingMessage, response as unknown as ServerResponse);
    return response;
  };

  it('drops a page that leaves more than 1 MiB of its events unread, says so, and goes on with the others', async () => {
    warnings.length = 0;
    const admin = endpoint();
    const [reading, stuck] = [await open(admin), await open(admin)];
    expect([reading.written.length, stuck.written.length]).toEqual([1, 1]);
    stuck.writableLength = (1 << 20) + 1;
    jest.advanceTimersByTime(1000);
    expect(stuck.destroyed).toBe(true);
    expect(reading.written).toHaveLength(2);
    expect(warnings).toEqual([expect.stringContaining('event=admin_viewer_dropped')]);
    jest.advanceTimersByTime(1000);
    expect([reading.written.length, stuck.written.length]).toEqual([3, 1]);
    admin.close();
  });

  it(`refuses more than ${MAX_ADMIN_VIEWERS} pages at once with 503, and says so`, async () => {
    warnings.length = 0;
    const admin = endpoint();
    for (let i = 0; i < MAX_ADMIN_VIEWERS; i++) expect((await open(admin)).status).toBe(200);
    expect((await open(admin)).status).toBe(503);
    expect(warnings).toEqual([expect.stringContaining('event=admin_busy')]);
    admin.close();
  });
});

import { PendingEchoes } from './pending-echoes';

describe('PendingEchoes', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('tells each sender at once when its message came back or failed, and only once', () => {
    const told: string[] = [];
    const echoes = new PendingEchoes(5000);
    const a = echoes.expect((failure) => told.push(failure === undefined ? 'a back' : `a ${String(failure)}`));
    const b = echoes.expect((failure) => told.push(failure === undefined ? 'b back' : `b ${String(failure)}`));
    echoes.cameBack(a);
    expect(told).toEqual(['a back']);
    echoes.failed(b, 'lost');
    echoes.cameBack(b);
    echoes.cameBack(a);
    expect(told).toEqual(['a back', 'b lost']);
    expect(echoes.size).toBe(0);
    jest.advanceTimersByTime(10_000);
    expect(told).toEqual(['a back', 'b lost']);
  });

  it('gives up each message that does not come back within the timeout, oldest first, on one timer', () => {
    const told: number[] = [];
    const echoes = new PendingEchoes(1000);
    const first = echoes.expect(() => told.push(1));
    jest.advanceTimersByTime(400);
    echoes.expect(() => told.push(2));
    const third = echoes.expect(() => told.push(3));
    echoes.cameBack(third);
    expect(jest.getTimerCount()).toBe(1);
    jest.advanceTimersByTime(599);
    expect(told).toEqual([3]);
    jest.advanceTimersByTime(1);
    expect(told).toEqual([3, 1]);
    echoes.cameBack(first);
    jest.advanceTimersByTime(399);
    expect(told).toEqual([3, 1]);
    jest.advanceTimersByTime(1);
    expect(told).toEqual([3, 1, 2]);
    expect(jest.getTimerCount()).toBe(0);
  });
});

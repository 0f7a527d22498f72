import { ThrottledLog } from './throttled-log';

describe('ThrottledLog', () => {
  it('logs the first warning of a kind per window, counts the rest, and tells the count with the next one', () => {
    const lines: string[] = [];
    const log = new ThrottledLog({ log: () => undefined, warn: (line) => void lines.push(line), error: () => undefined }, 1000);
    const now = jest.spyOn(Date, 'now').mockReturnValue(10_000);
    try {
      log.warn('refused', 'first');
      log.warn('refused', 'second');
      log.warn('refused', 'third');
      log.warn('timeout', 'another kind');
      now.mockReturnValue(11_000);
      log.warn('refused', 'fourth');
      log.warn('refused', 'fifth');
    } finally {
      now.mockRestore();
    }
    expect(lines).toEqual([
      'first event=refused',
      'another kind event=timeout',
      'fourth (and 2 more like it, not logged, in the 1 s before) event=refused',
    ]);
  });
});

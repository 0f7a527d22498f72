import { ChangeLog, type Change } from './change-log';

describe('ChangeLog', () => {
  const join = (i: number): Change => ['join', `c-${i}`];

  it('numbers changes from 1 and gives back those after a version, oldest first', () => {
    const log = new ChangeLog(8);
    expect(log.since(0)).toEqual([]);
    expect([1, 2, 3].map((i) => log.append(join(i)))).toEqual([1, 2, 3]);
    expect(log.version).toBe(3);
    expect(log.since(0)).toEqual([join(1), join(2), join(3)]);
    expect(log.since(2)).toEqual([join(3)]);
    expect(log.since(3)).toEqual([]);
  });

  it('answers null for a version it no longer reaches back to, or one it never had', () => {
    const log = new ChangeLog(4);
    for (let i = 1; i <= 10; i++) log.append(join(i));
    // Changes 7 to 10 are held: a view at version 6 can be brought up to date, one at 5 cannot.
    expect(log.since(6)).toEqual([join(7), join(8), join(9), join(10)]);
    expect(log.since(5)).toBeNull();
    expect(log.since(11)).toBeNull();
    expect(log.since(-1)).toBeNull();
  });
});

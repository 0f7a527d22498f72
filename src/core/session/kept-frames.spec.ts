import { OutgoingFrame } from '../conn';
import { KeptFrames } from './kept-frames';

const frame = (text: string) => new OutgoingFrame(text);
const texts = (frames: OutgoingFrame[] | null) => frames?.map((f) => f.text) ?? null;

describe('the frames a session keeps', () => {
  it('numbers every frame and gives back those after a count, in order, while they are kept', () => {
    const kept = new KeptFrames({ messages: 4, bytes: 1000 });
    for (let i = 1; i <= 10; i++) kept.push(frame(`f${i}`));
    expect(kept.count).toBe(10);
    expect(texts(kept.after(6))).toEqual(['f7', 'f8', 'f9', 'f10']);
    expect(texts(kept.after(9))).toEqual(['f10']);
    expect(texts(kept.after(10))).toEqual([]);
    // Older ones are forgotten; a count beyond what was written is not a count of this session.
    expect(kept.after(5)).toBeNull();
    expect(kept.after(11)).toBeNull();
    expect(kept.after(-1)).toBeNull();
    expect(kept.after(1.5)).toBeNull();
  });

  it('keeps within the byte limit too, but always the newest frame', () => {
    const kept = new KeptFrames({ messages: 100, bytes: 10 });
    kept.push(frame('aaaa'));
    kept.push(frame('bbbb'));
    kept.push(frame('cccc'));
    expect(texts(kept.after(1))).toEqual(['bbbb', 'cccc']);
    kept.push(frame('x'.repeat(50)));
    expect(texts(kept.after(3))).toEqual(['x'.repeat(50)]);
    expect(kept.after(2)).toBeNull();
  });

  it('keeps every frame while away, across the ring growing, and trims back once connected again', () => {
    const kept = new KeptFrames({ messages: 3, bytes: 1000 });
    for (let i = 1; i <= 5; i++) kept.push(frame(`f${i}`));
    kept.holdEverything(true);
    for (let i = 6; i <= 40; i++) kept.push(frame(`f${i}`));
    expect(texts(kept.after(2))).toEqual(Array.from({ length: 38 }, (_, i) => `f${i + 3}`));
    kept.holdEverything(false);
    expect(texts(kept.after(37))).toEqual(['f38', 'f39', 'f40']);
    expect(kept.after(36)).toBeNull();
    kept.push(frame('f41'));
    expect(texts(kept.after(38))).toEqual(['f39', 'f40', 'f41']);
  });
});

/** lib/core/channel-arrays.ts: a window's channels as views of one buffer. */
import { channelArrays } from '../../lib/core/channel-arrays';

describe('channel arrays', () => {
  it('gives `count` zero-filled arrays of `length` samples that share one buffer without overlapping', () => {
    const arrays = channelArrays(3, 4);
    expect(arrays.map((a) => a.length)).toEqual([4, 4, 4]);
    expect(arrays.every((a) => a.every((v) => v === 0))).toBe(true);
    expect(new Set(arrays.map((a) => a.buffer)).size).toBe(1);
    arrays[1]!.fill(7);
    expect([...arrays[0]!, ...arrays[2]!]).toEqual(new Array(8).fill(0));
    expect([...arrays[1]!]).toEqual([7, 7, 7, 7]);
  });

  it('handles no channels and empty windows', () => {
    expect(channelArrays(0, 10)).toEqual([]);
    expect(channelArrays(2, 0).map((a) => a.length)).toEqual([0, 0]);
  });
});

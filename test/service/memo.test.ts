/** The bounded, time-limited memo behind the authorisation cache (lib/service/memo.ts). */
import { createMemo } from '../../lib/service/memo';

describe('createMemo', () => {
  afterEach(() => jest.useRealTimers());

  it('reuses a lookup within its bound and looks up again once the bound has passed', async () => {
    jest.useFakeTimers({ now: 1_000_000 });
    const memo = createMemo<number>(8);
    let calls = 0;
    const load = async () => ++calls;
    expect(await memo.get('a', 5000, load)).toBe(1);
    jest.setSystemTime(1_000_000 + 4999);
    expect(await memo.get('a', 5000, load)).toBe(1);
    jest.setSystemTime(1_000_000 + 5000);
    expect(await memo.get('a', 5000, load)).toBe(2);
  });

  it('shares one lookup between concurrent misses, forgets failures, and looks up every time at 0', async () => {
    const memo = createMemo<number>(8);
    let calls = 0;
    const [a, b] = await Promise.all([
      memo.get('k', 1000, async () => ++calls),
      memo.get('k', 1000, async () => ++calls),
    ]);
    expect([a, b, calls]).toEqual([1, 1, 1]);
    await expect(memo.get('bad', 1000, () => Promise.reject(new Error('db down')))).rejects.toThrow(
      'db down',
    );
    await Promise.resolve();
    expect(await memo.get('bad', 1000, async () => 7)).toBe(7);
    expect(await memo.get('off', 0, async () => ++calls)).toBe(2);
    expect(await memo.get('off', 0, async () => ++calls)).toBe(3);
  });

  it('holds at most its size, dropping the least recently used entry', async () => {
    const memo = createMemo<string>(2);
    await memo.get('a', 1000, async () => 'a');
    await memo.get('b', 1000, async () => 'b');
    await memo.get('a', 1000, async () => 'a2'); // a is now the most recently used
    await memo.get('c', 1000, async () => 'c');
    expect(memo.size).toBe(2);
    expect(await memo.get('a', 1000, async () => 'a3')).toBe('a');
    expect(await memo.get('b', 1000, async () => 'b2')).toBe('b2');
  });
});

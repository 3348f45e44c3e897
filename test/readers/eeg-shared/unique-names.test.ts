/**
 * Duplicate channel names renamed as MNE's `_unique_channel_names` does, now in linear time: the same result
 * as the former (quadratic) implementation on small inputs, and 5 000 duplicate pairs without a hang.
 */
import fc from 'fast-check';
import { uniqueChannelNames } from '../../../lib/readers/eeg-shared/unique-names';
import { elapsedMs, HANG_BOUND_MS } from '../../helpers/linear-time';

/** The former implementation, verbatim but for the error: the reference for the renaming rules. */
function formerUniqueChannelNames(input: readonly string[]): string[] {
  const letters = 'abcdefghijklmnopqrstuvwxyz'.split('');
  const names = [...input];
  const seen = new Set<string>();
  const dups: string[] = [];
  for (const name of names) {
    if (seen.has(name) && !dups.includes(name)) dups.push(name);
    seen.add(name);
  }
  for (const stem of dups) {
    const positions = names.flatMap((n, i) => (n === stem ? [i] : []));
    positions.forEach((position, rank) => {
      const candidates = [String(rank), ...letters].map((suffix) => `${stem}-${suffix}`);
      const free = candidates.find((c) => !names.includes(c));
      if (free === undefined) throw new Error(`cannot make channel name "${stem}" unique`);
      names[position] = free;
    });
  }
  return names;
}

/** The result, or the fact that it throws. */
function outcome(
  rename: (names: readonly string[]) => string[],
  names: readonly string[],
): string[] | 'throws' {
  try {
    return rename(names);
  } catch {
    return 'throws';
  }
}

describe('uniqueChannelNames', () => {
  // Stems are renamed in the order of their first repeat (A repeats at index 2, before B at index 3).
  it('gives each occurrence of a duplicate its rank, then a letter when the rank name is taken', () => {
    expect(uniqueChannelNames(['Fz', 'Cz', 'Fz'])).toEqual(['Fz-0', 'Cz', 'Fz-1']);
    expect(uniqueChannelNames(['A', 'A', 'A-0'])).toEqual(['A-a', 'A-1', 'A-0']);
    expect(uniqueChannelNames(['B', 'A', 'A', 'B', 'A-0', 'A-0'])).toEqual([
      'B-0',
      'A-a',
      'A-1',
      'B-1',
      'A-0-0',
      'A-0-1',
    ]);
    expect(uniqueChannelNames(['x', 'y'])).toEqual(['x', 'y']);
  });

  it('fails when no suffix is free, as before', () => {
    const taken = ['0', ...'abcdefghijklmnopqrstuvwxyz'].map((s) => `A-${s}`);
    expect(() => uniqueChannelNames(['A', 'A', ...taken])).toThrow(/cannot make channel name "A" unique/);
  });

  it('agrees with the former implementation on generated name lists', () => {
    const name = fc.constantFrom('A', 'B', 'A-0', 'A-1', 'A-a', 'B-0', 'A-0-0', 'A-0-1', '', '-0');
    fc.assert(
      fc.property(fc.array(name, { maxLength: 14 }), (names) => {
        expect(outcome(uniqueChannelNames, names)).toEqual(outcome(formerUniqueChannelNames, names));
      }),
      { numRuns: 2000 },
    );
  });

  it('renames 5 000 duplicate pairs without a hang', () => {
    const names = Array.from({ length: 5000 }, (_, i) => [`E${i}`, `E${i}`]).flat();
    let renamed: string[] = [];
    expect(elapsedMs(() => (renamed = uniqueChannelNames(names)))).toBeLessThan(HANG_BOUND_MS);
    expect(renamed.slice(0, 4)).toEqual(['E0-0', 'E0-1', 'E1-0', 'E1-1']);
    expect(new Set(renamed).size).toBe(names.length);
  });

  it('renames 10 000 copies of one name without a hang', () => {
    const names = new Array<string>(10000).fill('Fz');
    let renamed: string[] = [];
    expect(elapsedMs(() => (renamed = uniqueChannelNames(names)))).toBeLessThan(HANG_BOUND_MS);
    expect(renamed[9999]).toBe('Fz-9999');
  });
});

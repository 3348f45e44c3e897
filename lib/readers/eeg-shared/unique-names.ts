/**
 * MNE's `_unique_channel_names`: every occurrence of a duplicated name gets a suffix "-<i>" (i = its rank among
 * the duplicates), or "-a".."-z" if that name is taken. Duplicated names are handled in the order their first
 * repeat appears. Linear in the number of names: the names in use are counted in a map instead of searched.
 */
import { quoteValue, unreadableRecording } from '../../core/errors';

const LETTERS = 'abcdefghijklmnopqrstuvwxyz'.split('');

/** The names in use, with how many channels carry each. */
class NameCounts {
  private readonly counts = new Map<string, number>();

  constructor(names: readonly string[]) {
    for (const name of names) this.add(name);
  }

  has(name: string): boolean {
    return (this.counts.get(name) ?? 0) > 0;
  }

  add(name: string): void {
    this.counts.set(name, (this.counts.get(name) ?? 0) + 1);
  }

  remove(name: string): void {
    this.counts.set(name, (this.counts.get(name) ?? 1) - 1);
  }
}

/** Each name that occurs more than once, with its positions, in the order of each name's first repeat. */
function duplicates(names: readonly string[]): Map<string, number[]> {
  const positions = new Map<string, number[]>();
  names.forEach((name, i) => {
    const list = positions.get(name);
    if (list) list.push(i);
    else positions.set(name, [i]);
  });
  const repeatAt = (list: number[]): number => list[1] ?? Infinity;
  const repeated = [...positions].filter(([, list]) => list.length > 1);
  return new Map(repeated.sort(([, a], [, b]) => repeatAt(a) - repeatAt(b)));
}

export function uniqueChannelNames(input: readonly string[]): string[] {
  const names = [...input];
  const inUse = new NameCounts(names);
  // Renaming one stem never creates or moves an occurrence of a later stem (a new name is always unused, and
  // a later stem is in use until its turn), so positions found on the input stay valid.
  for (const [stem, positions] of duplicates(input)) {
    positions.forEach((position, rank) => {
      const free = [String(rank), ...LETTERS].map((suffix) => `${stem}-${suffix}`).find((c) => !inUse.has(c));
      if (free === undefined)
        throw unreadableRecording(`cannot make channel name ${quoteValue(stem)} unique`);
      inUse.remove(stem);
      inUse.add(free);
      names[position] = free;
    });
  }
  return names;
}

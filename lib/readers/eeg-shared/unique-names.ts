/**
 * MNE's `_unique_channel_names`: every occurrence of a duplicated name gets a suffix "-<i>" (i = its rank among
 * the duplicates), or "-a".."-z" if that name is taken.
 */
import { unreadableRecording } from '../../core/errors';

const LETTERS = 'abcdefghijklmnopqrstuvwxyz'.split('');

export function uniqueChannelNames(input: readonly string[]): string[] {
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
      const candidates = [String(rank), ...LETTERS].map((suffix) => `${stem}-${suffix}`);
      const free = candidates.find((c) => !names.includes(c));
      if (free === undefined) throw unreadableRecording(`cannot make channel name "${stem}" unique`);
      names[position] = free;
    });
  }
  return names;
}

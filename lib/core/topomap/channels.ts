/** Channel helpers for topomaps: MNE 1.3's Vectorview gradiometer pairing and merging, default channel type. */
import type { MapChannelType } from './types';

export interface GradChannel {
  name: string;
}

export interface GradPairs {
  /** Indices into the input list, two per pair: [a0, b0, a1, b1, …]. */
  picks: number[];
  /** Merged names ('MEG 011x'): the first name of the pair with its last character replaced by 'x'. */
  names: string[];
}

/**
 * `_pair_grad_sensors` for Vectorview: grads named 'MEG…' ending in 2 or 3, keyed on name[-4:-1]; only complete
 * pairs, bad channels excluded, pairs in order of first appearance. The pair's position is its first channel's.
 */
export function pairGradSensors(grads: readonly GradChannel[], bads: readonly string[] = []): GradPairs {
  const bad = new Set(bads);
  const groups = new Map<string, number[]>();
  grads.forEach((ch, i) => {
    const { name } = ch;
    if (bad.has(name) || !name.startsWith('MEG') || !(name.endsWith('2') || name.endsWith('3'))) return;
    const key = name.slice(-4, -1);
    const group = groups.get(key) ?? [];
    group.push(i);
    groups.set(key, group);
  });
  const pairs = [...groups.values()].filter((g) => g.length === 2);
  return {
    picks: pairs.flat(),
    names: pairs.map((g) => `${grads[g[0]!]!.name.slice(0, -1)}x`),
  };
}

export type MergeMethod = 'rms' | 'mean';

/** `_merge_ch_data` for grads: rms √((a² + b²)/2) for amplitudes, mean for power (PSD). */
export function mergeGradValues(
  values: ArrayLike<number>,
  picks: readonly number[],
  method: MergeMethod = 'rms',
): number[] {
  const out: number[] = [];
  for (let k = 0; k + 1 < picks.length; k += 2) {
    const a = values[picks[k]!] ?? NaN;
    const b = values[picks[k + 1]!] ?? NaN;
    out.push(method === 'rms' ? Math.sqrt((a * a + b * b) / 2) : (a + b) / 2);
  }
  return out;
}

/** MNE's default map type: the first present of mag, grad, eeg (`_get_ch_type`). */
export const CHANNEL_TYPE_ORDER: readonly MapChannelType[] = ['mag', 'grad', 'eeg'];

export function defaultChannelType(present: Iterable<string>): MapChannelType | null {
  const have = new Set(present);
  return CHANNEL_TYPE_ORDER.find((t) => have.has(t)) ?? null;
}

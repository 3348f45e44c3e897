/** Standard montages against MNE 1.3's set_montage (scripts/golden/make_positions_golden.py). */
import { readFileSync } from 'node:fs';
import { matchMontage, montagePositions, MONTAGE_NAMES } from '../../../lib/readers/positions';
import { goldenPath } from '../../helpers/testdata';

interface Case {
  montage: string;
  names: string[];
  positions: (number | null)[][];
  positions_nocase: (number | null)[][];
}
const golden = JSON.parse(readFileSync(goldenPath('positions', 'set_montage.json'), 'utf8')) as {
  cases: Record<string, Case>;
};
const TOL = 1e-6;

function maxError(a: readonly number[], b: readonly (number | null)[]): number {
  return Math.max(...a.map((v, i) => Math.abs(v - (b[i] ?? NaN))));
}

describe.each(['test.bdf', 'test.vhdr'])('%s positions against MNE set_montage', (file) => {
  const c = golden.cases[file] as Case;

  it('gives every channel MNE positions (case-sensitive match) the same head-frame position within 1e-6 m', () => {
    const ours = new Map(montagePositions(c.montage, c.names).positions.map((p) => [p.name, p.r]));
    let compared = 0;
    c.names.forEach((name, i) => {
      const mne = c.positions[i] as (number | null)[];
      if (mne[0] === null) return;
      const r = ours.get(name);
      expect(r).toBeDefined();
      expect(maxError(r ?? [], mne)).toBeLessThanOrEqual(TOL);
      compared++;
    });
    expect(compared).toBeGreaterThan(10);
  });

  it('matches names case-insensitively as MNE with match_case=False, and reports the rest unmatched', () => {
    const match = montagePositions(c.montage, c.names);
    const ours = new Map(match.positions.map((p) => [p.name, p.r]));
    c.names.forEach((name, i) => {
      const mne = c.positions_nocase[i] as (number | null)[];
      if (mne[0] === null) expect(match.unmatched).toContain(name);
      else expect(maxError(ours.get(name) ?? [NaN], mne)).toBeLessThanOrEqual(TOL);
    });
  });
});

describe('matchMontage', () => {
  it('chooses standard_1005 for the 10-05 names of test.bdf, leaving MNE’s unplaced channels unmatched', () => {
    const c = golden.cases['test.bdf'] as Case;
    const match = matchMontage(c.names);
    expect(match.montage).toBe('standard_1005');
    const mneMissing = c.names.filter((_, i) => c.positions_nocase[i]?.[0] === null);
    expect(match.unmatched).toEqual(mneMissing);
  });

  it('breaks the standard_1005/standard_1020 tie of 10-20 names towards standard_1005 (same positions)', () => {
    const c = golden.cases['test.vhdr'] as Case;
    const match = matchMontage(c.names);
    expect(match.montage).toBe('standard_1005');
    expect(match.unmatched).toEqual([]);
    match.positions.forEach((p, i) =>
      expect(maxError(p.r, c.positions_nocase[i] ?? [])).toBeLessThanOrEqual(TOL),
    );
  });

  it('chooses the EGI and BioSemi montages for their own naming schemes', () => {
    const egi = [...Array.from({ length: 128 }, (_, i) => `E${i + 1}`), 'Cz'];
    expect(matchMontage(egi).montage).toBe('GSN-HydroCel-129');
    const labels = (letters: string) =>
      letters.split('').flatMap((l) => Array.from({ length: 32 }, (_, i) => `${l}${i + 1}`));
    // A1..D32 is the whole 128-channel cap (and part of the 160/256 ones): the largest cap named in full.
    expect(matchMontage(labels('ABCD')).montage).toBe('biosemi128');
    expect(matchMontage([...labels('ABCD'), 'EXG1', 'EXG2']).montage).toBe('biosemi128');
    expect(matchMontage(labels('ABCDEFGH')).montage).toBe('biosemi256');
    // A1..B32 is half of a cap: ambiguous (issue 16).
    expect(matchMontage(labels('AB')).montage).toBeNull();
    expect(matchMontage(['fp1', 'FZ', 'cz', 'Status']).unmatched).toEqual(['Status']);
  });

  it('returns no montage when no name is known', () => {
    expect(matchMontage(['foo', 'bar'])).toEqual({
      montage: null,
      positions: [],
      unmatched: ['foo', 'bar'],
      fiducials: null,
      rule: 'ambiguous',
    });
  });

  it('holds the montages the API promises, with head-frame fiducials on the axes', () => {
    for (const m of [
      'standard_1005',
      'standard_1020',
      'biosemi32',
      'biosemi64',
      'biosemi128',
      'GSN-HydroCel-129',
      'GSN-HydroCel-257',
      'easycap-M1',
    ]) {
      expect(MONTAGE_NAMES).toContain(m);
      const f = montagePositions(m, ['Cz']).fiducials;
      // In MNE's head frame the nasion lies on +y and LPA/RPA on the x axis.
      expect(Math.abs(f?.nasion[0] ?? 1)).toBeLessThan(1e-6);
      expect(Math.abs(f?.lpa[1] ?? 1)).toBeLessThan(1e-6);
      expect(Math.abs(f?.rpa[1] ?? 1)).toBeLessThan(1e-6);
    }
  });
});

/**
 * Reader tolerance = MNE's tolerance (issue 12) for FIF: mutated copies of shared files, one measurement-info
 * field each, against what MNE 1.3's read_raw_fif does with the same bytes (golden
 * test/golden/fif/fif_tolerance.json from scripts/golden/make_fif_tolerance_golden.py, which also holds the edits).
 * Where MNE opens, we open with its result (sfreq, first sample, sample count, channel names, bads, dev_head_t,
 * the first samples; for evoked files also tmin and nave); where MNE fails, we refuse with 422 unreadable_recording. Deliberate departures are listed
 * in DEPARTURES and in lib/readers/README.md.
 */
import { readFileSync } from 'node:fs';
import { isApiError } from '../../../lib/core/errors';
import { openFif } from '../../../lib/readers/fif';
import type { Recording } from '../../../lib/readers/types';
import { describeWithData, goldenPath, testDataPath } from '../../helpers/testdata';
import { loadBytes, oneFileFs } from './mutate';

interface Edit {
  op: 'set_i32' | 'set_f32' | 'set_bytes';
  offset: number;
  value?: number | null;
  hex?: string;
}

interface ToleranceCase {
  name: string;
  file: string;
  edits: Edit[];
  opens: boolean;
  sfreq?: number | null;
  first_samp?: number;
  n_times?: number;
  ch_names?: string[];
  bads?: string[];
  dev_head_t?: number[][] | null;
  /** Evoked cases (first condition of test-ave.fif.gz). */
  tmin?: number;
  nave?: number;
  same_data?: boolean;
  error?: string;
}

const text = readFileSync(goldenPath('fif', 'fif_tolerance.json'), 'utf8').replace(/\bNaN\b/g, 'null');
const golden = JSON.parse(text) as { cases: ToleranceCase[] };
const N_SAMPLES = 10;

/** Where we deliberately do not follow MNE, and what we answer instead. */
const DEPARTURES: Record<string, string> = {
  // MNE opens with sfreq -600 or NaN: no time axis, nothing can be mapped (as EDF's subnormal record duration)
  sfreq_negative: 'unreadable_recording',
  sfreq_nan: 'unreadable_recording',
};

function mutate(original: Uint8Array, edits: readonly Edit[]): Uint8Array {
  const copy = original.slice();
  const dv = new DataView(copy.buffer);
  for (const e of edits) {
    if (e.op === 'set_i32') dv.setInt32(e.offset, e.value ?? 0);
    else if (e.op === 'set_f32') dv.setFloat32(e.offset, e.value ?? Number.NaN);
    else copy.set(Buffer.from(e.hex ?? '', 'hex'), e.offset);
  }
  return copy;
}

describeWithData('FIF measurement-info tolerance against MNE 1.3', () => {
  const originals = new Map<string, Uint8Array>();
  const original = (file: string): Uint8Array => {
    const known = originals.get(file);
    if (known) return known;
    const bytes = loadBytes(testDataPath(...(file.split('/') as [string, string]))); // edits are of the plain file
    originals.set(file, bytes);
    return bytes;
  };
  const open = (bytes: Uint8Array, file: string): Promise<Recording> => {
    const path = `/f/${file.slice(file.lastIndexOf('/') + 1).replace(/\.gz$/, '')}`;
    return openFif(path, oneFileFs(path, bytes));
  };
  async function firstSamples(rec: Recording): Promise<Float64Array[]> {
    return rec.readWindow(
      rec.info.channels.map((_, i) => i),
      0,
      N_SAMPLES,
    );
  }

  it('covers the surveyed fields', () => {
    expect(golden.cases.length).toBeGreaterThanOrEqual(19);
  });

  it.each(golden.cases.map((c) => [c.name, c] as const))('%s', async (name, c) => {
    const outcome = await open(mutate(original(c.file), c.edits), c.file).then(
      (rec) => rec,
      (e: unknown) => {
        if (!isApiError(e)) throw e;
        return e.code;
      },
    );
    const expected = DEPARTURES[name] ?? (c.opens ? 'opens' : 'unreadable_recording');
    if (typeof outcome === 'string') {
      expect(outcome).toBe(expected);
      return;
    }
    const plain = await open(original(c.file), c.file);
    try {
      expect(expected).toBe('opens');
      const { info } = outcome;
      expect(info.sfreq).toBe(c.sfreq);
      expect(info.firstSample).toBe(c.first_samp);
      expect(info.nSamples).toBe(c.n_times);
      expect(info.channels.map((ch) => ch.name)).toEqual(c.ch_names);
      expect(info.bads).toEqual(c.bads);
      expect(info.devHeadT).toEqual(c.dev_head_t ?? null);
      if (c.tmin !== undefined) {
        expect(info.kind).toBe('evoked');
        expect(Math.abs(info.tmin - c.tmin)).toBeLessThanOrEqual(1e-12);
        expect(info.notes?.['nave']).toBe(c.nave);
      }
      expect(c.same_data).toBe(true);
      expect(await firstSamples(outcome)).toEqual(await firstSamples(plain));
    } finally {
      await outcome.close();
      await plain.close();
    }
  });
});

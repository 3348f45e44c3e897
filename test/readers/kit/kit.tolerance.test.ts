/**
 * Reader tolerance = MNE's tolerance (issue 12) for KIT: mutated copies of kit/test.sqd, one header field each,
 * against what MNE 1.3's read_raw_kit does with the same bytes (golden test/golden/kit/sqd_tolerance.json from
 * scripts/golden/make_kit_tolerance_golden.py, which also holds the edits). Where MNE opens, we open with its
 * result (sfreq, sample count, channel names, the first samples); where MNE fails, we refuse with an ApiError
 * (422 unreadable_recording; 415 for the format versions MNE calls unsupported). Deliberate departures are
 * listed in DEPARTURES and in lib/readers/README.md.
 */
import { readFileSync } from 'node:fs';
import { isApiError } from '../../../lib/core/errors';
import { openKit } from '../../../lib/readers/kit';
import { memoryFs } from '../../../lib/readers/source';
import { describeWithData, goldenPath, testDataPath } from '../../helpers/testdata';

interface Edit {
  op: 'set_i32' | 'set_f64';
  offset: number;
  value: number | null; // JSON has no NaN: the script writes NaN, parsed below
}

interface ToleranceCase {
  name: string;
  edits: Edit[];
  opens: boolean;
  sfreq?: number;
  n_times?: number;
  ch_names?: string[];
  same_data?: boolean;
  error?: string;
}

const raw = readFileSync(goldenPath('kit', 'sqd_tolerance.json'), 'utf8').replace(/\bNaN\b/g, 'null');
const golden = JSON.parse(raw) as { n_times: number; cases: ToleranceCase[] };
const PATH = '/k/test.sqd';
const N_SAMPLES = 20;

/** Where we deliberately do not follow MNE, and what we answer instead. */
const DEPARTURES: Record<string, string> = {
  // MNE opens with sfreq 0, -1000 or NaN: no time axis, nothing can be mapped (as the EDF subnormal duration)
  sampling_rate_zero: 'unreadable_recording',
  sampling_rate_negative: 'unreadable_recording',
  sampling_rate_nan: 'unreadable_recording',
  // MNE reports the announced 3000 samples and fails on windows past the 2000 stored: we open with the 2000
  sample_count_past_the_file: 'opens with the stored samples',
};

function mutate(original: Uint8Array, edits: readonly Edit[]): Uint8Array {
  const copy = original.slice();
  const dv = new DataView(copy.buffer);
  for (const e of edits) {
    const value = e.value ?? Number.NaN;
    if (e.op === 'set_i32') dv.setInt32(e.offset, value, true);
    else dv.setFloat64(e.offset, value, true);
  }
  return copy;
}

describeWithData('KIT header tolerance against MNE 1.3', () => {
  const original = new Uint8Array(readFileSync(testDataPath('kit', 'test.sqd')));

  async function firstSamples(bytes: Uint8Array): Promise<Float64Array[]> {
    const rec = await openKit(PATH, memoryFs(new Map([[PATH, bytes]])));
    try {
      const picks = rec.info.channels.map((_, i) => i);
      return await rec.readWindow(picks, 0, Math.min(N_SAMPLES, rec.info.nSamples));
    } finally {
      await rec.close();
    }
  }

  it('covers the surveyed fields', () => {
    expect(golden.cases.length).toBeGreaterThanOrEqual(15);
  });

  it.each(golden.cases.map((c) => [c.name, c] as const))('%s', async (name, c) => {
    const bytes = mutate(original, c.edits);
    const opened = await openKit(PATH, memoryFs(new Map([[PATH, bytes]]))).then(
      (rec) => rec,
      (e: unknown) => {
        if (!isApiError(e)) throw e;
        return e.code;
      },
    );
    const expected =
      DEPARTURES[name] ??
      (c.opens
        ? 'opens'
        : c.error?.startsWith('UnsupportedKITFormat')
          ? 'unsupported_format'
          : 'unreadable_recording');
    if (typeof opened === 'string') {
      expect(opened).toBe(expected);
      return;
    }
    try {
      const stored = expected === 'opens with the stored samples';
      expect(stored || expected === 'opens').toBe(true);
      expect(opened.info.sfreq).toBe(c.sfreq);
      expect(opened.info.nSamples).toBe(stored ? golden.n_times : c.n_times);
      expect(opened.info.channels.map((ch) => ch.name)).toEqual(c.ch_names);
    } finally {
      await opened.close();
    }
    expect(c.same_data).toBe(true);
    expect(await firstSamples(bytes)).toEqual(await firstSamples(original));
  });
});

/**
 * Reader tolerance = MNE's tolerance (issue 12): mutated in-memory copies of testdata_ctf_short_discontinuous.ds,
 * the .res4 edits and MNE 1.3's verdict on each taken from test/golden/ctf/ds_tolerance.json
 * (scripts/golden/make_ctf_tolerance_golden.py ran MNE on the same mutated files). Where MNE opens the file, it
 * proved its channels, dev_head_t and first 40 samples identical to the unmutated dataset (max difference 0.0), so ours must equal
 * the unmutated golden ds.json (≤ 1e-6); where MNE fails, ours is a 422 unreadable_recording.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { isApiError } from '../../../lib/core/errors';
import { openCtf } from '../../../lib/readers/ctf';
import { memoryFs } from '../../../lib/readers/source';
import { describeWithData, goldenPath, testDataPath } from '../../helpers/testdata';
import { DS_PATH_PARTS, expectClose, loadGolden } from './golden';

type Edit =
  | { op: 'set_i16' | 'set_i32'; offset: number; value: number }
  | { op: 'insert'; offset: number; hex: string }
  | { op: 'delete'; offset: number; length: number }
  | { op: 'truncate'; size: number };

interface ToleranceCase {
  edits: Edit[];
  mne: {
    opens: boolean;
    max_loc_diff?: number;
    max_dev_head_t_diff?: number;
    max_data_diff_first_40?: number;
    error?: string;
  };
}

const tolerance = JSON.parse(readFileSync(goldenPath('ctf', 'ds_tolerance.json'), 'utf8')) as {
  cases: Record<string, ToleranceCase>;
};
const DS = '/mem/testdata_ctf_short_discontinuous.ds';
const RES4 = `${DS}/testdata_ctf_short_discontinuous.res4`;
/** MNE 1.3 fails on a file without compensation records (len(None) in BaseRaw); we open it on purpose. */
const OPENS_ALTHOUGH_MNE_FAILS = new Set(['zero_compensation_records']);

/** Splices `insert` into `b` at `at` after removing `remove` bytes there. */
function splice(b: Uint8Array, at: number, remove: number, insert: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(b.length - remove + insert.length);
  out.set(b.subarray(0, at));
  out.set(insert, at);
  out.set(b.subarray(at + remove), at + insert.length);
  return out;
}

/** Applies the golden script's byte edits, in order, to a copy of `bytes`. */
function applyEdits(bytes: Uint8Array, edits: Edit[]): Uint8Array<ArrayBuffer> {
  let b: Uint8Array<ArrayBuffer> = new Uint8Array(bytes);
  for (const e of edits) {
    switch (e.op) {
      case 'set_i16':
        new DataView(b.buffer).setInt16(e.offset, e.value);
        break;
      case 'set_i32':
        new DataView(b.buffer).setInt32(e.offset, e.value);
        break;
      case 'insert':
        b = splice(b, e.offset, 0, Buffer.from(e.hex, 'hex'));
        break;
      case 'delete':
        b = splice(b, e.offset, e.length, new Uint8Array());
        break;
      case 'truncate':
        b = b.slice(0, e.size);
        break;
    }
  }
  return new Uint8Array(b);
}

describeWithData('CTF reader tolerates what MNE 1.3 tolerates, refuses what it refuses', () => {
  const dir = testDataPath(...DS_PATH_PARTS);
  const files = new Map(
    readdirSync(dir).map((f) => [join(DS, f), new Uint8Array(readFileSync(join(dir, f)))]),
  );
  const golden = loadGolden('ds.json');
  const mutated = (c: ToleranceCase) => {
    const copy = new Map(files);
    copy.set(RES4, applyEdits(files.get(RES4) ?? new Uint8Array(), c.edits));
    return memoryFs(copy);
  };

  const cases = Object.entries(tolerance.cases);
  const opening = cases.filter(([name, c]) => c.mne.opens || OPENS_ALTHOUGH_MNE_FAILS.has(name));
  const failing = cases.filter(([name, c]) => !c.mne.opens && !OPENS_ALTHOUGH_MNE_FAILS.has(name));

  it('covers the filter, run-description and compensation-count cases', () => {
    expect(opening.map(([n]) => n)).toEqual(
      expect.arrayContaining(['two_filter_records', 'negative_filter_count', 'zero_compensation_records']),
    );
    expect(failing.map(([n]) => n)).toEqual(
      expect.arrayContaining(['negative_compensation_count', 'compensation_count_past_the_file']),
    );
  });

  it.each(opening)('%s: opens with MNE’s sensors (≤ 1e-6)', async (_name, c) => {
    if (c.mne.opens) {
      expect(c.mne.max_loc_diff).toBe(0);
      expect(c.mne.max_dev_head_t_diff).toBe(0);
      expect(c.mne.max_data_diff_first_40).toBe(0);
    }
    const rec = await openCtf(DS, mutated(c));
    try {
      expect(rec.info.channels.map((ch) => ch.name)).toEqual(golden.channels.map((g) => g.name));
      golden.channels.forEach((g, i) =>
        expectClose(rec.info.channels[i]?.loc ?? [], g.loc, 0, 1e-6, `${g.name} loc`),
      );
      golden.dev_head_t.forEach((row, i) =>
        expectClose(rec.info.devHeadT?.[i] ?? [], row, 0, 1e-6, `dev_head_t[${i}]`),
      );
      // and the samples, so every map of the recording is MNE's
      const w = golden.windows[0]!;
      const data = await rec.readWindow(golden.picks, w.start, w.stop);
      golden.pick_names.forEach((name, k) =>
        expectClose(data[k] ?? [], w.data[k] ?? [], 2 ** -23, 0, `${name} [${w.start},${w.stop})`),
      );
    } finally {
      await rec.close();
    }
  });

  it.each(failing)('%s: unreadable_recording, as MNE fails', async (_name, c) => {
    const err = await openCtf(DS, mutated(c)).then(
      () => null,
      (e: unknown) => e,
    );
    expect(isApiError(err) ? err.code : err).toBe('unreadable_recording');
  });
});

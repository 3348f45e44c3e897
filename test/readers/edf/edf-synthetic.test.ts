/**
 * Small EDF+ and BDF+ files built by scripts/golden/make_edf_bv_golden.py (stored in the golden JSON with MNE's
 * reading of them): BDF+ annotations, a non-zero time-keeping TAL, several texts per TAL, UTF-8 text,
 * annotations clipped or dropped at the data edges, duplicate labels, µV/mV units, a negative trigger masked
 * to 17 bits. Needs no test recordings.
 */
import { openEdf } from '../../../lib/readers/edf';
import { memoryFs } from '../../../lib/readers/source';
import { expectEventsEqual, loadGolden, relativeError } from '../eeg-shared/golden';

interface SyntheticGolden extends ReturnType<typeof loadGolden> {
  file_base64: string;
}

describe.each([
  ['edf__synthetic_edfplus.json', '/s/synthetic.edf'],
  ['edf__synthetic_bdfplus.json', '/s/synthetic.bdf'],
])('%s', (file, path) => {
  const g = loadGolden(file) as SyntheticGolden;
  const open = () =>
    openEdf(path, memoryFs(new Map([[path, new Uint8Array(Buffer.from(g.file_base64, 'base64'))]])));

  it('has MNE names (duplicates suffixed), types, sfreq and length', async () => {
    const rec = await open();
    expect(rec.info.channels.map((c) => c.name)).toEqual(g.ch_names);
    expect(rec.info.channels.map((c) => c.type)).toEqual(g.types);
    expect(rec.info.sfreq).toBe(g.sfreq);
    expect(rec.info.nSamples).toBe(g.n_times);
    expect(rec.info.notes?.measDate).toBe(g.meas_date);
    expect(rec.info.format).toBe(path.endsWith('.bdf') ? 'bdf' : 'edf');
  });

  it('has MNE annotations: offsets from the first TAL, clipped, dropped, sorted', async () => {
    const rec = await open();
    expect(g.annotations.length).toBe(5);
    expectEventsEqual(
      (await rec.readEvents()).map((e) => ({ onset: e.onset, duration: e.duration, description: e.value })),
      g.annotations,
    );
  });

  it('has MNE data for every channel (trigger masked to 17 bits)', async () => {
    const rec = await open();
    const w = g.windows[0];
    if (!w) throw new Error('golden has no window');
    const data = await rec.readWindow(g.picks, w.start, w.stop);
    data.forEach((row, k) => expect(relativeError(row, w.data[k] ?? [])).toBeLessThan(1e-6));
    expect(Math.max(...(data[3] ?? []))).toBe(131071);
  });
});

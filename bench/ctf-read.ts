/**
 * Median open time and 1 s window time (all channels) of the CTF, KIT and FIF test recordings:
 * npx tsx bench/ctf-read.ts (timings live here, never in test/).
 */
import { openCtf } from '../lib/readers/ctf';
import { openFif } from '../lib/readers/fif';
import { openKit } from '../lib/readers/kit';
import type { Recording } from '../lib/readers/types';
import { localFs } from '../lib/readers/source';
import { testDataPath } from '../test/helpers/testdata';

const median = (xs: number[]): number =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

async function measure(label: string, open: () => Promise<Recording>, start: number): Promise<void> {
  const opens: number[] = [];
  const windows: number[] = [];
  for (let i = 0; i < 21; i++) {
    const t0 = performance.now();
    const rec = await open();
    const t1 = performance.now();
    const all = rec.info.channels.map((_, k) => k);
    await rec.readWindow(all, start, Math.min(rec.info.nSamples, start + Math.round(rec.info.sfreq)));
    const t2 = performance.now();
    await rec.close();
    opens.push(t1 - t0);
    windows.push(t2 - t1);
  }
  console.log(
    `${label}: open median ${median(opens).toFixed(2)} ms; 1 s window (all channels) median ${median(windows).toFixed(2)} ms`,
  );
}

async function main(): Promise<void> {
  // CTF: 356 channels at 1200 Hz, the window crosses the trial boundary at sample 1201
  await measure(
    'CTF .ds',
    () => openCtf(testDataPath('ctf', 'testdata_ctf_short_discontinuous.ds'), localFs),
    600,
  );
  await measure('KIT .sqd', () => openKit(testDataPath('kit', 'test.sqd'), localFs), 500);
  for (const file of ['sim_vectorview_raw.fif', 'test-ave.fif.gz']) {
    await measure(`FIF ${file}`, () => openFif(testDataPath('fif', file), localFs), 0);
  }
}

void main();

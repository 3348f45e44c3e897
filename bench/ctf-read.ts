/** Median open time and 1 s window time (all channels) of the CTF test dataset: npx tsx bench/ctf-read.ts */
import { openCtf } from '../lib/readers/ctf';
import { localFs } from '../lib/readers/source';
import { testDataPath } from '../test/helpers/testdata';

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

async function main(): Promise<void> {
  const path = testDataPath('ctf', 'testdata_ctf_short_discontinuous.ds');
  const opens: number[] = [];
  const windows: number[] = [];
  for (let i = 0; i < 21; i++) {
    const t0 = performance.now();
    const rec = await openCtf(path, localFs);
    const t1 = performance.now();
    const all = rec.info.channels.map((_, k) => k);
    await rec.readWindow(all, 600, 600 + rec.info.sfreq); // 1 s across the trial boundary
    const t2 = performance.now();
    await rec.close();
    opens.push(t1 - t0);
    windows.push(t2 - t1);
  }
  console.log(`open median ${median(opens).toFixed(2)} ms; 1 s window (356 ch) median ${median(windows).toFixed(2)} ms`);
}

void main();

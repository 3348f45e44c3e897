/**
 * Sensors route over HTTP (serverless-offline, standalone): first request for a file and warm medians for the
 * Vectorview FIF and the CTF .ds, against MNE 1.3 reading the same info (and computing head-frame positions)
 * in the same run. Goals: warm ≤ 5 ms, first ≤ 30 ms.  Run: npm run bench:sensors
 */
import { testDataPath } from '../test/helpers/testdata';
import { loadAverage, median, mne, serveCopies, timedGet } from './common';

const FILES = {
  vectorview: testDataPath('fif', 'sim_vectorview_raw.fif'),
  ctf: testDataPath('ctf', 'testdata_ctf_short_discontinuous.ds'),
};
const COPIES = Number(process.env.COPIES ?? 9);
const WARM = Number(process.env.WARM ?? 200);

async function main(): Promise<void> {
  const bench = await serveCopies(Object.values(FILES), COPIES + 1);
  const url = (file: string, copy: number): string =>
    `${bench.service.baseUrl}/ephys/${bench.idOf(file, copy)}/sensors`;
  const rows: Record<string, unknown>[] = [];
  try {
    // Warm the worker (module load) on copy 0 of each file, so "first" measures opening a recording only.
    for (const file of Object.values(FILES)) for (let i = 0; i < 5; i++) await timedGet(url(file, 0));
    const reference = mne(['sensors', ...Object.values(FILES)]) as Record<
      string,
      { medianMs: number }
    > | null;
    for (const [label, file] of Object.entries(FILES)) {
      const first: number[] = [];
      for (let k = 1; k <= COPIES; k++) first.push(await timedGet(url(file, k)));
      const warm: number[] = [];
      for (let i = 0; i < WARM; i++) warm.push(await timedGet(url(file, 0)));
      const mneMs = reference?.[file]?.medianMs ?? NaN;
      rows.push({
        recording: label,
        firstMedianMs: +median(first).toFixed(2),
        warmMedianMs: +median(warm).toFixed(2),
        mneReadInfoMs: +mneMs.toFixed(2),
        warmRatioToMne: +(median(warm) / mneMs).toFixed(3),
      });
    }
  } finally {
    await bench.close();
  }
  console.table(rows);
  console.log(JSON.stringify({ bench: 'sensors', loadAverage: loadAverage(), rows }));
}

void main();

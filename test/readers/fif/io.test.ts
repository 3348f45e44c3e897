/** I/O behaviour: bytes touched by a window read, directory vs sequential scan, gzip vs plain (timings: bench/ctf-read.ts). */
import { gzipSync } from 'node:zlib';
import { localFs, type ByteSource, type SourceFs } from '../../../lib/readers/source';
import { openFif } from '../../../lib/readers/fif';
import type { Recording } from '../../../lib/readers/types';
import { describeWithData, testDataPath } from '../../helpers/testdata';
import { loadBytes, oneFileFs, withInt32 } from './mutate';

/** localFs that remembers the sources it opened, so a test can read their byte counters. */
function countingFs(): { fs: SourceFs; sources: ByteSource[] } {
  const sources: ByteSource[] = [];
  return {
    sources,
    fs: { ...localFs, open: async (p) => sources[sources.push(await localFs.open(p)) - 1] as ByteSource },
  };
}

async function everything(rec: Recording, start: number, stop: number): Promise<number[][]> {
  const rows = await rec.readWindow(
    rec.info.channels.map((_, i) => i),
    start,
    stop,
  );
  return rows.map((r) => Array.from(r));
}

const DIR_POINTER_PAYLOAD = 16 + 20 + 16;

describeWithData('FIF I/O', () => {
  test('a 1 s window of sim_vectorview_raw.fif reads the window bytes, not the file', async () => {
    const { fs, sources } = countingFs();
    const rec = await openFif(testDataPath('fif', 'sim_vectorview_raw.fif'), fs);
    const source = sources[0] as ByteSource;
    const openBytes = source.bytesRead;
    const nchan = rec.info.channels.length;
    const oneSecond = Math.round(rec.info.sfreq);
    const start = 1500; // crosses the buffer boundary at 1803
    const before = source.bytesRead;
    await rec.readWindow(
      rec.info.channels.map((_, i) => i),
      start,
      start + oneSecond,
    );
    const windowRead = source.bytesRead - before;
    const windowBytes = oneSecond * nchan * 4;
    console.log(
      `sim_vectorview_raw.fif (${source.size} B): open read ${openBytes} B; 1 s window read ${windowRead} B ` +
        `for ${windowBytes} B of samples`,
    );
    expect(windowRead).toBeGreaterThanOrEqual(windowBytes);
    expect(windowRead).toBeLessThanOrEqual(1.05 * windowBytes);
    expect(openBytes).toBeLessThan(source.size / 25);
    await rec.close();
  });

  test('a file with a directory reads the same with the directory and by sequential scan', async () => {
    for (const path of [
      testDataPath('fif', 'brainvision_test_bin_raw.fif'),
      testDataPath('ctf', 'testdata_ctf_short_discontinuous.ds_raw.fif'), // its tag chain jumps forward and back
    ]) {
      const bytes = loadBytes(path);
      const viaDir = await openFif('/m/a_raw.fif', oneFileFs('/m/a_raw.fif', bytes));
      const viaScan = await openFif(
        '/m/a_raw.fif',
        oneFileFs('/m/a_raw.fif', withInt32(bytes, DIR_POINTER_PAYLOAD, -1)),
      );
      expect(viaScan.info).toEqual(viaDir.info);
      const n = viaDir.info.nSamples;
      expect(await everything(viaScan, n - 50, n)).toEqual(await everything(viaDir, n - 50, n));
    }
  });

  test('.fif.gz and the same bytes uncompressed give the same recording', async () => {
    const bytes = loadBytes(testDataPath('fif', 'brainvision_test_bin_raw.fif'));
    const plain = await openFif('/m/a_raw.fif', oneFileFs('/m/a_raw.fif', bytes));
    const gz = await openFif('/m/a_raw.fif.gz', oneFileFs('/m/a_raw.fif.gz', gzipSync(bytes)));
    expect(gz.info).toEqual(plain.info);
    expect(await everything(gz, 1990, 2010)).toEqual(await everything(plain, 1990, 2010));
  });

  test('window arguments are checked', async () => {
    const rec = await openFif(testDataPath('fif', 'brainvision_test_bin_raw.fif'), localFs);
    await expect(rec.readWindow([0], -1, 5)).rejects.toMatchObject({ status: 400 });
    await expect(rec.readWindow([0], 0, rec.info.nSamples + 1)).rejects.toMatchObject({ status: 400 });
    await expect(rec.readWindow([rec.info.channels.length], 0, 5)).rejects.toMatchObject({ status: 400 });
    expect(await rec.readWindow([0, 1], 7, 7)).toEqual([new Float64Array(0), new Float64Array(0)]);
    await rec.close();
    await expect(
      openFif(testDataPath('fif', 'test-ave.fif.gz'), localFs, { condition: 4 }),
    ).rejects.toMatchObject({
      status: 400,
    });
  });
});

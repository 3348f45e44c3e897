/**
 * CTF events: MarkerFile.mrk and bad.segments (synthetic texts from the golden, added to an in-memory copy of the
 * test dataset) give the annotations MNE 1.3 made from the same files (test/golden/ctf/ds_markers.json).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isApiError } from '../../../lib/core/errors';
import { openCtf } from '../../../lib/readers/ctf';
import { memoryFs } from '../../../lib/readers/source';
import { describeWithData, goldenPath, testDataPath } from '../../helpers/testdata';
import { DS_PATH_PARTS } from './golden';

interface MarkerGolden {
  marker_file: string;
  bad_segments: string;
  annotations: { onset: number; duration: number; description: string }[];
}

const golden = JSON.parse(readFileSync(goldenPath('ctf', 'ds_markers.json'), 'utf8')) as MarkerGolden;
const DS = '/mem/testdata_ctf_short_discontinuous.ds';
/** MNE's annotation times pass through datetime (microsecond resolution). */
const TIME_TOL = 1e-6;

let base: Map<string, Uint8Array> | null = null;

/** The test dataset in memory (read once), plus extra text files. */
function dataset(extra: Record<string, string>): Map<string, Uint8Array> {
  const dir = testDataPath(...DS_PATH_PARTS);
  base ??= new Map(readdirSync(dir).map((f) => [join(DS, f), new Uint8Array(readFileSync(join(dir, f)))]));
  const files = new Map(base);
  for (const [name, text] of Object.entries(extra)) files.set(join(DS, name), new TextEncoder().encode(text));
  return files;
}

describeWithData('CTF markers and bad segments as MNE annotations', () => {
  it('has no events without MarkerFile.mrk (bad.segments empty)', async () => {
    const rec = await openCtf(DS, memoryFs(dataset({})));
    expect(await rec.readEvents()).toEqual([]);
    await rec.close();
  });

  it('gives MNE annotations: sorted, out-of-range markers dropped, the last bad segment clipped', async () => {
    const rec = await openCtf(
      DS,
      memoryFs(dataset({ 'MarkerFile.mrk': golden.marker_file, 'bad.segments': golden.bad_segments })),
    );
    const ev = await rec.readEvents();
    expect(ev.map((e) => e.value)).toEqual(golden.annotations.map((a) => a.description));
    expect(ev.every((e) => e.type === 'annotation')).toBe(true);
    golden.annotations.forEach((a, i) => {
      expect(Math.abs((ev[i]?.onset ?? Number.NaN) - a.onset)).toBeLessThanOrEqual(TIME_TOL);
      expect(Math.abs((ev[i]?.duration ?? Number.NaN) - a.duration)).toBeLessThanOrEqual(TIME_TOL);
    });
    expect(golden.annotations).toHaveLength(6); // of 6 markers + 2 segments: 2 markers fall outside the data
    await rec.close();
  });

  it.each([
    ['no NUMBER OF MARKERS line', 'PATH OF DATASET:\nx\n'],
    ['a marker count of 10^9', 'NUMBER OF MARKERS:\n1000000000\n'],
    [
      'a missing marker block',
      'NUMBER OF MARKERS:\n3\nNAME:\na\nNUMBER OF SAMPLES:\n0\nLIST OF SAMPLES:\nTRIAL\n',
    ],
    [
      'a bad sample line',
      'NUMBER OF MARKERS:\n1\nNAME:\na\nNUMBER OF SAMPLES:\n1\nLIST OF SAMPLES:\nTRIAL\n x y\n',
    ],
    [
      'too few sample lines',
      'NUMBER OF MARKERS:\n1\nNAME:\na\nNUMBER OF SAMPLES:\n5\nLIST OF SAMPLES:\nTRIAL\n+0 +1.0\n',
    ],
  ])('rejects a MarkerFile.mrk with %s', async (_what, text) => {
    const err = await openCtf(DS, memoryFs(dataset({ 'MarkerFile.mrk': text }))).then(
      () => null,
      (e: unknown) => e,
    );
    expect(isApiError(err) ? err.code : err).toBe('unreadable_recording');
  });

  it('rejects a bad.segments line without numbers', async () => {
    const err = await openCtf(DS, memoryFs(dataset({ 'bad.segments': 'a b c\n' }))).then(
      () => null,
      (e: unknown) => e,
    );
    expect(isApiError(err) ? err.code : err).toBe('unreadable_recording');
  });
});

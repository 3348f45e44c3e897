/**
 * Optional CTF digitisation files: a .eeg electrode file and a .pos Polhemus file (synthetic texts from the golden,
 * added to an in-memory copy of the test dataset) give the EEG channel positions and dig points MNE 1.3 made from
 * the same files (test/golden/ctf/ds_eeg_pos.json).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isApiError } from '../../../lib/core/errors';
import { openCtf } from '../../../lib/readers/ctf';
import { memoryFs } from '../../../lib/readers/source';
import { describeWithData, goldenPath, testDataPath } from '../../helpers/testdata';
import { DS_PATH_PARTS, expectClose } from './golden';

interface EegPosGolden {
  eeg_file: string;
  eeg_file_name: string;
  pos_file: string;
  pos_file_name: string;
  channels: { name: string; loc: (number | null)[]; coord_frame: string }[];
  dig: { kind: string; ident: number; r: number[]; coord_frame: string }[];
}

const golden = JSON.parse(readFileSync(goldenPath('ctf', 'ds_eeg_pos.json'), 'utf8')) as EegPosGolden;
const DS = '/mem/testdata_ctf_short_discontinuous.ds';
const POS_TOL = 1e-6;
let base: Map<string, Uint8Array> | null = null;

function dataset(extra: Record<string, string>, drop: string[] = []): Map<string, Uint8Array> {
  const dir = testDataPath(...DS_PATH_PARTS);
  base ??= new Map(readdirSync(dir).map((f) => [join(DS, f), new Uint8Array(readFileSync(join(dir, f)))]));
  const files = new Map(base);
  for (const [name, text] of Object.entries(extra)) files.set(join(DS, name), new TextEncoder().encode(text));
  for (const name of drop) files.delete(join(DS, name));
  return files;
}

const withBoth = (): Record<string, string> => ({
  [golden.eeg_file_name]: golden.eeg_file,
  [golden.pos_file_name]: golden.pos_file,
});

describeWithData('CTF .eeg and .pos files as MNE reads them', () => {
  it('places .eeg positions on EEG channels by case-insensitive name; the others stay NaN as in MNE', async () => {
    const rec = await openCtf(DS, memoryFs(dataset(withBoth())));
    const eeg = rec.info.channels.filter((c) => c.type === 'eeg');
    expect(eeg.map((c) => c.name)).toEqual(golden.channels.map((c) => c.name));
    golden.channels.forEach((g, i) => {
      expectClose(eeg[i]?.loc ?? [], g.loc, 0, POS_TOL, `${g.name} loc`);
      expect(eeg[i]?.coordFrame).toBe(g.coord_frame);
    });
    expect(golden.channels.filter((c) => c.loc[0] !== null)).toHaveLength(3);
    await rec.close();
  });

  it('lists .hc fiducials, .eeg points (EEG, cardinal, extra) and .pos extras as MNE does (1e-6)', async () => {
    const rec = await openCtf(DS, memoryFs(dataset(withBoth())));
    expect(rec.info.dig.map((d) => [d.kind, d.ident, d.coordFrame])).toEqual(
      golden.dig.map((d) => [d.kind, d.ident, d.coord_frame]),
    );
    golden.dig.forEach((d, i) => expectClose(rec.info.dig[i]?.r ?? [], d.r, 0, POS_TOL, `dig ${i}`));
    expect(new Set(golden.dig.map((d) => d.kind))).toEqual(new Set(['cardinal', 'eeg', 'extra']));
    await rec.close();
  });

  it('ignores .pos files when there are two (MNE warns and adds none)', async () => {
    const rec = await openCtf(DS, memoryFs(dataset({ 'a.pos': golden.pos_file, 'b.pos': golden.pos_file })));
    expect(rec.info.dig.filter((d) => d.kind === 'extra')).toEqual([]);
    expect(rec.info.dig).toHaveLength(11); // 3 fiducials + 8 EEG from the channel records
    await rec.close();
  });

  it.each([
    ['a line of 4 fields', { [golden.eeg_file_name]: '1 EEG057 1.0 2.0\n' }, []],
    ['a non-numeric coordinate', { [golden.eeg_file_name]: '1 EEG057 1.0 x 2.0\n' }, []],
    [
      'no .hc to place it',
      { [golden.eeg_file_name]: golden.eeg_file },
      ['testdata_ctf_short_discontinuous.hc'],
    ],
  ])('rejects a .eeg file with %s', async (_what, extra, drop) => {
    const err = await openCtf(DS, memoryFs(dataset(extra, drop))).then(
      () => null,
      (e: unknown) => e,
    );
    expect(isApiError(err) ? err.code : err).toBe('unreadable_recording');
  });
});

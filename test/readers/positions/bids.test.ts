/** BIDS sidecars: parsing, discovery by naming and inheritance, and head-frame positions from them. */
import { readFileSync } from 'node:fs';
import { isApiError } from '../../../lib/core/errors';
import { memoryFs } from '../../../lib/readers/source';
import type { Vec3 } from '../../../lib/readers/positions';
import {
  bidsEntities,
  findSidecars,
  parseChannelsTsv,
  parseCoordsystemJson,
  parseElectrodesTsv,
  readBidsPositions,
} from '../../../lib/readers/positions';
import { goldenPath } from '../../helpers/testdata';

interface FiducialGolden {
  names: string[];
  native_mm: Vec3[];
  fiducials_mm: { nasion: Vec3; lpa: Vec3; rpa: Vec3 };
  head_m: Vec3[];
}
const fid = JSON.parse(
  readFileSync(goldenPath('positions', 'fiducial_transform.json'), 'utf8'),
) as FiducialGolden;
const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

const electrodesTsv = (): string =>
  [
    'name\tx\ty\tz\ttype',
    ...fid.names.map((n, i) => `${n}\t${(fid.native_mm[i] as Vec3).join('\t')}\tcup`),
    'X1\tn/a\tn/a\tn/a\tn/a',
  ].join('\n');

const coordsystem = (withLandmarks: boolean, system = 'Other'): string =>
  JSON.stringify({
    EEGCoordinateSystem: system,
    EEGCoordinateUnits: 'mm',
    ...(withLandmarks
      ? {
          AnatomicalLandmarkCoordinates: {
            NAS: fid.fiducials_mm.nasion.map((v) => v / 1000),
            LPA: fid.fiducials_mm.lpa.map((v) => v / 1000),
            RPA: fid.fiducials_mm.rpa.map((v) => v / 1000),
          },
          AnatomicalLandmarkCoordinateSystem: system,
          AnatomicalLandmarkCoordinateUnits: 'm',
        }
      : {}),
  });

const EEG_DIR = '/ds/sub-01/ses-1/eeg';
const RECORDING = `${EEG_DIR}/sub-01_ses-1_task-rest_run-1_eeg.edf`;

function dataset(extra: [string, string][] = []): Map<string, Uint8Array> {
  const files: [string, string][] = [
    [RECORDING, 'x'],
    [`${EEG_DIR}/sub-01_ses-1_space-Other_electrodes.tsv`, electrodesTsv()],
    [`${EEG_DIR}/sub-01_ses-1_space-Other_coordsystem.json`, coordsystem(true)],
    [`${EEG_DIR}/sub-01_ses-1_space-CTF_coordsystem.json`, coordsystem(false, 'CTF')],
    [
      `${EEG_DIR}/sub-01_ses-1_task-rest_run-1_channels.tsv`,
      'name\ttype\tunits\tstatus\nCz\tEEG\tuV\tbad\nFz\tEEG\tuV\tgood',
    ],
    [`${EEG_DIR}/sub-01_ses-1_task-other_run-1_channels.tsv`, 'name\ttype\tunits\tstatus\nPz\tEEG\tuV\tbad'],
    ...extra,
  ];
  return new Map(files.map(([p, t]) => [p, enc(t)]));
}

describe('BIDS parsing', () => {
  it('reads electrodes.tsv with n/a as NaN and the type column', () => {
    const e = parseElectrodesTsv('name\tx\ty\tz\ttype\r\nCz\t0\t0.1\t1e-1\tcup\nA\tn/a\t1\t2\tn/a\n');
    expect(e[0]).toEqual({ name: 'Cz', r: [0, 0.1, 0.1], type: 'cup' });
    expect(e[1]?.r[0]).toBeNaN();
    expect(e[1]?.type).toBeUndefined();
  });

  it('reads channels.tsv status', () => {
    const c = parseChannelsTsv('name\ttype\tunits\tstatus\nCz\tEEG\tuV\tbad\nFz\tEEG\tuV\tn/a');
    expect(c.map((x) => x.status)).toEqual(['bad', 'n/a']);
  });

  it('rescales landmarks to the electrodes’ unit and drops landmarks of another system', () => {
    const c = parseCoordsystemJson(coordsystem(true));
    expect(c.unit).toBe('mm');
    expect(Math.abs((c.fiducials?.nasion[1] ?? 0) - fid.fiducials_mm.nasion[1])).toBeLessThan(1e-9);
    const other = JSON.parse(coordsystem(true)) as Record<string, unknown>;
    other.AnatomicalLandmarkCoordinateSystem = 'T1w';
    expect(parseCoordsystemJson(JSON.stringify(other)).fiducials).toBeUndefined();
  });

  it('reports broken sidecars as unreadable_recording', () => {
    for (const bad of [
      () => parseCoordsystemJson('{'),
      () => parseCoordsystemJson('{"EEGCoordinateSystem": 3}'),
      () => parseElectrodesTsv('a\tb\nc\td'),
    ]) {
      let err: unknown;
      try {
        bad();
      } catch (e) {
        err = e;
      }
      expect(isApiError(err) && err.code).toBe('unreadable_recording');
    }
  });

  it('parses BIDS entities', () => {
    const { entities, suffix } = bidsEntities('sub-01_ses-2_task-rest_run-1_eeg.vhdr');
    expect([...entities]).toEqual([
      ['sub', '01'],
      ['ses', '2'],
      ['task', 'rest'],
      ['run', '1'],
    ]);
    expect(suffix).toBe('eeg');
  });
});

describe('BIDS sidecars beside a recording', () => {
  it('finds the electrodes, the coordsystem of the same space and the channels.tsv of the same task/run', async () => {
    const found = await findSidecars(RECORDING, memoryFs(dataset()));
    expect(found).toEqual({
      electrodes: `${EEG_DIR}/sub-01_ses-1_space-Other_electrodes.tsv`,
      coordsystem: `${EEG_DIR}/sub-01_ses-1_space-Other_coordsystem.json`,
      channels: `${EEG_DIR}/sub-01_ses-1_task-rest_run-1_channels.tsv`,
    });
  });

  it('inherits a channels.tsv from a parent folder when none is beside the recording', async () => {
    const files = dataset([
      ['/ds/sub-01/sub-01_task-rest_channels.tsv', 'name\ttype\tunits\tstatus\nO1\tEEG\tuV\tbad'],
    ]);
    files.delete(`${EEG_DIR}/sub-01_ses-1_task-rest_run-1_channels.tsv`);
    const found = await findSidecars(RECORDING, memoryFs(files));
    expect(found.channels).toBe('/ds/sub-01/sub-01_task-rest_channels.tsv');
  });

  it('gives MNE’s head-frame positions (landmark transform) within 1e-7 m, NaN for n/a, and the bads', async () => {
    const result = await readBidsPositions(RECORDING, memoryFs(dataset()));
    expect(result?.usedFiducials).toBe(true);
    expect(result?.bads).toEqual(['Cz']);
    const positions = result?.positions ?? [];
    expect(positions).toHaveLength(fid.names.length + 1);
    fid.head_m.forEach((h, i) => {
      const r = positions[i]?.r ?? [NaN, NaN, NaN];
      expect(Math.max(...r.map((v, k) => Math.abs(v - (h[k] as number))))).toBeLessThan(1e-7);
    });
    expect(positions.at(-1)?.r.every(Number.isNaN)).toBe(true);
  });

  it('returns null for a recording without BIDS sidecars', async () => {
    const fs = memoryFs(new Map([['/x/rec.edf', enc('x')]]));
    expect(await readBidsPositions('/x/rec.edf', fs)).toBeNull();
  });
});

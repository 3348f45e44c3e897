/** Frame conversion against MNE 1.3 (get_ras_to_neuromag_trans / transform_to_head, EEGLAB's chanlocs rule). */
import { readFileSync } from 'node:fs';
import { isApiError } from '../../../lib/core/errors';
import { readMat5 } from '../../../lib/readers/mat/mat5';
import { parseEegSet } from '../../../lib/readers/eeglab/set';
import type { Vec3 } from '../../../lib/readers/positions';
import { rasToNeuromagTrans, systemOrientation, toHeadFrame } from '../../../lib/readers/positions';
import { describeWithData, goldenPath, testDataPath } from '../../helpers/testdata';

interface FiducialGolden {
  names: string[];
  native_mm: Vec3[];
  fiducials_mm: { nasion: Vec3; lpa: Vec3; rpa: Vec3 };
  head_m: Vec3[];
  trans: number[][];
}
const fid = JSON.parse(
  readFileSync(goldenPath('positions', 'fiducial_transform.json'), 'utf8'),
) as FiducialGolden;

const maxError = (a: readonly number[], b: readonly (number | null)[]): number =>
  Math.max(...a.map((v, i) => Math.abs(v - (b[i] ?? NaN))));

describe('toHeadFrame with fiducials (MNE transform_to_head of standard_1020’s MRI-frame positions)', () => {
  it('builds MNE’s get_ras_to_neuromag_trans', () => {
    const m = fid.fiducials_mm;
    const t = rasToNeuromagTrans({
      nasion: m.nasion.map((v) => v / 1000) as Vec3,
      lpa: m.lpa.map((v) => v / 1000) as Vec3,
      rpa: m.rpa.map((v) => v / 1000) as Vec3,
    });
    t.forEach((row, i) => expect(maxError(row, fid.trans[i] ?? [])).toBeLessThan(1e-12));
  });

  it.each(['ACPC', 'Other'])('puts mm points of system %s in MNE’s head frame within 1e-7 m', (system) => {
    const points = fid.names.map((name, i) => ({ name, r: fid.native_mm[i] as Vec3 }));
    const head = toHeadFrame(points, 'mm', system, fid.fiducials_mm);
    // MNE's own transform uses float32 fiducials (~1e-8 m of rounding); the matrix above is exact.
    head.forEach((p, i) => expect(maxError(p.r, fid.head_m[i] ?? [])).toBeLessThan(1e-7));
  });

  it('gives the same answer from cm as from mm', () => {
    const cm = fid.names.map((name, i) => ({
      name,
      r: (fid.native_mm[i] as Vec3).map((v) => v / 10) as Vec3,
    }));
    const f = fid.fiducials_mm;
    const fcm = {
      nasion: f.nasion.map((v) => v / 10) as Vec3,
      lpa: f.lpa.map((v) => v / 10) as Vec3,
      rpa: f.rpa.map((v) => v / 10) as Vec3,
    };
    toHeadFrame(cm, 'cm', 'ACPC', fcm).forEach((p, i) =>
      expect(maxError(p.r, fid.head_m[i] ?? [])).toBeLessThan(1e-7),
    );
  });
});

describeWithData('toHeadFrame by orientation', () => {
  it('converts EEGLAB (ALS, mm) chanlocs exactly as MNE’s read_raw_eeglab does', () => {
    const set = parseEegSet(
      readMat5(readFileSync(testDataPath('eeglab', 'test_raw_chanloc.set')), 'set'),
      'set',
    );
    const golden = JSON.parse(readFileSync(goldenPath('eeglab', 'test_raw_chanloc.json'), 'utf8')) as {
      loc: (number | null)[][];
    };
    const points = set.chanlocs.map((c) => ({ name: c.label, r: c.xyz as Vec3 }));
    toHeadFrame(points, 'mm', 'EEGLAB', undefined).forEach((p, i) => {
      expect(maxError(p.r, (golden.loc[i] ?? []).slice(0, 3))).toBeLessThan(1e-12);
    });
  });
});

describe('orientations', () => {
  const p = [{ name: 'a', r: [10, 20, 30] as Vec3 }];
  it('maps ALS (CTF), RAS (CapTrak) and LPS axes onto head x right, y anterior, z up', () => {
    expect(toHeadFrame(p, 'mm', 'CTF')[0]?.r).toEqual([-0.02, 0.01, 0.03]);
    expect(toHeadFrame(p, 'm', 'CapTrak')[0]?.r).toEqual([10, 20, 30]);
    expect(toHeadFrame(p, 'cm', 'LPS')[0]?.r).toEqual([-0.1, -0.2, 0.3]);
    expect(systemOrientation('MNI152NLin2009cAsym')).toBe('RAS');
    expect(systemOrientation('RRS')).toBeNull();
  });

  it('keeps n/a coordinates NaN', () => {
    const r = toHeadFrame([{ name: 'x', r: [NaN, 1, 2] }], 'm', 'EEGLAB')[0]?.r ?? [];
    expect(r[0]).toBe(-1);
    expect(r[1]).toBeNaN();
  });

  it('refuses a system of unknown orientation without fiducials (unsupported_format)', () => {
    let err: unknown;
    try {
      toHeadFrame(p, 'mm', 'Other');
    } catch (e) {
      err = e;
    }
    expect(isApiError(err) && err.code).toBe('unsupported_format');
  });
});

/**
 * The DICOM study check on archives made with dcmjs (scripts/make-dicom-study.ts): studies and series with their
 * file counts, LORIS-MRI's PatientName rule, non-DICOM files as warnings, no DICOM at all as an error.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkArchive, checkDirectory } from '../../lib/uploads/check';
import { DICOM_HEADER_BYTES } from '../../lib/uploads/check/dicom';
import type { UploadReport, UploadTarget } from '../../lib/uploads/types';
import { makeDicomArchive, type DicomArchiveSpec } from '../helpers/dicom-study';

const TARGET: UploadTarget = {
  kind: 'dicom',
  filename: 'MTL001_300001_V1.tar.gz',
  pscid: 'MTL001',
  candid: '300001',
  visit: 'V1',
  isPhantom: false,
};

let work: string;
let counter = 0;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'upload-check-dicom-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

async function checkStudy(spec: DicomArchiveSpec, target: UploadTarget = TARGET): Promise<UploadReport> {
  counter += 1;
  const dir = join(work, `case${counter}`);
  await mkdir(join(dir, 'scratch'), { recursive: true });
  const archive = await makeDicomArchive(dir, `study.${spec.format ?? 'tar.gz'}`, spec);
  return checkArchive(archive, target, { scratchDir: join(dir, 'scratch') });
}

const codes = (report: UploadReport, level: string): string[] =>
  report.lines.filter((l) => l.level === level).map((l) => l.code);

describe('upload check: DICOM study', () => {
  it('groups a valid study into its series with their file counts', async () => {
    for (const format of ['tar.gz', 'zip'] as const) {
      const report = await checkStudy({ patientName: 'MTL001_300001_V1', format });
      expect(report.errors).toEqual([]);
      expect(report.warnings).toEqual([]);
      expect(report.ok).toBe(true);
      const series = [...report.series].sort((a, b) => (a.seriesNumber ?? 0) - (b.seriesNumber ?? 0));
      expect(series.map((s) => [s.seriesNumber, s.seriesDescription, s.modality, s.files])).toEqual([
        [1, 't1_mprage', 'MR', 3],
        [2, 't2_tse', 'MR', 2],
      ]);
      expect(new Set(series.map((s) => s.studyInstanceUid)).size).toBe(1);
      expect(series[0]?.seriesInstanceUid).not.toBe(series[1]?.seriesInstanceUid);
      expect(codes(report, 'info')).toEqual(['series', 'series']);
    }
  });

  it('accepts a PatientName that starts with PSCID_CandID_Visit, refuses one that does not', async () => {
    expect((await checkStudy({ patientName: 'MTL001_300001_V1_scan2' })).ok).toBe(true);
    const wrong = await checkStudy({ patientName: 'MTL001_300002_V1' });
    expect(wrong.ok).toBe(false);
    expect(codes(wrong, 'error')).toEqual(['patient_name_mismatch', 'patient_name_mismatch']);
    expect(wrong.errors.join('\n')).toContain('"MTL001_300002_V1"');
    expect(wrong.series.map((s) => s.files).sort()).toEqual([2, 3]);
  });

  it('reads headers only: an image larger than the header budget is read up to its pixel data', async () => {
    const side = Math.ceil(Math.sqrt(DICOM_HEADER_BYTES / 2)) + 16; // 16-bit pixels past the budget
    const report = await checkStudy({
      patientName: 'MTL001_300001_V1',
      series: [{ number: 7, description: 'big', images: 2, side }],
    });
    expect(report.bytes).toBeGreaterThan(2 * DICOM_HEADER_BYTES);
    expect(report.errors).toEqual([]);
    expect(report.warnings).toEqual([]);
    expect(report.series.map((s) => [s.seriesNumber, s.files])).toEqual([[7, 2]]);
  });

  it('does not check the PatientName of phantoms', async () => {
    const report = await checkStudy({ patientName: 'lego_phantom_20260101' }, { ...TARGET, isPhantom: true });
    expect(report.ok).toBe(true);
  });

  it('warns about files that are not DICOM, and refuses an archive without any DICOM', async () => {
    const mixed = await checkStudy({
      patientName: 'MTL001_300001_V1',
      notDicom: { 'README.txt': 'scanner notes' },
    });
    expect(mixed.ok).toBe(true);
    expect(codes(mixed, 'warning')).toEqual(['not_dicom']);

    const none = await checkStudy({ patientName: 'x', series: [], notDicom: { 'a.txt': 'a', 'b.jpg': 'b' } });
    expect(none.ok).toBe(false);
    expect(codes(none, 'error')).toEqual(['no_dicom']);
    expect(codes(none, 'warning')).toEqual(['not_dicom', 'not_dicom']);
  });

  it('reads a folder as it reads the archive of it', async () => {
    counter += 1;
    const dir = join(work, `case${counter}`);
    await mkdir(join(dir, 'scratch'), { recursive: true });
    const archive = await makeDicomArchive(dir, 'study.tar.gz', { patientName: 'MTL001_300001_V1' });
    const packed = await checkArchive(archive, TARGET, { scratchDir: join(dir, 'scratch') });
    const folder = await checkDirectory(join(dir, 'study'), TARGET, { scratchDir: join(dir, 'scratch') });
    expect(folder).toEqual(packed);
  });
});

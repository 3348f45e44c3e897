/**
 * The DICOM study check on archives made with dcmjs (scripts/make-dicom-study.ts): studies and series with their
 * file counts, LORIS-MRI's PatientName rule, non-DICOM files as warnings, no DICOM at all as an error.
 */
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkArchive, checkDirectory } from '../../lib/uploads/check';
import { DICOM_HEADER_BYTES } from '../../lib/uploads/check/dicom';
import type { UploadReport, UploadTarget } from '../../lib/uploads/types';
import { packTarGz } from '../helpers/bids-session';
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
  it('keeps bounded values of what a file declares: long descriptions and names shortened, long UIDs refused', async () => {
    const long = (prefix: string) => `${prefix}${'x'.repeat(60_000 - prefix.length)}`;
    const report = await checkPatched({
      [PATIENT_NAME]: long('MTL001_300001_V1_'),
      [DESCRIPTION]: long('d'),
    });
    expect(report.ok).toBe(true);
    expect(report.series.map((s) => s.seriesDescription.length)).toEqual([65, 65]); // 64 and an ellipsis
    expect(JSON.stringify(report).length).toBeLessThan(4000);
    const wrong = await checkPatched({ [PATIENT_NAME]: long('MTL001_300002_V1_') });
    expect(codes(wrong, 'error')).toEqual(['patient_name_mismatch', 'patient_name_mismatch']);
    expect(JSON.stringify(wrong).length).toBeLessThan(4000);
    const uids = await checkPatched({ [STUDY_UID]: `1.2.${'3'.repeat(996)}` });
    expect(codes(uids, 'error')).toEqual(['no_dicom']);
    expect(new Set(codes(uids, 'warning'))).toEqual(new Set(['dicom_invalid_uid']));
  });
});

/** Explicit VR element headers (tag, VR) of the values patched in. */
const PATIENT_NAME = '10001000504e'; // (0010,0010) PN
const DESCRIPTION = '08003e104c4f'; // (0008,103E) LO
const STUDY_UID = '20000d005549'; // (0020,000D) UI

/** The Part 10 file with the (explicit VR, 16-bit length) elements named by their header given new values. */
function patched(file: Buffer, values: Record<string, string>): Buffer {
  let out = file;
  for (const [element, value] of Object.entries(values)) {
    const head = Buffer.from(element, 'hex');
    const at = out.indexOf(head);
    expect(at).toBeGreaterThan(0);
    const length = out.readUInt16LE(at + 6);
    const bytes = Buffer.from(value.length % 2 === 0 ? value : `${value} `);
    const header = Buffer.alloc(8);
    head.copy(header);
    header.writeUInt16LE(bytes.length, 6);
    out = Buffer.concat([out.subarray(0, at), header, bytes, out.subarray(at + 8 + length)]);
  }
  return out;
}

/** The default study with every file patched, packed as tar.gz and checked. */
async function checkPatched(values: Record<string, string>): Promise<UploadReport> {
  counter += 1;
  const dir = join(work, `case${counter}`);
  await makeDicomArchive(dir, 'unpatched.tar.gz', { patientName: 'MTL001_300001_V1' });
  for (const entry of await readdir(join(dir, 'study'), { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = join(entry.parentPath, entry.name);
    await writeFile(file, patched(await readFile(file), values));
  }
  await packTarGz(join(dir, 'study'), join(dir, 'patched.tar.gz'));
  await mkdir(join(dir, 'scratch'));
  return checkArchive(join(dir, 'patched.tar.gz'), TARGET, { scratchDir: join(dir, 'scratch') });
}

/** DICOM study archives for the upload check, made by scripts/make-dicom-study.ts (dcmjs), packed as uploaded. */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DEFAULT_SERIES, writeDicomStudy, type SeriesSpec } from '../../scripts/make-dicom-study';
import { packTarGz, packZip } from './bids-session';

export interface DicomArchiveSpec {
  patientName: string;
  series?: SeriesSpec[];
  /** Extra files that are not DICOM (a README, an OS's litter). */
  notDicom?: Record<string, string>;
  format?: 'tar.gz' | 'zip';
}

/** Writes the study under `<dir>/study` and packs it into `<dir>/<name>`; answers the archive's path. */
export async function makeDicomArchive(dir: string, name: string, spec: DicomArchiveSpec): Promise<string> {
  const study = join(dir, 'study');
  await mkdir(study, { recursive: true });
  await writeDicomStudy(study, { patientName: spec.patientName, series: spec.series ?? DEFAULT_SERIES });
  for (const [file, content] of Object.entries(spec.notDicom ?? {}))
    await writeFile(join(study, file), content);
  const out = join(dir, name);
  await (spec.format === 'zip' ? packZip(study, out) : packTarGz(study, out));
  return out;
}

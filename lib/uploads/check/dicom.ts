/**
 * The DICOM study check (`kind: 'dicom'`). Nothing is extracted: of each file, at most DICOM_HEADER_BYTES first
 * bytes are kept in memory and parsed with dicom-parser, stopping at the pixel data. Files are grouped into
 * studies and series; as LORIS-MRI's ImagingUpload does, files that are not DICOM are warnings, no DICOM at all is
 * an error, and every DICOM file's PatientName must start with `PSCID_CandID_Visit` (not checked for phantoms).
 */
import { parseDicom, type DataSet } from 'dicom-parser';
import { quoteValue, shortened } from '../../core/errors';
import type { SeriesSummary, UploadTarget } from '../types';
import type { EntryHeader, EntrySink } from './archive';
import type { ReportBuilder } from './report';
import { headSink } from './sinks';

/** Header bytes read per file: far more than any header needs, small enough to hold one at a time. */
export const DICOM_HEADER_BYTES = 4 * 1024 * 1024;
const PIXEL_DATA = 'x7fe00010';

const TAGS = {
  studyInstanceUid: 'x0020000d',
  seriesInstanceUid: 'x0020000e',
  seriesNumber: 'x00200011',
  seriesDescription: 'x0008103e',
  modality: 'x00080060',
  patientName: 'x00100010',
} as const;

interface SeriesTally extends SeriesSummary {
  /** The folder of its first file, as the report's item. */
  folder: string;
  /** PatientName → files with it. */
  patientNames: Map<string, number>;
}

const text = (dataSet: DataSet, tag: string): string => dataSet.string(tag)?.trim() ?? '';

/**
 * What is kept per series lives until the end of the walk (up to maxEntries files): a file may declare strings
 * of 64 KiB and more, so only bounded values are kept. UIDs are at most 64 characters in DICOM (PS3.5 §9.1);
 * longer ones are not shortened (two UIDs could become one) but refused. Descriptions are kept shortened.
 */
const MAX_UID_CHARS = 64;
const MAX_DESCRIPTION_CHARS = 64;
const MAX_MODALITY_CHARS = 16;
/** PatientNames are kept to this many characters beyond the expected prefix (enough to judge and show them). */
const MAX_NAME_EXTRA_CHARS = 80;

/** True when the bytes carry the Part 10 `DICM` marker after the 128-byte preamble. */
const hasDicmMarker = (bytes: Uint8Array): boolean =>
  bytes.length >= 132 &&
  bytes[128] === 0x44 &&
  bytes[129] === 0x49 &&
  bytes[130] === 0x43 &&
  bytes[131] === 0x4d;

export class DicomCollector {
  private readonly series = new Map<string, SeriesTally>();

  constructor(
    private readonly target: UploadTarget,
    private readonly report: ReportBuilder,
  ) {}

  /** The walk's visitor: every file's first bytes go to `parse`. */
  readonly visit = async (entry: EntryHeader): Promise<EntrySink | null> =>
    entry.kind === 'file'
      ? headSink(entry, DICOM_HEADER_BYTES, (bytes, whole) => this.parse(entry.path, bytes, whole))
      : null;

  private parse(path: string, bytes: Uint8Array, whole: boolean): void {
    let dataSet: DataSet;
    try {
      dataSet = parseDicom(bytes, { untilTag: PIXEL_DATA });
    } catch (error) {
      this.notParsed(path, bytes, whole, error);
      return;
    }
    const study = text(dataSet, TAGS.studyInstanceUid);
    const seriesUid = text(dataSet, TAGS.seriesInstanceUid);
    if (study === '' || seriesUid === '') {
      this.report.warning(
        path,
        'dicom_without_series',
        `${quoteValue(path)} is DICOM without study/series UIDs: ignored`,
      );
      return;
    }
    if (study.length > MAX_UID_CHARS || seriesUid.length > MAX_UID_CHARS) {
      this.report.warning(
        path,
        'dicom_invalid_uid',
        `${quoteValue(path)} has a study or series UID longer than ${MAX_UID_CHARS} characters: ignored`,
      );
      return;
    }
    const key = `${study}\n${seriesUid}`;
    const tally = this.series.get(key) ?? {
      studyInstanceUid: study,
      seriesInstanceUid: seriesUid,
      seriesNumber: dataSet.intString(TAGS.seriesNumber) ?? null,
      seriesDescription: shortened(text(dataSet, TAGS.seriesDescription), MAX_DESCRIPTION_CHARS),
      modality: shortened(text(dataSet, TAGS.modality), MAX_MODALITY_CHARS),
      files: 0,
      folder: shortened(path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '.'),
      patientNames: new Map<string, number>(),
    };
    tally.files += 1;
    const name = shortened(text(dataSet, TAGS.patientName), this.expectedName.length + MAX_NAME_EXTRA_CHARS);
    tally.patientNames.set(name, (tally.patientNames.get(name) ?? 0) + 1);
    this.series.set(key, tally);
  }

  private notParsed(path: string, bytes: Uint8Array, whole: boolean, error: unknown): void {
    if (!hasDicmMarker(bytes)) {
      this.report.warning(path, 'not_dicom', `${quoteValue(path)} is not a DICOM file: ignored`);
    } else if (!whole) {
      this.report.warning(
        path,
        'dicom_header_too_large',
        `${quoteValue(path)}: no pixel data within its first ${DICOM_HEADER_BYTES} bytes: ignored`,
      );
    } else {
      const reason = shortened(error instanceof Error ? error.message : String(error));
      this.report.warning(
        path,
        'unreadable_dicom',
        `${quoteValue(path)} cannot be parsed as DICOM (${reason}): ignored`,
      );
    }
  }

  /** The checks after the walk; the series found. */
  analyse(): SeriesSummary[] {
    const all = [...this.series.values()];
    if (all.length === 0) {
      this.report.error('.', 'no_dicom', 'the archive holds no DICOM file with a study and series');
      return [];
    }
    const studies = new Set(all.map((s) => s.studyInstanceUid));
    if (studies.size > 1) {
      this.report.warning('.', 'multiple_studies', `the archive holds ${studies.size} DICOM studies`);
    }
    for (const tally of all) {
      this.report.info(tally.folder, 'series', describe(tally));
      if (!this.target.isPhantom) this.checkPatientName(tally);
    }
    return all.map(({ patientNames: _names, folder: _folder, ...summary }) => summary);
  }

  /** The PatientName prefix LORIS-MRI expects. */
  private get expectedName(): string {
    const { pscid, candid, visit } = this.target;
    return `${pscid}_${candid}_${visit}`;
  }

  /** LORIS-MRI's rule: the PatientName of every file starts with `PSCID_CandID_Visit`. */
  private checkPatientName(tally: SeriesTally): void {
    const expected = this.expectedName;
    for (const [name, files] of tally.patientNames) {
      if (name.startsWith(expected)) continue;
      this.report.error(
        tally.folder,
        'patient_name_mismatch',
        `${files} file(s) of ${describeShort(tally)} have PatientName ${quoteValue(name, 80)}, which does not start with ${quoteValue(expected)}`,
      );
    }
  }
}

const describeShort = (s: SeriesSummary): string =>
  `series ${s.seriesNumber ?? '?'}${s.seriesDescription ? ` ${quoteValue(s.seriesDescription, 64)}` : ''}`;

const describe = (s: SeriesSummary): string =>
  `${s.modality || 'DICOM'} ${describeShort(s)}: ${s.files} file(s), study ${quoteValue(s.studyInstanceUid, 64)}`;

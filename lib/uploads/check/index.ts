/**
 * Checks an upload's archive before LORIS's pipeline sees it: the archive is read as a stream within
 * `ArchiveLimits` (archive.ts), and its content is checked for the upload's kind — an EEG BIDS session whose
 * recordings are opened with our readers (eeg.ts), or a DICOM study whose headers are read (dicom.ts). Every
 * finding, refusals included, is a line of the returned report; nothing here throws for a bad archive.
 */
import { DEFAULT_MAX_DECODED_BYTES } from '../../readers/types';
import { DEFAULT_ARCHIVE_LIMITS, type ArchiveLimits, type UploadReport, type UploadTarget } from '../types';
import { walkArchive, walkFolder, type EntryVisitor, type WalkOptions, type WalkTotals } from './archive';
import { DicomCollector } from './dicom';
import { EegCollector } from './eeg';
import { ReportBuilder } from './report';
import { ScratchWriter } from './sinks';

export interface CheckOptions {
  /** A private directory the check may extract recordings into; the caller creates and removes it. */
  scratchDir: string;
  limits?: ArchiveLimits;
  signal?: AbortSignal;
  /** The readers' decoded-size budget per recording (the service passes LORIS_EPHYS_MAX_DECODED_MB). */
  maxDecodedBytes?: number;
  /** Bytes the check may extract into `scratchDir` in all (default: the limits' maxTotalBytes). */
  maxExtractBytes?: number;
}

/**
 * The content is judged only when the archive itself passed: a walk stopped part-way did not see everything,
 * and an archive with refused entries is refused anyway (its content findings would only bury the reason).
 */
const worthAnalysing = (totals: WalkTotals, report: ReportBuilder, signal?: AbortSignal): boolean => {
  if (signal?.aborted && !report.has('check_aborted')) {
    report.error('.', 'check_aborted', 'the check was stopped before the content was checked');
  }
  return totals.complete && !report.hasErrors;
};

type Walk = (visit: EntryVisitor, options: WalkOptions) => Promise<WalkTotals>;

async function check(walk: Walk, target: UploadTarget, options: CheckOptions): Promise<UploadReport> {
  const report = new ReportBuilder();
  try {
    return await checkWith(report, walk, target, options);
  } catch (error) {
    // Not the archive's content (that is reported as it is met) but the check itself: the upload cannot be judged.
    const reason = error instanceof Error && 'code' in error ? String(error.code) : 'internal error';
    report.error('.', 'check_failed', `the archive could not be checked (${reason})`);
    return report.finish(target.kind, { entries: 0, bytes: 0 }, [], []);
  }
}

async function checkWith(
  report: ReportBuilder,
  walk: Walk,
  target: UploadTarget,
  options: CheckOptions,
): Promise<UploadReport> {
  const limits = options.limits ?? DEFAULT_ARCHIVE_LIMITS;
  const walkOptions: WalkOptions = { limits, report, ...(options.signal ? { signal: options.signal } : {}) };
  if (target.kind === 'dicom') {
    const dicom = new DicomCollector(target, report);
    const totals = await walk(dicom.visit, walkOptions);
    const series = worthAnalysing(totals, report, options.signal) ? dicom.analyse() : [];
    return report.finish(target.kind, totals, [], series);
  }
  const scratch = new ScratchWriter(
    options.scratchDir,
    options.maxExtractBytes ?? limits.maxTotalBytes,
    report,
  );
  const eeg = new EegCollector({
    target,
    report,
    scratch,
    maxDecodedBytes: options.maxDecodedBytes ?? DEFAULT_MAX_DECODED_BYTES,
  });
  const totals = await walk(eeg.visit, walkOptions);
  const recordings = worthAnalysing(totals, report, options.signal) ? await eeg.analyse() : [];
  return report.finish(target.kind, totals, recordings, []);
}

/** Reads a `.tar.gz`/`.tgz`/`.zip` archive as a stream and checks it for `target.kind`. Refusals are report errors. */
export function checkArchive(
  archivePath: string,
  target: UploadTarget,
  options: CheckOptions,
): Promise<UploadReport> {
  return check((visit, walkOptions) => walkArchive(archivePath, visit, walkOptions), target, options);
}

/** The same checks on an unpacked directory (the CLI's `--dry-run` on a folder). */
export function checkDirectory(
  dir: string,
  target: UploadTarget,
  options: CheckOptions,
): Promise<UploadReport> {
  return check((visit, walkOptions) => walkFolder(dir, visit, walkOptions), target, options);
}

/**
 * The EEG BIDS session check (`kind: 'eeg-bids'`), in two steps. While the archive streams by, the collector
 * notes every path and extracts only what the check reads: `dataset_description.json` and the files of the
 * `eeg`/`ieeg`/`meg` folders of a session that a recording or its sidecars are made of. Then `analyse` checks
 * the layout against the target (see bids-names.ts for LORIS-MRI's rules) and opens every recording with our
 * readers from the scratch copy, cross-checked with its sidecars (sidecars.ts).
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { isApiError, quoteValue } from '../../core/errors';
import { openRecording, RECORDING_EXTENSIONS, type Recording } from '../../readers';
import { rootedSourceFs } from '../../readers/rooted-fs';
import type { RecordingSummary, UploadTarget } from '../types';
import type { EntryHeader, EntrySink } from './archive';
import {
  extensionOf,
  findSessionFolders,
  isBidsLabel,
  joinPath,
  parseBidsName,
  RECORDING_DATATYPES,
  type SessionFolder,
} from './bids-names';
import type { ReportBuilder } from './report';
import {
  checkChannelsTsv,
  checkElectrodesTsv,
  checkEventsTsv,
  checkSidecarJson,
  recordingChannelNames,
  sidecarCap,
  type RecordingFiles,
  type Sibling,
} from './sidecars';
import type { ScratchWriter } from './sinks';
import { truncationOf } from './truncation';

const FILE_RECORDING_EXTENSIONS = new Set(RECORDING_EXTENSIONS.filter((e) => e !== '.ds'));
/** Recordings, their companion files (BrainVision data/markers, EEGLAB data, KIT points) and sidecars. */
const NEEDED_EXTENSIONS = new Set([
  ...FILE_RECORDING_EXTENSIONS,
  '.eeg',
  '.vmrk',
  '.fdt',
  '.elp',
  '.hsp',
  '.mrk',
  '.tsv',
  '.json',
]);
const DATATYPES: ReadonlySet<string> = new Set(RECORDING_DATATYPES);
const DATASET_DESCRIPTION = 'dataset_description.json';
/** A wrapping folder or two above the BIDS root is accepted, not more. */
const MAX_ROOT_DEPTH = 2;
/**
 * Bounds on a session's recordings and on the files of its eeg/ieeg/meg folders: each recording is extracted,
 * opened and matched against its folder's sidecars, so 50k tiny copies of one EDF would otherwise cost hours.
 * Real sessions hold a handful of recordings and tens of files (a CTF .ds folder included).
 */
export const MAX_SESSION_RECORDINGS = 1000;
export const MAX_SESSION_FILES = 20_000;

export interface EegCheckOptions {
  target: UploadTarget;
  report: ReportBuilder;
  scratch: ScratchWriter;
  maxDecodedBytes: number;
}

/** Where a path lies in a session: the index of its data-type folder segment, or -1. */
function datatypeIndex(segments: readonly string[]): number {
  for (let i = 0; i + 2 < segments.length; i += 1) {
    if (segments[i]?.startsWith('sub-') && segments[i + 1]?.startsWith('ses-')) {
      return DATATYPES.has(segments[i + 2] ?? '') ? i + 2 : -1;
    }
  }
  return -1;
}

/** True for the files the check reads (see the file's comment). */
export function isNeeded(path: string): boolean {
  const segments = path.split('/');
  const name = segments[segments.length - 1] ?? '';
  if (name === DATASET_DESCRIPTION) {
    return segments.length <= MAX_ROOT_DEPTH + 1 && !segments.some((s) => s.startsWith('sub-'));
  }
  const at = datatypeIndex(segments);
  if (at < 0) return false;
  const inFolder = segments.length - at - 1;
  if (inFolder === 1) return NEEDED_EXTENSIONS.has(extensionOf(name));
  // Every member of a CTF .ds folder directly in the data-type folder.
  return inFolder >= 2 && (segments[at + 1] ?? '').toLowerCase().endsWith('.ds');
}

export class EegCollector {
  private readonly files: string[] = [];
  /** Sidecars over their cap (declared size): not extracted, reported when a check needs them. */
  private readonly oversized = new Map<string, number>();

  constructor(private readonly options: EegCheckOptions) {}

  /** The walk's visitor: notes every file, extracts the needed ones. */
  readonly visit = async (entry: EntryHeader): Promise<EntrySink | null> => {
    if (entry.kind !== 'file') return null;
    this.files.push(entry.path);
    if (!isNeeded(entry.path)) return null;
    if (entry.size > (sidecarCap(entry.path) ?? Infinity)) {
      this.oversized.set(entry.path, entry.size);
      return null;
    }
    return this.options.scratch.sinkFor(entry);
  };

  private get report(): ReportBuilder {
    return this.options.report;
  }

  /** The checks after the walk; the summaries of the recordings that opened. */
  async analyse(): Promise<RecordingSummary[]> {
    const sessions = findSessionFolders(this.files);
    const session = sessions[0];
    if (!session) {
      this.report.error(
        '.',
        'no_session_folder',
        'the archive has no sub-<PSCID>/ses-<Visit> folder with files in it',
      );
      return [];
    }
    if (sessions.length > 1) {
      const list = sessions.slice(0, 5).map((s) => quoteValue(s.path, 80));
      this.report.error(
        '.',
        'multiple_sessions',
        `the archive holds ${sessions.length} session folders (${list.join(', ')}); LORIS's EEG pipeline takes one session per upload`,
      );
      return [];
    }
    this.checkLabels(session);
    await this.checkDatasetDescription(session);
    return this.checkRecordings(session);
  }

  private checkLabels(session: SessionFolder): void {
    const { pscid, candid, visit } = this.options.target;
    const item = session.path;
    const subjectIsCandId = session.subject === candid;
    if (!subjectIsCandId && session.subject.toLowerCase() !== pscid.toLowerCase()) {
      this.report.error(
        item,
        'subject_mismatch',
        `the subject folder is sub-${quoteValue(session.subject, 80)}, expected sub-${pscid} (or sub-${candid})`,
      );
    }
    if (session.session !== visit) {
      this.report.error(
        item,
        'session_mismatch',
        `the session folder is ses-${quoteValue(session.session, 80)}, expected ses-${visit}`,
      );
    }
    const labels = [...(subjectIsCandId ? [] : [['PSCID', pscid]]), ['visit label', visit]];
    for (const [what, label] of labels) {
      if (label === undefined || isBidsLabel(label)) continue;
      this.report.warning(
        item,
        'bids_label_not_alphanumeric',
        `the ${what} ${quoteValue(label, 80)} is not a BIDS label (letters and digits only); LORIS-MRI uses it as ` +
          'it is (no character removed) to find the folder, and so does this check, but BIDS tools may refuse it',
      );
    }
  }

  private async checkDatasetDescription(session: SessionFolder): Promise<void> {
    const path = joinPath(session.root, DATASET_DESCRIPTION);
    if (!this.files.includes(path)) {
      this.report.error(path, 'missing_dataset_description', `the BIDS root has no ${DATASET_DESCRIPTION}`);
      return;
    }
    const description = await this.readJson(path);
    const name = description?.Name;
    const version = description?.BIDSVersion;
    if (
      typeof name !== 'string' ||
      name.trim() === '' ||
      typeof version !== 'string' ||
      version.trim() === ''
    ) {
      this.report.error(
        path,
        'invalid_dataset_description',
        `${DATASET_DESCRIPTION} must be a JSON object with the strings Name and BIDSVersion`,
      );
    }
  }

  private async readJson(path: string): Promise<Record<string, unknown> | undefined> {
    const file = join(this.options.scratch.root, ...path.split('/'));
    if (this.oversized.has(path)) return undefined;
    try {
      if ((await stat(file)).size > (sidecarCap(path) ?? 0)) return undefined;
      const value: unknown = JSON.parse(await readFile(file, 'utf8'));
      return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * The recordings of the session's eeg/ieeg/meg folders (files with a recording extension, and CTF .ds folders),
   * each with the parsed names of its folder's files; undefined (reported) past the session bounds.
   */
  private findRecordings(session: SessionFolder): RecordingFiles[] | undefined {
    const byFolder = new Map<string, Sibling[]>();
    const recordings = new Set<string>();
    const prefix = `${session.path}/`;
    let files = 0;
    for (const path of this.files) {
      if (!path.startsWith(prefix)) continue;
      const [datatype, first, ...rest] = path.slice(prefix.length).split('/');
      if (datatype === undefined || first === undefined || !DATATYPES.has(datatype)) continue;
      if (++files > MAX_SESSION_FILES) return this.tooMany(session, 'files', MAX_SESSION_FILES);
      const folder = `${prefix}${datatype}`;
      const name = parseBidsName(first);
      if (rest.length === 0) {
        const siblings = byFolder.get(folder) ?? [];
        siblings.push({ path, name });
        byFolder.set(folder, siblings);
      }
      if (rest.length > 0 && name.extension === '.ds') recordings.add(`${folder}/${first}`);
      if (rest.length === 0 && FILE_RECORDING_EXTENSIONS.has(name.extension) && name.suffix !== 'markers') {
        recordings.add(path);
      }
      if (recordings.size > MAX_SESSION_RECORDINGS)
        return this.tooMany(session, 'recordings', MAX_SESSION_RECORDINGS);
    }
    return [...recordings].map((path) => {
      const folder = path.slice(0, path.lastIndexOf('/'));
      return {
        path,
        name: parseBidsName(path.slice(folder.length + 1)),
        siblings: byFolder.get(folder) ?? [],
      };
    });
  }

  private tooMany(session: SessionFolder, what: 'files' | 'recordings', max: number): undefined {
    this.report.error(
      session.path,
      `too_many_session_${what}`,
      `the session's eeg, ieeg and meg folders hold more than ${max} ${what}: not checked`,
    );
    return undefined;
  }

  private async checkRecordings(session: SessionFolder): Promise<RecordingSummary[]> {
    const found = this.findRecordings(session);
    if (!found) return [];
    if (found.length === 0) {
      this.report.error(
        session.path,
        'no_recordings',
        `the session has no EEG, iEEG or MEG recording (${RECORDING_EXTENSIONS.join(' ')}) in an eeg, ieeg or meg folder`,
      );
      return [];
    }
    const summaries: RecordingSummary[] = [];
    for (const files of found) {
      const summary = await this.checkRecording(files);
      if (summary) summaries.push(summary);
    }
    return summaries;
  }

  private async checkRecording(files: RecordingFiles): Promise<RecordingSummary | undefined> {
    const root = this.options.scratch.root;
    let recording: Recording;
    try {
      recording = await openRecording(join(root, ...files.path.split('/')), rootedSourceFs(root), {
        maxDecodedBytes: this.options.maxDecodedBytes,
      });
    } catch (error) {
      this.reportReaderError(files.path, error);
      return undefined;
    }
    try {
      await readLastSample(recording);
      const truncated = await truncationOf(join(root, ...files.path.split('/')), recording.info);
      if (truncated) {
        this.report.error(files.path, 'recording_truncated', truncated);
        await recording.close();
        return undefined;
      }
    } catch (error) {
      this.reportReaderError(files.path, error);
      await recording.close();
      return undefined;
    }
    try {
      return await this.crossCheck(files, recording);
    } finally {
      await recording.close();
    }
  }

  private async crossCheck(files: RecordingFiles, recording: Recording): Promise<RecordingSummary> {
    const { info } = recording;
    const summary: RecordingSummary = {
      path: files.path,
      format: info.format,
      channels: recordingChannelNames(info).length,
      samplingRate: info.sfreq,
      durationSeconds: info.nSamples / info.sfreq,
      events: (await recording.readEvents()).length,
    };
    this.report.info(
      files.path,
      'recording',
      `${info.format}: ${summary.channels} channels at ${summary.samplingRate} Hz, ` +
        `${summary.durationSeconds.toFixed(3)} s, ${summary.events} events`,
    );
    const ctx = { scratch: this.options.scratch.root, report: this.report, oversized: this.oversized };
    await checkChannelsTsv(ctx, files, info);
    await checkElectrodesTsv(ctx, files, info);
    await checkEventsTsv(ctx, files);
    await checkSidecarJson(ctx, files, info);
    return summary;
  }

  private reportReaderError(path: string, error: unknown): void {
    if (isApiError(error)) {
      this.report.error(path, error.code, error.message);
    } else {
      // A reader bug, not the file's fault alone: said without internals.
      this.report.error(
        path,
        'unreadable_recording',
        'The recording cannot be read: the reader failed on it',
      );
    }
  }
}

/** Reads the last sample of every channel: a recording cut short fails here even when its header opened. */
async function readLastSample(recording: Recording): Promise<void> {
  const { nSamples, channels } = recording.info;
  if (nSamples <= 0 || channels.length === 0) return;
  await recording.readWindow(
    channels.map((_c, i) => i),
    nSamples - 1,
    nSamples,
  );
}

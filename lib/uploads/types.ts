/**
 * The `uploads` module's shared vocabulary: what an upload targets, what the check of an archive reports, the
 * states an upload goes through and where LORIS registered it. Plain data only; each part of the module
 * (tus front, archive check, LORIS registration, CLI) speaks in these types.
 */

export const UPLOAD_KINDS = ['eeg-bids', 'dicom'] as const;
export type UploadKind = (typeof UPLOAD_KINDS)[number];

/** What the uploader says the archive is (tus `Upload-Metadata`, or the CLI's options). */
export interface UploadTarget {
  kind: UploadKind;
  /** The archive's file name (no directory part), e.g. `MTL001_300001_V1_bids.tar.gz`. */
  filename: string;
  pscid: string;
  /** LORIS CandID, as sent (digits). */
  candid: string;
  /** Visit label (session.Visit_label). */
  visit: string;
  /** DICOM phantom scans (no candidate checks, no name check); always false for EEG. */
  isPhantom: boolean;
}

/** The candidate/session an upload was validated against (null for phantoms). */
export interface ResolvedTarget {
  target: UploadTarget;
  /** candidate.CandID; null for phantoms. */
  candId: number | null;
  /** session.ID; null for phantoms. */
  sessionId: number | null;
  /** session.CenterID (site); null for phantoms. */
  centerId: number | null;
  /** session.ProjectID; null for phantoms. */
  projectId: number | null;
}

export type ReportLevel = 'info' | 'warning' | 'error';

/** One finding of the check, about one item of the archive (a recording, a sidecar, a DICOM series...). */
export interface ReportLine {
  /** Archive-relative path of the item, or `.` for the archive as a whole. */
  item: string;
  level: ReportLevel;
  /** Stable machine code, e.g. `channel_count_mismatch`, `unreadable_recording`, `zip_bomb`. */
  code: string;
  message: string;
}

/** An EEG/iEEG/MEG recording of a BIDS session, opened with our readers. */
export interface RecordingSummary {
  path: string;
  format: string;
  channels: number;
  samplingRate: number;
  durationSeconds: number;
  events: number;
}

/** A DICOM series of a study archive. */
export interface SeriesSummary {
  studyInstanceUid: string;
  seriesInstanceUid: string;
  seriesNumber: number | null;
  seriesDescription: string;
  modality: string;
  files: number;
}

/** The result of checking an archive before LORIS's pipeline sees it. `ok` is `errors.length === 0`. */
export interface UploadReport {
  kind: UploadKind;
  ok: boolean;
  /** Messages of the `warning` lines, in order. */
  warnings: string[];
  /** Messages of the `error` lines, in order. */
  errors: string[];
  lines: ReportLine[];
  /** Entries in the archive and their total uncompressed bytes. */
  entries: number;
  bytes: number;
  recordings: RecordingSummary[];
  series: SeriesSummary[];
}

/** Bounds on reading an archive (zip bombs, huge entry counts, `..` paths are refused regardless). */
export interface ArchiveLimits {
  maxEntries: number;
  /** Sum of the uncompressed sizes of all entries. */
  maxTotalBytes: number;
  /** Largest uncompressed size of one entry. */
  maxEntryBytes: number;
  /** Largest uncompressed/compressed ratio of the whole archive. */
  maxRatio: number;
  /**
   * Bytes of entry names (and, in a zip, of the central directory's extra fields and comments) the walk may hold
   * in memory in all: 100k entries with 4 KiB names would otherwise pin 400 MB from a few MB of gzip.
   * Default DEFAULT_MAX_DIRECTORY_BYTES.
   */
  maxDirectoryBytes?: number;
}

export const DEFAULT_MAX_DIRECTORY_BYTES = 64 * 1024 * 1024;

export const DEFAULT_ARCHIVE_LIMITS: ArchiveLimits = {
  maxEntries: 100_000,
  maxTotalBytes: 200 * 1024 ** 3,
  maxEntryBytes: 100 * 1024 ** 3,
  maxRatio: 200,
  maxDirectoryBytes: DEFAULT_MAX_DIRECTORY_BYTES,
};

export const UPLOAD_STATES = [
  'receiving',
  'checking',
  'refused',
  'registered',
  'processing',
  'done',
  'failed',
] as const;
export type UploadState = (typeof UPLOAD_STATES)[number];

/** Where LORIS registered an upload, and its row's status as LORIS shows it. */
export interface LorisUploadRef {
  table: 'electrophysiology_uploader' | 'mri_upload';
  /** UploadID of that table. */
  id: number;
  /** electrophysiology_uploader.Status, or for mri_upload a summary of InsertionComplete/Inserting. */
  status: string;
}

/** A pipeline run launched for a DICOM upload (server_processes), state as LORIS's ServerProcessesMonitor. */
export interface ProcessRef {
  /** server_processes.id */
  id: number;
  state: 'running' | 'success' | 'error' | 'unknown';
  exitCode: number | null;
}

/** What `GET /uploads/{id}` answers. */
export interface UploadStatus {
  id: string;
  kind: UploadKind;
  filename: string;
  state: UploadState;
  bytes: number;
  length: number | null;
  createdAt: string;
  report: UploadReport | null;
  lorisUpload: LorisUploadRef | null;
  process: ProcessRef | null;
  /** Why the upload failed (state `failed` before LORIS had it: the check or registration could not run). */
  failure?: string | null;
}

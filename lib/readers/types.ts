/**
 * The recording object every format reader produces (after MNE-Python's `Raw`/`Info`): measurement info in
 * MNE's vocabulary and a window reader returning SI-unit samples. Positions follow MNE's conventions:
 * EEG `loc[0:3]` in the head frame, MEG `loc` (coil centre + ex, ey, ez) in the device frame, metres.
 */

/** Channel types, named as MNE names them. */
export type ChannelType =
  | 'mag'
  | 'grad'
  | 'ref_meg'
  | 'eeg'
  | 'seeg'
  | 'ecog'
  | 'dbs'
  | 'eog'
  | 'ecg'
  | 'emg'
  | 'resp'
  | 'bio'
  | 'stim'
  | 'syst'
  | 'chpi'
  | 'misc';

export type CoordFrame = 'head' | 'device' | 'unknown';

export interface ChannelInfo {
  name: string;
  type: ChannelType;
  /** SI unit of the samples the window reader returns: 'V', 'T', 'T/m', or '' when dimensionless/unknown. */
  unit: string;
  /** FIFF coil type with any CTF compensation grade removed (e.g. 3012, 3024, 5001, 1 for EEG, 0 for none). */
  coilType: number;
  /** MNE's 12-element loc: EEG position (+ reference) in the head frame; MEG r0, ex, ey, ez in the device frame. */
  loc: number[];
  /** Frame of `loc`. */
  coordFrame: CoordFrame;
}

export type DigKind = 'cardinal' | 'hpi' | 'eeg' | 'extra';

export interface DigPoint {
  kind: DigKind;
  /** For cardinal points: 1 LPA, 2 nasion, 3 RPA (FIFF). Otherwise a running number. */
  ident: number;
  r: [number, number, number];
  coordFrame: CoordFrame;
}

export interface Projector {
  description: string;
  /** FIFF projector kind (10 = EEG average reference). */
  kind: number;
  active: boolean;
  channelNames: string[];
  /** nvec rows of channelNames.length values. */
  vectors: number[][];
}

export interface RecordingEvent {
  /** Seconds from the first sample of the recording. */
  onset: number;
  duration: number;
  type: string;
  value: string;
}

export type RecordingFormat = 'fif' | 'ctf' | 'edf' | 'bdf' | 'brainvision' | 'eeglab' | 'kit' | 'cnt';

/**
 * Units a reader inferred for positions stored in the file without a unit (EEGLAB chanlocs, as current MNE's
 * `montage_units='auto'`): the unit, the mean electrode distance from the origin in file units it was chosen from,
 * and the rule.
 */
export interface FileUnits {
  unit: 'm' | 'dm' | 'cm' | 'mm';
  meanRadius: number;
  rule: string;
}

export interface RecordingInfo {
  format: RecordingFormat;
  /** 'raw' for continuous data, 'evoked' for averaged responses, 'epochs' for epoched data read as concatenated trials. */
  kind: 'raw' | 'evoked' | 'epochs';
  sfreq: number;
  /** Samples per channel available through readWindow. */
  nSamples: number;
  /** MNE's first_samp: absolute index of sample 0 (FIF raw); 0 for most formats. */
  firstSample: number;
  /** Time in seconds of sample 0 (evoked files start before 0; raw files at firstSample/sfreq as MNE's raw.times start at 0). */
  tmin: number;
  channels: ChannelInfo[];
  bads: string[];
  /** 4x4 device→head transform, row-major, or null. */
  devHeadT: number[][] | null;
  dig: DigPoint[];
  projectors: Projector[];
  /** Channels not offered by readWindow, with why (e.g. a different sampling rate). */
  excluded: { name: string; reason: string }[];
  /** How the file's own positions were scaled to metres, when their unit had to be inferred. */
  fileUnits?: FileUnits;
  /** Evoked condition names, trial counts or other format-specific notes for descriptions. */
  notes?: Record<string, string | number>;
}

export interface Recording {
  readonly info: RecordingInfo;
  /**
   * Samples [start, stop) (0-based, relative to sample 0) of the channels `picks` (indices into info.channels),
   * in SI units, one Float64Array per pick. Reads only the bytes the window needs (where the format allows).
   */
  readWindow(picks: readonly number[], start: number, stop: number): Promise<Float64Array[]>;
  /**
   * The recording's events (annotations, markers, trials), seconds from sample 0. Read when first asked for, not
   * at open, where the format keeps them apart from the header (EDF+ annotation signals): a map needs none.
   * The same promise on every call, so a failed read is not repeated.
   */
  readEvents(): Promise<RecordingEvent[]>;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** Evoked FIF: which condition (default 0). */
  condition?: number;
  /**
   * The decoded-size budget of one open: bytes a reader may hold in memory for a recording, counted after
   * decompression and type expansion (a .fif.gz's inflated bytes, a MAT-file's variables as Float64 and
   * JS values, HDF5 datasets as read and as Float64). Checked before allocating; default DEFAULT_MAX_DECODED_BYTES.
   */
  maxDecodedBytes?: number;
}

/** 128 MiB: well below the 512 MB a Lambda function has, leaving room for the map's own work. */
export const DEFAULT_MAX_DECODED_BYTES = 128 * 1024 * 1024;

/** Hard caps on counts taken from files, so a malformed header cannot cause unbounded loops or allocations. */
export const LIMITS = {
  maxChannels: 10000,
  maxTags: 5_000_000,
  maxEvents: 1_000_000,
  maxHeaderBytes: 64 * 1024 * 1024,
} as const;

/**
 * EEGLAB dataset → MNE's measurement info, as MNE 1.3's `read_raw_eeglab` / `read_epochs_eeglab` build it:
 * channel names and types from chanlocs, positions (−Y, X, Z) in the head frame scaled to metres by the unit current
 * MNE infers (`montage_units='auto'`; MNE 1.3 always assumed mm), fiducials, annotations.
 */
import { unreadableRecording } from '../../core/errors';
import type { ChannelInfo, ChannelType, DigPoint, FileUnits, RecordingEvent } from '../types';
import type { EegEvent, EegFiducial, EegSet } from './set';

type Vec3 = [number, number, number];

/** Metres per unit (as 1 / MNE's prefix factor: the same doubles). */
const UNIT_SCALE: Record<FileUnits['unit'], number> = { m: 1, dm: 1 / 10, cm: 1 / 100, mm: 1 / 1000 };

export const AUTO_UNITS_RULE =
  "montage_units='auto' (current MNE): mean electrode radius < 0.25 → m, < 2.5 → dm, < 25 → cm, else mm";

/**
 * Current MNE's `_handle_montage_units('auto', mean_radius)`: the unit that puts the mean electrode distance
 * from the origin (file units) near a head radius.
 */
export function inferUnits(meanRadius: number): FileUnits['unit'] {
  if (meanRadius < 0.25) return 'm';
  if (meanRadius < 2.5) return 'dm';
  if (meanRadius < 25) return 'cm';
  return 'mm';
}

/** Types `set_montage` gives positions to. */
const MONTAGE_TYPES = new Set<ChannelType>(['eeg', 'seeg', 'ecog', 'dbs']);
const KNOWN_TYPES = new Set<ChannelType>([
  'mag',
  'grad',
  'ref_meg',
  'eeg',
  'seeg',
  'ecog',
  'dbs',
  'eog',
  'ecg',
  'emg',
  'resp',
  'bio',
  'stim',
  'syst',
  'chpi',
  'misc',
]);
/** MNE types outside ChannelType (fNIRS, temperature, ...) that MNE would keep: reported as misc. */
const OTHER_MNE_TYPES = new Set([
  'csd',
  'exci',
  'ias',
  'gof',
  'dipole',
  'temperature',
  'gsr',
  'eyegaze',
  'pupil',
  'hbo',
  'hbr',
  'fnirs_cw_amplitude',
  'fnirs_fd_ac_amplitude',
  'fnirs_fd_phase',
  'fnirs_od',
]);

export interface EegChannels {
  channels: ChannelInfo[];
  dig: DigPoint[];
  fileUnits?: FileUnits;
}

/** MNE's channel type for a chanlocs.type: a known type name (trimmed, lower case), else 'eeg'. */
export function channelType(type: string | undefined): ChannelType {
  const t = type?.trim().toLowerCase();
  if (t === undefined) return 'eeg';
  if (KNOWN_TYPES.has(t as ChannelType)) return t as ChannelType;
  return OTHER_MNE_TYPES.has(t) ? 'misc' : 'eeg';
}

const nanLoc = (): number[] => new Array<number>(12).fill(NaN);

/** EEGLAB's X (nose), Y (left), Z (up) → MNE head frame (x right, y nose), in file units. */
export function eeglabToHead([x, y, z]: Vec3): Vec3 {
  return [-y, x, z];
}

/**
 * Scales file-unit positions to metres as current MNE's `_get_montage_information` does: the mean norm of the
 * positions without NaN picks the unit; every position is multiplied by its scale (fiducials are not, in MNE).
 */
export function scaleToMetres(positions: Vec3[]): { positions: Vec3[]; fileUnits?: FileUnits } {
  const finite = positions.filter((p) => !p.some(Number.isNaN));
  if (finite.length === 0) return { positions };
  const meanRadius = finite.reduce((s, p) => s + Math.hypot(...p), 0) / finite.length;
  const unit = inferUnits(meanRadius);
  const k = UNIT_SCALE[unit];
  return {
    positions: positions.map((p) => p.map((v) => v * k) as Vec3),
    fileUnits: { unit, meanRadius, rule: AUTO_UNITS_RULE },
  };
}

function channelInfo(name: string, type: ChannelType): ChannelInfo {
  const isElectrode = MONTAGE_TYPES.has(type);
  const unitless = type === 'stim' || type === 'syst' || type === 'chpi';
  return {
    name,
    type,
    unit: unitless ? '' : 'V',
    coilType: isElectrode ? 1 : 0,
    loc: nanLoc(),
    coordFrame: 'head',
  };
}

export function eegChannels(set: EegSet): EegChannels {
  if (set.chanlocs.length === 0) {
    const names = Array.from({ length: set.nbchan }, (_, i) => `EEG ${String(i).padStart(3, '0')}`);
    return { channels: names.map((n) => ({ ...channelInfo(n, 'eeg'), coordFrame: 'unknown' })), dig: [] };
  }
  if (set.chanlocs.length !== set.nbchan) {
    throw unreadableRecording(`chanlocs lists ${set.chanlocs.length} channels for nbchan ${set.nbchan}`);
  }
  const channels = set.chanlocs.map((c) => channelInfo(c.label, channelType(c.type)));
  const positions = set.chanlocs.map((c) => (c.xyz ? eeglabToHead(c.xyz) : undefined));
  if (positions.some((p) => p === undefined)) {
    return { channels: channels.map((c) => ({ ...c, coordFrame: 'unknown' })), dig: [] };
  }
  const scaled = scaleToMetres(positions as Vec3[]);
  const applied = applyMontage(channels, scaled.positions, set.fiducials);
  return scaled.fileUnits ? { ...applied, fileUnits: scaled.fileUnits } : applied;
}

/** `set_montage` with a head-frame montage: loc[0:6] = (pos, ref 0) for electrodes, NaN if any coordinate is NaN. */
function applyMontage(channels: ChannelInfo[], positions: Vec3[], fids: EegFiducial[]): EegChannels {
  const eegDig: DigPoint[] = [];
  channels.forEach((ch, i) => {
    const pos = positions[i] as Vec3;
    if (!MONTAGE_TYPES.has(ch.type)) return;
    if (!pos.some(Number.isNaN)) ch.loc.splice(0, 6, ...pos, 0, 0, 0);
    eegDig.push({ kind: 'eeg', ident: i + 1, r: pos, coordFrame: 'head' });
  });
  return { channels, dig: [...cardinals(fids, positions), ...eegDig] };
}

const FIDUCIAL_IDENT: Record<string, number> = {
  'Left periauricular point': 1,
  Nasion: 2,
  'Right periauricular point': 3,
};
/** Directions MNE gives fiducials it has to invent (`_ensure_fiducials_head`), by ident. */
const FALLBACK_DIRECTION: Record<number, Vec3> = { 1: [-1, 0, 0], 2: [0, 1, 0], 3: [1, 0, 0] };

/**
 * LPA, nasion, RPA. MNE 1.3 takes nodatchans fiducials' X/Y/Z as they are (neither rotated nor scaled);
 * missing ones are put on the axes at the mean distance of all montage points from the origin.
 */
function cardinals(fids: EegFiducial[], positions: Vec3[]): DigPoint[] {
  const given = new Map<number, Vec3>();
  for (const f of fids) {
    const ident = FIDUCIAL_IDENT[f.description];
    if (ident !== undefined) given.set(ident, f.xyz);
  }
  const norms = [...given.values(), ...positions].map((p) => Math.hypot(...p));
  const radius = norms.reduce((a, b) => a + b, 0) / norms.length;
  return [1, 2, 3].map((ident) => {
    const r = given.get(ident) ?? ((FALLBACK_DIRECTION[ident] as Vec3).map((d) => d * radius) as Vec3);
    return { kind: 'cardinal', ident, r, coordFrame: 'head' };
  });
}

const toMicroseconds = (seconds: number): number => Math.round(seconds * 1e6);

/**
 * EEG.event → MNE annotations of a raw recording: onset (latency − 1) / srate, duration / srate, then
 * `Raw.set_annotations`' crop to [0, n/sfreq] (microsecond resolution, NaN durations become 0).
 */
export function rawEvents(events: EegEvent[], srate: number, nSamples: number): RecordingEvent[] {
  const tmaxUs = toMicroseconds((nSamples - 1) / srate + 1 / srate);
  const out: RecordingEvent[] = [];
  for (const e of events) {
    const onset = (e.latency - 1) / srate;
    const duration = Number.isNaN(e.duration) ? 0 : e.duration / srate;
    const onUs = toMicroseconds(onset);
    const offUs = onUs + toMicroseconds(duration);
    if (!Number.isFinite(onset) || onUs > tmaxUs || offUs < 0) continue;
    const clipped = onUs < 0 || offUs > tmaxUs;
    const start = Math.max(onUs, 0);
    const dur = clipped ? (Math.min(offUs, tmaxUs) - start) / 1e6 : duration;
    out.push({ onset: start / 1e6, duration: dur, type: e.type, value: '' });
  }
  return out;
}

export interface EpochLabels {
  /** Per epoch: the '/'-joined event types MNE names its event after. */
  names: string[];
  /** MNE's event_id: names numbered from 1 in order of first appearance. */
  eventId: Map<string, number>;
}

/** Names and ids MNE's `read_epochs_eeglab` gives the epochs (from EEG.epoch(i).eventtype). */
export function epochLabels(set: EegSet): EpochLabels {
  if (set.epochs.length !== set.trials) {
    throw unreadableRecording(`EEG.epoch lists ${set.epochs.length} epochs for ${set.trials} trials`);
  }
  const names = set.epochs.map((e) => e.eventTypes.join('/'));
  const eventId = new Map<string, number>();
  for (const n of names) if (!eventId.has(n)) eventId.set(n, eventId.size + 1);
  return { names, eventId };
}

/** One event at the start of each epoch in the concatenated data, typed with MNE's event name. */
export function epochEvents(set: EegSet, labels: EpochLabels): RecordingEvent[] {
  return labels.names.map((name, i) => ({
    onset: (i * set.pnts) / set.srate,
    duration: set.pnts / set.srate,
    type: name,
    value: String(labels.eventId.get(name)),
  }));
}

/**
 * The parts of an EEGLAB dataset MNE uses, taken from a MAT-file's variables (v5 or v7.3) into plain data:
 * either an `EEG` struct variable or the same fields as top-level variables.
 */
import { unreadableRecording, unsupportedFormat } from '../../core/errors';
import { LIMITS } from '../types';
import {
  asNumber,
  asNumeric,
  asString,
  field,
  hasField,
  pythonStr,
  records,
  structFields,
} from '../mat/access';
import type { MatNumeric, MatValue, MatVariables } from '../mat/types';

export interface EegChanloc {
  label: string;
  /** chanlocs.type when it is text. */
  type?: string;
  /** EEGLAB X/Y/Z (NaN where empty), or undefined when chanlocs has no X/Y/Z fields. */
  xyz?: [number, number, number];
}

export interface EegFiducial {
  description: string;
  xyz: [number, number, number];
}

export interface EegEvent {
  type: string;
  /** EEGLAB latency: 1-based sample, may be fractional. */
  latency: number;
  /** Samples; NaN where EEGLAB left it empty; 0 when there is no duration field. */
  duration: number;
}

export interface EegEpoch {
  /** One or several event types of the epoch (EEG.epoch(i).eventtype). */
  eventTypes: string[];
}

export interface EegSet {
  nbchan: number;
  pnts: number;
  trials: number;
  srate: number;
  xmin: number;
  /** Name of the .fdt file, or the data array stored in the .set. */
  data: { file: string } | { values: MatNumeric };
  chanlocs: EegChanloc[];
  fiducials: EegFiducial[];
  events: EegEvent[];
  epochs: EegEpoch[];
}

/** Picks the EEG fields out of the variables, as MNE's `_check_load_mat` does. */
export function eegFields(vars: MatVariables, name: string): Map<string, MatValue> {
  if (vars.has('ALLEEG')) throw unsupportedFormat(`${name}: ALLEEG arrays are not supported`);
  let fields: Map<string, MatValue> = vars;
  for (let i = 0; i < 2 && fields.has('EEG'); i++) {
    const inner = structFields(fields.get('EEG'));
    if (!inner) throw unreadableRecording(`${name}: EEG is not a scalar struct`);
    fields = inner;
  }
  return fields;
}

export function parseEegSet(vars: MatVariables, name: string): EegSet {
  const eeg = eegFields(vars, name);
  const count = (key: string, max: number): number => {
    const n = asNumber(eeg.get(key));
    if (n === undefined || !Number.isInteger(n) || n < 1 || n > max) {
      throw unreadableRecording(`${name}: EEG.${key} is missing or invalid`);
    }
    return n;
  };
  const srate = asNumber(eeg.get('srate'));
  if (srate === undefined || !(srate > 0) || !Number.isFinite(srate)) {
    throw unreadableRecording(`${name}: EEG.srate is missing or invalid`);
  }
  return {
    nbchan: count('nbchan', LIMITS.maxChannels),
    pnts: count('pnts', Number.MAX_SAFE_INTEGER),
    trials: count('trials', Number.MAX_SAFE_INTEGER),
    srate,
    xmin: asNumber(eeg.get('xmin')) ?? 0,
    data: dataOf(eeg.get('data'), name),
    chanlocs: chanlocsOf(eeg.get('chanlocs')),
    fiducials: fiducialsOf(field(eeg.get('chaninfo'), 'nodatchans')),
    events: eventsOf(eeg.get('event')),
    epochs: records(eeg.get('epoch')).map((r) => ({ eventTypes: eventTypesOf(r.get('eventtype')) })),
  };
}

function dataOf(v: MatValue | undefined, name: string): EegSet['data'] {
  const file = asString(v);
  if (file !== undefined) return { file };
  const values = asNumeric(v);
  if (values && !values.imag) return { values };
  throw unreadableRecording(`${name}: EEG.data is neither a file name nor a real numeric array`);
}

function num(v: MatValue | undefined): number {
  return asNumber(v) ?? NaN;
}

function chanlocsOf(v: MatValue | undefined): EegChanloc[] {
  const withPos = ['X', 'Y', 'Z'].every((f) => hasField(v, f));
  return records(v).map((r) => {
    const type = asString(r.get('type'));
    const loc: EegChanloc = { label: asString(r.get('labels')) ?? '' };
    if (type !== undefined) loc.type = type;
    if (withPos) loc.xyz = [num(r.get('X')), num(r.get('Y')), num(r.get('Z'))];
    return loc;
  });
}

/** Fiducials in chaninfo.nodatchans (type 'FID'), as MNE 1.3 takes them: X/Y/Z untouched. */
function fiducialsOf(v: MatValue | undefined): EegFiducial[] {
  return records(v)
    .filter((r) => asString(r.get('type')) === 'FID')
    .map((r) => ({
      description: asString(r.get('description')) ?? '',
      xyz: [num(r.get('X')), num(r.get('Y')), num(r.get('Z'))],
    }));
}

function eventsOf(v: MatValue | undefined): EegEvent[] {
  const list = records(v);
  if (list.length > LIMITS.maxEvents) throw unreadableRecording(`${list.length} events exceed the limit`);
  const hasDuration = hasField(v, 'duration') || list.some((r) => r.has('duration'));
  return list.map((r) => ({
    type: pythonStr(r.get('type')),
    latency: num(r.get('latency')),
    duration: hasDuration ? num(r.get('duration')) : 0,
  }));
}

function eventTypesOf(v: MatValue | undefined): string[] {
  if (v?.kind === 'cell' && v.elements.length > 1) return v.elements.map((e) => pythonStr(e));
  return [pythonStr(v)];
}

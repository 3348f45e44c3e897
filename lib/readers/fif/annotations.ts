/**
 * Annotations of raw FIF files as events, following MNE 1.3's `read_raw_fif`: the MNE_ANNOTATIONS block
 * (`annotations.py:_read_annotations_fif`), synchronised to the recording and cropped to its extent
 * (`Raw.set_annotations`, `Annotations.crop`, which round onsets to microseconds), plus a BAD_ACQ_SKIP annotation
 * per acquisition skip, all sorted by onset then duration. Times are kept in integer microseconds where MNE uses
 * datetimes.
 */
import type { RecordingEvent } from '../types';
import { unreadableRecording } from '../../core/errors';
import { BLOCK, TAG, TYPE } from './constants';
import { decodeNumbers, decodeString, type TagHeader } from './tags';
import { findBlocks, type FifNode } from './tree';
import type { TagReader } from './tagreader';

export interface FifAnnotations {
  onset: number[];
  duration: number[];
  description: string[];
  /** orig_time in microseconds since the epoch, or null. */
  origTimeUs: number | null;
}

const TAG_ONSET = 3568; // FIFF_MNE_BASELINE_MIN
const TAG_END = 3569; // FIFF_MNE_BASELINE_MAX
const TAG_MEAS_DATE = 204;
const TAG_BLOCK_ID = 103;
const TAG_PARENT_BLOCK_ID = 110;
/** MNE's DATE_NONE (0, 2**31 - 1). */
const DATE_NONE_USECS = 2 ** 31 - 1;

/** Python's timedelta(seconds=x): whole microseconds, rounded to nearest. */
export const toMicroseconds = (seconds: number): number => Math.round(seconds * 1e6);

export async function readFileAnnotations(reader: TagReader, tree: FifNode): Promise<FifAnnotations | null> {
  const node = findBlocks(tree, BLOCK.mneAnnotations)[0];
  if (!node) return null;
  const out: FifAnnotations = { onset: [], duration: [], description: [], origTimeUs: null };
  let ends: number[] = [];
  let bothFloat32 = true;
  for (const entry of node.entries) {
    const payload = (): Promise<Uint8Array> => reader.readPayload(entry);
    if (entry.kind === TAG_ONSET || entry.kind === TAG_END) {
      const values = Array.from(decodeNumbers(await payload(), entry.type));
      bothFloat32 &&= entry.type === TYPE.float;
      if (entry.kind === TAG_ONSET) out.onset = values;
      else ends = values;
    } else if (entry.kind === TAG.comment) {
      const text = decodeString(await payload());
      out.description = text.length === 0 ? [] : text.split(':').map((d) => d.replaceAll('{COLON}', ':'));
    } else if (entry.kind === TAG_MEAS_DATE) {
      out.origTimeUs = dateTagMicroseconds(decodeNumbers(await payload(), entry.type));
    }
  }
  // numpy subtracts float32 arrays in float32
  out.duration = ends.map((end, i) =>
    bothFloat32 ? Math.fround(end - (out.onset[i] ?? 0)) : end - (out.onset[i] ?? 0),
  );
  if (out.onset.length !== out.duration.length || out.onset.length !== out.description.length) {
    throw unreadableRecording('annotation onsets, durations and descriptions differ in number');
  }
  return out;
}

/** A stored date: one value is float seconds (old files), two are (secs, usecs). */
function dateTagMicroseconds(values: Float64Array): number | null {
  if (values.length === 1) {
    const secs = Math.trunc(values[0] as number);
    return secs * 1e6 + Math.round(((values[0] as number) - secs) * 1e6);
  }
  const [secs, usecs] = values;
  if (secs === undefined || usecs === undefined) return null;
  return secs * 1e6 + usecs;
}

/**
 * MNE's meas_date: the MEAS_DATE tag of the measurement info, else the date in the measurement id (the first of
 * meas-info parent id, meas-info id, meas id, meas parent id, file id); null when it is DATE_NONE.
 */
export async function readMeasDateUs(
  reader: TagReader,
  tree: FifNode,
  meas: FifNode,
  measInfo: FifNode,
): Promise<number | null> {
  const dateTag = lastEntry(measInfo, TAG_MEAS_DATE);
  let stamp: [number, number] | null = null;
  if (dateTag) {
    const v = decodeNumbers(await reader.readPayload(dateTag), dateTag.type);
    stamp = [v[0] ?? 0, v[1] ?? 0];
  } else {
    const idTag =
      lastEntry(measInfo, TAG_PARENT_BLOCK_ID) ??
      lastEntry(measInfo, TAG_BLOCK_ID) ??
      lastEntry(meas, TAG_BLOCK_ID) ??
      lastEntry(meas, TAG_PARENT_BLOCK_ID) ??
      lastEntry(tree, TAG.fileId);
    if (!idTag) return null;
    const id = await reader.readPayload(idTag);
    if (id.length < 20) throw unreadableRecording('id tag shorter than 20 bytes');
    const view = new DataView(id.buffer, id.byteOffset, id.byteLength);
    stamp = [view.getInt32(12, false), view.getInt32(16, false)];
  }
  if (stamp[0] === 0 && stamp[1] === DATE_NONE_USECS) return null;
  return stamp[0] * 1e6 + stamp[1];
}

function lastEntry(node: FifNode, kind: number): TagHeader | undefined {
  return node.entries.filter((e) => e.kind === kind).pop();
}

export interface EventContext {
  measDateUs: number | null;
  firstSample: number;
  sfreq: number;
  nSamples: number;
  /** Acquisition skips: absolute first sample and length. */
  skips: { startAbs: number; nsamp: number }[];
}

interface Annotation {
  /** Seconds as MNE stores them in raw.annotations. */
  onset: number;
  duration: number;
  description: string;
}

/** Events relative to the first sample: file annotations (synchronised and cropped) and acquisition skips. */
export function annotationEvents(file: FifAnnotations | null, ctx: EventContext): RecordingEvent[] {
  const firstTime = ctx.firstSample / ctx.sfreq;
  const fromFile = file ? synchronise(file, ctx, firstTime) : [];
  const skips = ctx.skips.map((s) => ({
    onset: s.startAbs / ctx.sfreq,
    duration: s.nsamp / ctx.sfreq,
    description: 'BAD_ACQ_SKIP',
  }));
  const all = [...fromFile, ...skips].map((a, index) => ({ ...a, index }));
  all.sort((a, b) => a.onset - b.onset || a.duration - b.duration || a.index - b.index);
  return all.map((a) => ({
    onset: a.onset - firstTime,
    duration: a.duration,
    type: 'annotation',
    value: a.description,
  }));
}

/** `Raw.set_annotations` on the file's annotations; MNE refuses an orig_time without meas_date (then none are kept). */
function synchronise(file: FifAnnotations, ctx: EventContext, firstTime: number): Annotation[] {
  const spanUs = toMicroseconds((ctx.nSamples - 1) / ctx.sfreq + 1 / ctx.sfreq); // times[-1] + 1/sfreq
  if (file.origTimeUs === null) {
    // Without meas_date MNE first moves onsets by −first_time (read_raw_fif), then crops in [0, span] and adds it back.
    const shift = ctx.measDateUs === null ? firstTime : 0;
    const shifted = { ...file, onset: file.onset.map((o) => o - shift) };
    return crop(shifted, 0, 0, spanUs).map((a) => ({ ...a, onset: a.onset + firstTime }));
  }
  if (ctx.measDateUs === null) return [];
  const tminUs = ctx.measDateUs + toMicroseconds(firstTime);
  const kept = crop(file, file.origTimeUs, tminUs, tminUs + spanUs);
  const sync = (ctx.measDateUs - file.origTimeUs) / 1e6;
  return kept.map((a) => ({ ...a, onset: a.onset - sync }));
}

/** `Annotations.crop` in microseconds: drop annotations outside [tmin, tmax], clip the others to it. */
function crop(file: FifAnnotations, offsetUs: number, tminUs: number, tmaxUs: number): Annotation[] {
  const out: Annotation[] = [];
  file.onset.forEach((onset, i) => {
    const duration = file.duration[i] as number;
    const startUs = toMicroseconds(onset) + offsetUs;
    const endUs = startUs + toMicroseconds(Number.isNaN(duration) ? 0 : duration);
    if (startUs > tmaxUs || endUs < tminUs) return;
    const clippedStart = Math.max(startUs, tminUs);
    const clippedEnd = Math.min(endUs, tmaxUs);
    const clipped = clippedStart !== startUs || clippedEnd !== endUs;
    out.push({
      onset: (clippedStart - offsetUs) / 1e6,
      duration: clipped ? (clippedEnd - clippedStart) / 1e6 : duration,
      description: file.description[i] as string,
    });
  });
  return out;
}

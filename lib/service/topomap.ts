/**
 * The topomap pipeline for one request: channel selection (type, bads, exclusions, positions), the window
 * (time, window, band power or ERP) read with filter context, MNE's processing (projectors for evoked files,
 * zero-phase FIR, average reference, grad merging), the engine's geometry and interpolation (cached per
 * recording and geometry options), the colour scale, and the answer as PNG, SVG or JSON.
 */
import { channelArrays } from '../core/channel-arrays';
import { DEFAULT_MAX_WINDOW_SAMPLES } from '../core/config';
import { ApiError, badRequest } from '../core/errors';
import {
  averageReference,
  bandPower,
  BANDS,
  channelMeans,
  channelRms,
  contextForBand,
  designFir,
  erp,
  filterWindow,
  welchPsd,
  type Baseline,
} from '../core/dsp';
import { normaliseQuery, type TopomapQuery } from '../core/topomap-params';
import { createHash } from 'node:crypto';
import { isMainThread } from 'node:worker_threads';
import { createPlanCache, renderPng, renderPngHalf, renderSvg, type DeflatedHalf } from '../core/render';
import { DEFAULT_PNG, type PngSettings } from '../core/render/png';
import { deflaterName, pngDeflater } from './deflater';
import {
  colorScale,
  computeGeometry,
  createLru,
  interpolate,
  type Lru,
  mergeGradValues,
  pairGradSensors,
  prepareInterpolation,
  preparedBytes,
  type PreparedInterpolation,
} from '../core/topomap';
import type {
  ColorScale,
  MapChannelType,
  RenderableMap,
  RenderOptions,
  TopomapGeometry,
  Vec3,
} from '../core/topomap/types';
import { projectorRows } from '../readers/fif/proj';
import type { RecordingInfo } from '../readers/types';
import { hasPosition, type OpenedRecording } from './open-recording';

export interface TopomapLimits {
  maxWindowSeconds: number;
  /** Samples × channels one read may return, filter context included (default DEFAULT_MAX_WINDOW_SAMPLES). */
  maxWindowSamples?: number;
  maxImageSize: number;
  maxRes: number;
}

export interface TopomapResult {
  contentType: string;
  body: Uint8Array | string | object;
  etag: string;
}

const DIG_KIND_NUMBER = { cardinal: 1, hpi: 2, eeg: 3, extra: 4 } as const;
const DISPLAY: Record<MapChannelType, { unit: string; display: string; scale: number }> = {
  eeg: { unit: 'V', display: 'µV', scale: 1e6 },
  mag: { unit: 'T', display: 'fT', scale: 1e15 },
  grad: { unit: 'T/m', display: 'fT/cm', scale: 1e13 },
};
const MAX_ERP_EVENTS = 2000;

const geometryCache = createLru<TopomapGeometry>(64);
/**
 * Prepared interpolations (grid plans, spline matrices) by geometry content key and method, bounded by count and
 * bytes: a grid plan is ≈ 28 B per grid point (115 kB at res 64, 7.3 MB at res 512), a spline matrix
 * 8 B × grid points × sensors.
 */
const PREPARED_MAX_BYTES = 128 * 1024 * 1024;
const preparedCache = createLru<PreparedInterpolation>(64, undefined, {
  maxBytes: PREPARED_MAX_BYTES,
  bytesOf: preparedBytes,
});
const planCache = createPlanCache();
/**
 * In a map worker thread the PNG is deflated right there; in the request's thread, on libuv's pool, unless this
 * thread has ISA-L's deflater (lib/service/deflater.ts), which runs in the calling thread. Chosen once per thread.
 */
let pngSettings: PngSettings | undefined;
function pngSettingsHere(): PngSettings {
  if (pngSettings) return pngSettings;
  const deflater = pngDeflater();
  pngSettings = { ...DEFAULT_PNG, sync: !isMainThread, ...(deflater ? { deflater } : {}) };
  return pngSettings;
}

interface Selection {
  chType: MapChannelType;
  /** Channel indices read from the recording, in map order (grad: pairs a0, b0, a1, b1, ...). */
  picks: number[];
  /** Names shown on the map (merged grads: 'MEG 011x'). */
  names: string[];
  merge: boolean;
  excluded: { name: string; reason: string }[];
}

/** MNE's default map type: the first present of mag, grad, eeg among channels with positions. */
function chooseType(info: RecordingInfo, wanted: MapChannelType | undefined): MapChannelType {
  const present = new Set(info.channels.filter(hasPosition).map((c) => c.type));
  if (wanted) {
    if (!present.has(wanted)) {
      throw new ApiError(
        422,
        'channel_type_absent',
        `This recording has no ${wanted} channels with positions.`,
      );
    }
    return wanted;
  }
  const found = (['mag', 'grad', 'eeg'] as const).find((t) => present.has(t));
  if (!found)
    throw new ApiError(
      422,
      'insufficient_positions',
      `This recording has no EEG or MEG channels with positions. ${HOW_TO_SUPPLY_POSITIONS}`,
    );
  return found;
}

/** What an EEG recording without usable positions needs (issue 16: no montage is guessed from ambiguous labels). */
export const HOW_TO_SUPPLY_POSITIONS =
  'Supply electrode positions in LORIS (the electrodes imported for this file), in a BIDS *_electrodes.tsv ' +
  '(with *_coordsystem.json) beside the recording, or in the file itself (e.g. EEGLAB chanlocs, BrainVision ' +
  '[Coordinates]); a standard montage is used only for 10-20/10-10/10-5 channel names or a complete cap label ' +
  'set (BioSemi, EGI GSN-HydroCel, EasyCap), never guessed from partial labels such as A1..A16.';

export function selectChannels(info: RecordingInfo, q: Pick<TopomapQuery, 'type' | 'exclude'>): Selection {
  const chType = chooseType(info, q.type);
  const excludedNames = new Set([...info.bads, ...(q.exclude ?? [])]);
  const excluded: Selection['excluded'] = [];
  const candidates: number[] = [];
  info.channels.forEach((c, i) => {
    if (c.type !== chType) return;
    if (excludedNames.has(c.name))
      excluded.push({ name: c.name, reason: info.bads.includes(c.name) ? 'bad' : 'excluded' });
    else if (!hasPosition(c)) excluded.push({ name: c.name, reason: 'no position' });
    else candidates.push(i);
  });
  let picks = candidates;
  let names = candidates.map((i) => info.channels[i]?.name ?? '');
  let merge = false;
  if (chType === 'grad') {
    const pairs = pairGradSensors(names.map((name) => ({ name })));
    if (pairs.picks.length > 0) {
      picks = pairs.picks.map((k) => candidates[k] as number);
      names = pairs.names;
      merge = true;
    }
  }
  if (names.length < 3) {
    throw new ApiError(
      422,
      'insufficient_positions',
      `A map needs at least 3 ${chType} channels with positions; this recording has ${names.length} usable.` +
        (chType === 'eeg' ? ` ${HOW_TO_SUPPLY_POSITIONS}` : ''),
    );
  }
  return { chType, picks, names, merge, excluded };
}

interface SampleWindow {
  start: number;
  stop: number;
}

/**
 * Samples of `[tmin, tmax]` as MNE's `_time_mask` selects them (nearest samples, both ends included), in a
 * recording whose sample i is at time (first + i) / sfreq; computed without building the times array.
 */
export function windowSamples(info: RecordingInfo, tmin: number, tmax: number): SampleWindow {
  const sf = info.sfreq;
  const first = Math.round(info.tmin * sf);
  const lo = Math.round(tmin * sf) / sf - 0.5 / sf;
  const hi = Math.round(tmax * sf) / sf + 0.5 / sf;
  const time = (i: number): number => (first + i) / sf;
  let start = Math.max(0, Math.ceil(lo * sf - first) - 2);
  while (start < info.nSamples && time(start) < lo) start++;
  let stop = Math.max(start, Math.floor(hi * sf - first) - 2);
  while (stop < info.nSamples && time(stop) <= hi) stop++;
  const end = (first + info.nSamples - 1) / sf;
  if (tmin > tmax) throw badRequest(`tmin (${tmin}) must be less than tmax (${tmax}).`);
  if (start >= stop || start >= info.nSamples) {
    throw new ApiError(
      400,
      'invalid_time',
      `The window ${tmin}–${tmax} s is outside the recording (${first / sf} to ${end} s).`,
    );
  }
  return { start, stop: Math.min(stop, info.nSamples) };
}

function checkWindowLength(info: RecordingInfo, w: SampleWindow, limits: TopomapLimits): void {
  const seconds = (w.stop - w.start - 1) / info.sfreq; // from the first to the last sample
  if (seconds > limits.maxWindowSeconds) {
    throw new ApiError(
      400,
      'window_too_long',
      `The window is ${seconds.toFixed(3)} s; the longest allowed is ${limits.maxWindowSeconds} s.`,
    );
  }
}

/** Refuses, before reading, a read whose Float64 samples (samples × channels) exceed the window budget. */
function checkWindowSamples(samples: number, channels: number, limits: TopomapLimits): void {
  const cap = limits.maxWindowSamples ?? DEFAULT_MAX_WINDOW_SAMPLES;
  if (samples * channels > cap) {
    throw new ApiError(
      400,
      'window_too_long',
      `The window needs ${samples} samples × ${channels} channels (filter context included); ` +
        `the most allowed is ${cap} samples × channels. Ask for a shorter window.`,
    );
  }
}

/** Reads a window with filter context (clipped at the recording's ends), then projects and filters it. */
async function readProcessed(
  opened: OpenedRecording,
  picks: number[],
  w: SampleWindow,
  q: TopomapQuery,
  limits: TopomapLimits,
): Promise<Float64Array[]> {
  const { info, recording } = opened;
  const filtering = q.lfreq !== undefined || q.hfreq !== undefined;
  if (filtering) designFir(info.sfreq, q.lfreq ?? null, q.hfreq ?? null); // validates the band first
  const context = filtering ? contextForBand(info.sfreq, q.lfreq ?? null, q.hfreq ?? null) : 0;
  const from = Math.max(0, w.start - context);
  const to = Math.min(info.nSamples, w.stop + context);
  const projection = projectionFor(opened, picks);
  checkWindowSamples(to - from, (projection ? projection.read : picks).length, limits);
  let data = await recording.readWindow(projection ? projection.read : picks, from, to);
  if (projection) data = project(projection.rows, data);
  if (q.reference === 'average') {
    const good = picks.map((p, k) =>
      info.channels[p]?.type === 'eeg' && !info.bads.includes(info.channels[p]?.name ?? '') ? k : -1,
    );
    data = averageReference(
      data,
      good.filter((k) => k >= 0),
    );
  }
  if (!filtering) return data.map((x) => x.subarray(w.start - from, w.stop - from));
  return filterWindow(data, info.sfreq, q.lfreq ?? null, q.hfreq ?? null, w.start - from, to - w.stop);
}

/**
 * Evoked files are read as MNE's read_evokeds(proj=True) gives them: with the file's SSP projectors applied
 * over all channels; raw files are not projected (read_raw_* does not apply projectors). Only the rows of P
 * for the picked channels are needed; they are cached by what they are made from (projectionKey), so
 * recordings with the same projectors, channels and bads (the conditions or runs of one acquisition) share them.
 */
const projectorCache = createLru<{ read: number[]; rows: Float64Array[] }>(32);

/**
 * The content key of a projection: everything projectorRows reads (every channel's name, the bads, the picks,
 * each projector's channel names and vectors, bit for bit). Computed once per recording info and pick set.
 */
export function projectionKey(info: RecordingInfo, picks: readonly number[]): string {
  const hash = createHash('sha1');
  hash.update(JSON.stringify([info.channels.map((c) => c.name), info.bads, picks]));
  for (const p of info.projectors) {
    hash.update(`|${JSON.stringify(p.channelNames)}|${p.vectors.length}`);
    for (const v of p.vectors) hash.update(`|${v.length}:`).update(Float64Array.from(v));
  }
  return hash.digest('base64');
}

function projectionFor(
  opened: OpenedRecording,
  picks: number[],
): { read: number[]; rows: Float64Array[] } | null {
  const { info } = opened;
  if (info.kind !== 'evoked' || info.projectors.length === 0) return null;
  const key = derivedFor(info).projections.getOrCreate(picks.join(','), () => projectionKey(info, picks));
  return projectorCache.getOrCreate(key, () => {
    // Only the picked rows of P (projectorRows: the same bits as those rows of the whole matrix).
    const p = projectorRows(
      info.projectors,
      info.channels.map((c) => c.name),
      info.bads,
      picks,
    );
    // Channels whose weight is zero in every picked row need not be read.
    const used = info.channels.map((_, j) => j).filter((j) => p.some((row) => (row[j] ?? 0) !== 0));
    const rows = p.map((row) => Float64Array.from(used, (j) => row[j] ?? 0));
    return { read: used, rows };
  });
}

function project(rows: Float64Array[], data: Float64Array[]): Float64Array[] {
  const n = data[0]?.length ?? 0;
  const outs = channelArrays(rows.length, n);
  return rows.map((row, k) => {
    const out = outs[k] as Float64Array;
    row.forEach((w, j) => {
      if (w === 0) return;
      const x = data[j] as Float64Array;
      for (let i = 0; i < n; i++) out[i] = (out[i] as number) + w * (x[i] as number);
    });
    return out;
  });
}

function parseBaseline(value: string | undefined, tmin: number): Baseline | null {
  if (value === undefined) return tmin < 0 ? [null, 0] : null;
  if (value === 'none') return null;
  const [a, b] = value.split(',');
  return [a ? Number(a) : null, b ? Number(b) : null];
}

interface MapValues {
  values: number[];
  times: [number, number];
  power: boolean;
}

async function amplitudeValues(
  opened: OpenedRecording,
  sel: Selection,
  q: TopomapQuery,
  limits: TopomapLimits,
): Promise<MapValues> {
  const { info } = opened;
  const end = info.tmin + (info.nSamples - 1) / info.sfreq;
  const w =
    q.t !== undefined
      ? windowSamples(info, q.t, q.t)
      : windowSamples(info, q.tmin ?? info.tmin, q.tmax ?? end);
  if (q.t !== undefined) w.stop = w.start + 1;
  checkWindowLength(info, w, limits);
  const data = await readProcessed(opened, sel.picks, w, q, limits);
  const range = { start: 0, stop: w.stop - w.start };
  const isPower = q.metric === 'power';
  let values: number[];
  if (isPower) {
    const [fmin, fmax] = q.band ? BANDS[q.band] : [q.fmin ?? 0, q.fmax ?? info.sfreq / 2];
    const nyquist = info.sfreq / 2;
    if (fmax > nyquist)
      throw new ApiError(
        400,
        'invalid_band',
        `fmax ${fmax} Hz is above the Nyquist frequency ${nyquist} Hz.`,
      );
    if (fmin >= fmax) throw new ApiError(400, 'invalid_band', `fmin (${fmin}) must be below fmax (${fmax}).`);
    if (range.stop < 2)
      throw new ApiError(400, 'invalid_time', 'Band power needs a window of at least 2 samples.');
    const scale = DISPLAY[sel.chType].scale;
    const psd = welchPsd(
      data.map((x) => x.map((v) => v * scale)),
      info.sfreq,
    );
    values = Array.from(bandPower(psd, fmin, fmax, { dB: false }), (v) => v / scale ** 2);
  } else {
    values = Array.from(q.metric === 'rms' ? channelRms(data, range) : channelMeans(data, range));
  }
  const t0 = (Math.round(info.tmin * info.sfreq) + w.start) / info.sfreq;
  const t1 = (Math.round(info.tmin * info.sfreq) + w.stop - 1) / info.sfreq;
  return { values, times: [t0, t1], power: isPower };
}

function addInto(sum: Float64Array | undefined, x: Float64Array): void {
  if (!sum) return;
  for (let i = 0; i < sum.length; i++) sum[i] = (sum[i] as number) + (x[i] as number);
}

async function erpValues(
  opened: OpenedRecording,
  sel: Selection,
  q: TopomapQuery,
  limits: TopomapLimits,
  signal?: AbortSignal,
): Promise<MapValues> {
  const { info } = opened;
  if (!q.event) throw badRequest('metric=erp needs event=<type or value>.');
  const events = await opened.readEvents();
  const onsets = events.filter((e) => e.type === q.event || e.value === q.event).map((e) => e.onset);
  if (onsets.length === 0) {
    const known = [...new Set(events.flatMap((e) => [e.type, e.value]))].slice(0, 20).join(', ');
    throw new ApiError(
      422,
      'unknown_event',
      `No event of type or value "${q.event}". Known: ${known || 'none'}.`,
    );
  }
  if (onsets.length > MAX_ERP_EVENTS) throw badRequest(`At most ${MAX_ERP_EVENTS} events can be averaged.`);
  const tmin = q.tmin ?? -0.2;
  const tmax = q.tmax ?? 0.5;
  if (!(tmin < tmax)) throw badRequest(`tmin (${tmin}) must be less than tmax (${tmax}).`);
  if (tmax - tmin > limits.maxWindowSeconds) {
    throw new ApiError(
      400,
      'window_too_long',
      `The epoch is ${tmax - tmin} s; the longest allowed is ${limits.maxWindowSeconds} s.`,
    );
  }
  const baseline = parseBaseline(q.baseline, tmin);
  const margin = Math.ceil(Math.max(Math.abs(tmin), Math.abs(tmax)) * info.sfreq) + 2;
  // A running sum per channel: memory stays one epoch per channel however many events are averaged.
  let sums: Float64Array[] | undefined;
  let kept = 0;
  let times: Float64Array | undefined;
  for (const onset of onsets) {
    signal?.throwIfAborted(); // the request timed out: stop reading epochs
    const at = Math.round(onset * info.sfreq);
    const w = { start: Math.max(0, at - margin), stop: Math.min(info.nSamples, at + margin + 1) };
    if (w.stop <= w.start) continue;
    const data = await readProcessed(opened, sel.picks, w, q, limits);
    const one = erp(data, info.sfreq, [at - w.start], { tmin, tmax, baseline });
    if (one.kept.length === 0) continue;
    times = one.times;
    sums ??= one.average.map((a) => new Float64Array(a.length));
    one.average.forEach((a, c) => addInto(sums?.[c], a));
    kept++;
  }
  if (kept === 0 || !times || !sums)
    throw new ApiError(422, 'unknown_event', 'No epoch fits inside the recording.');
  const n = times.length;
  const mean = sums.map((sum) => sum.map((v) => v / kept));
  const pick = (t: number): number => {
    let best = 0;
    for (let i = 1; i < n; i++)
      if (Math.abs((times as Float64Array)[i]! - t) < Math.abs((times as Float64Array)[best]! - t)) best = i;
    return best;
  };
  const [a, b] = q.t !== undefined ? [pick(q.t), pick(q.t) + 1] : [pick(Math.max(0, tmin)), n];
  const values = mean.map((x) => {
    let s = 0;
    for (let i = a; i < b; i++) s += x[i] as number;
    return s / (b - a);
  });
  return { values, times: [times[a] as number, times[b - 1] as number], power: false };
}

/**
 * The geometry of a map depends only on its inputs (positions, digitisation, device→head transform, channel names
 * and type, extrapolation, resolution), so it is cached by their content: recordings sharing a montage (a site's
 * cap, template positions) share one geometry, its interpolation plans and its raster plans.
 */
function geometryKey(input: GeometryInput): string {
  const hash = createHash('sha1');
  hash.update([input.chType, input.extrapolate, input.res, (input.names ?? []).join('\0')].join('|'));
  hash.update(Float64Array.from(input.locs3d.flat()));
  for (const d of input.dig ?? []) hash.update(`|${d.kind ?? ''}:${d.r.join(',')}`);
  hash.update(`|${JSON.stringify(input.devHeadT)}`);
  return hash.digest('base64');
}

type GeometryInput = Parameters<typeof computeGeometry>[0];

function geometryInput(info: RecordingInfo, sel: Selection, q: TopomapQuery): GeometryInput {
  const locIndex = sel.merge ? sel.picks.filter((_, k) => k % 2 === 0) : sel.picks;
  return {
    locs3d: locIndex.map((p) => (info.channels[p]?.loc.slice(0, 3) ?? [0, 0, 0]) as Vec3),
    chType: sel.chType,
    names: sel.names,
    dig: info.dig
      .filter((d) => d.coordFrame === 'head')
      .map((d) => ({ kind: DIG_KIND_NUMBER[d.kind], r: d.r })),
    devHeadT: info.devHeadT,
    extrapolate: q.extrapolate,
    res: q.res,
  };
}

/**
 * What a recording's maps derive from its info alone, by the options they depend on: channel selections (type,
 * exclusions), geometry inputs with their content keys (plus extrapolation, resolution) and projection keys. An opened recording's
 * info is not changed after the open, so a warm map neither re-selects channels nor re-hashes positions.
 * Bounded: MEMO_PER_RECORDING entries per info object, dropped with it (WeakMap).
 */
const MEMO_PER_RECORDING = 16;
interface Derived {
  selections: Lru<Selection>;
  geometries: Lru<{ input: GeometryInput; key: string }>;
  /** projectionKey by pick set. */
  projections: Lru<string>;
}
const derivedByInfo = new WeakMap<RecordingInfo, Derived>();

function derivedFor(info: RecordingInfo): Derived {
  let derived = derivedByInfo.get(info);
  if (!derived) {
    derived = {
      selections: createLru(MEMO_PER_RECORDING),
      geometries: createLru(MEMO_PER_RECORDING),
      projections: createLru(MEMO_PER_RECORDING),
    };
    derivedByInfo.set(info, derived);
  }
  return derived;
}

const selectionKey = (q: Pick<TopomapQuery, 'type' | 'exclude'>): string =>
  JSON.stringify([q.type ?? null, q.exclude ?? []]);

/** selectChannels, remembered per recording info (a refused selection is not remembered). */
function selectionFor(info: RecordingInfo, q: TopomapQuery): Selection {
  return derivedFor(info).selections.getOrCreate(selectionKey(q), () => selectChannels(info, q));
}

function geometryFor(opened: OpenedRecording, sel: Selection, q: TopomapQuery) {
  const { info } = opened;
  const { input, key } = derivedFor(info).geometries.getOrCreate(
    `${selectionKey(q)}|${q.extrapolate}|${q.res}`,
    () => {
      const made = geometryInput(info, sel, q);
      return { input: made, key: geometryKey(made) };
    },
  );
  const geometry = geometryCache.getOrCreate(key, () => computeGeometry(input));
  const prepared = preparedCache.getOrCreate(`${key}|${q.interp}`, () =>
    prepareInterpolation(geometry, q.interp),
  );
  return { geometry, prepared };
}

function scaleFor(values: number[], sel: Selection, q: TopomapQuery, power: boolean): ColorScale {
  const s = power ? DISPLAY[sel.chType].scale ** 2 : DISPLAY[sel.chType].scale;
  const shown = values.map((v) => v * s);
  const flat = shown.every((v) => v === shown[0]) || shown.some((v) => !Number.isFinite(v));
  let scale: ColorScale;
  if (power) {
    const lo = q.vmin !== undefined ? q.vmin * s : Math.min(...shown);
    const hi = q.vmax !== undefined ? q.vmax * s : Math.max(...shown);
    scale = colorScale(shown, { vmin: lo, vmax: hi, norm: lo * hi >= 0, contours: q.contours, cmap: q.cmap });
    if (!q.cmap) scale.cmap = lo * hi >= 0 ? 'Reds' : 'RdBu_r';
  } else {
    scale = colorScale(shown, {
      vmin: q.vmin !== undefined ? q.vmin * s : undefined,
      vmax: q.vmax !== undefined ? q.vmax * s : undefined,
      norm: sel.merge ? true : undefined,
      contours: q.contours,
      cmap: q.cmap,
    });
  }
  return {
    vmin: scale.vmin / s,
    vmax: scale.vmax / s,
    cmap: scale.cmap,
    contourLevels: flat ? [] : scale.contourLevels.map((l) => l / s),
  };
}

export function checkLimits(q: TopomapQuery, limits: TopomapLimits): void {
  if (q.size > limits.maxImageSize) {
    throw new ApiError(
      413,
      'image_too_large',
      `size ${q.size} is above the limit of ${limits.maxImageSize} pixels.`,
    );
  }
  if (q.res > limits.maxRes)
    throw new ApiError(413, 'grid_too_large', `res ${q.res} is above the limit of ${limits.maxRes}.`);
  if (q.metric !== 'power' && (q.band || q.fmin !== undefined || q.fmax !== undefined)) {
    throw badRequest('band, fmin and fmax apply to metric=power.');
  }
  if (q.t !== undefined && q.metric !== 'erp' && (q.tmin !== undefined || q.tmax !== undefined)) {
    throw badRequest('Give either t or tmin/tmax, not both.');
  }
}

/**
 * Interpolates in display units (µV, fT, fT/cm), as MNE's evoked maps do, then returns the grid in SI units.
 * scipy's Clough–Tocher gradient iteration has an absolute tolerance (max(1, |r|)), so SI-sized values
 * (1e-13 T) would stop it after one sweep; display units give MNE's converged maps.
 */
function interpolateInDisplayUnits(
  geometry: TopomapGeometry,
  values: number[],
  q: TopomapQuery,
  prepared: PreparedInterpolation,
  scale: number,
) {
  const border = typeof q.border === 'number' ? q.border * scale : q.border;
  const map = interpolate(
    geometry,
    values.map((v) => v * scale),
    q.interp,
    border,
    prepared,
  );
  const grid = map.grid; // interpolate's own new array: back to SI units in place
  for (let i = 0; i < grid.length; i++) grid[i] = grid[i]! / scale;
  return { ...map, values, grid };
}

export interface ComputedMap {
  renderable: RenderableMap;
  selection: Selection;
  times: [number, number];
}

/** `signal` (the request's timeout) stops long work, such as an ERP over many events, between reads. */
export async function computeMap(
  opened: OpenedRecording,
  q: TopomapQuery,
  limits: TopomapLimits,
  signal?: AbortSignal,
): Promise<ComputedMap> {
  checkLimits(q, limits);
  const sel = selectionFor(opened.info, q);
  const mv =
    q.metric === 'erp'
      ? await erpValues(opened, sel, q, limits, signal)
      : await amplitudeValues(opened, sel, q, limits);
  const values = sel.merge
    ? mergeGradValues(
        mv.values,
        sel.names.map((_, k) => [2 * k, 2 * k + 1]).flat(),
        mv.power ? 'mean' : 'rms',
      )
    : mv.values;
  const { geometry, prepared } = geometryFor(opened, sel, q);
  const d = DISPLAY[sel.chType];
  const map = interpolateInDisplayUnits(geometry, values, q, prepared, mv.power ? d.scale ** 2 : d.scale);
  const scale = scaleFor(values, sel, q, mv.power);
  const renderable: RenderableMap = {
    map,
    scale,
    channelNames: sel.names,
    unit: mv.power ? `${d.unit}²/Hz` : d.unit,
    displayUnit: mv.power ? `${d.display}²/Hz` : d.display,
    displayScale: mv.power ? d.scale ** 2 : d.scale,
  };
  return { renderable, selection: sel, times: mv.times };
}

/** The JSON answer: the grid and everything needed to draw it client-side, in SI units. */
export function mapJson(c: ComputedMap, opened: OpenedRecording, q: TopomapQuery) {
  const { map, scale } = c.renderable;
  const g = map.geometry;
  const grid: (number | null)[][] = [];
  for (let r = 0; r < g.res; r++) {
    const row: (number | null)[] = [];
    for (let k = 0; k < g.res; k++) {
      const v = map.grid[r * g.res + k] as number;
      row.push(Number.isFinite(v) ? v : null);
    }
    grid.push(row);
  }
  return {
    unit: c.renderable.unit,
    displayUnit: c.renderable.displayUnit,
    displayScale: c.renderable.displayScale,
    vmin: scale.vmin,
    vmax: scale.vmax,
    cmap: scale.cmap,
    res: g.res,
    extent: g.extent,
    grid,
    clip: g.clip,
    sphere: g.sphere,
    channels: c.renderable.channelNames,
    positions2d: g.pos2d,
    values: map.values,
    contourLevels: scale.contourLevels,
    excluded: c.selection.excluded.map((e) => e.name),
    positionSource: c.selection.chType === 'eeg' ? opened.positionSource : 'file',
    interp: q.interp,
    extrapolate: g.extrapolate,
    times: c.times,
  };
}

/** The render options a query asks for. */
const renderOptions = (q: TopomapQuery): RenderOptions => ({
  size: q.size,
  contours: q.contours > 0,
  sensors: q.sensors,
  names: q.names,
  colorbar: q.colorbar,
  outlines: q.outlines,
  background: q.background,
});

/**
 * One half of a computed map's PNG, drawn and deflated here: joinHalves of both gives renderMap's body. Its stream
 * goes near the start of `into` when it fits.
 */
export function renderMapHalf(
  m: RenderableMap,
  q: TopomapQuery,
  half: 'top' | 'bottom',
  into?: Uint8Array,
): DeflatedHalf {
  return renderPngHalf(m, renderOptions(q), half, { cache: planCache, png: pngSettingsHere() }, into);
}

export async function renderMap(
  c: ComputedMap,
  opened: OpenedRecording,
  q: TopomapQuery,
): Promise<{ contentType: string; body: Uint8Array | string | object }> {
  const drawing = renderOptions(q);
  if (q.format === 'json') return { contentType: 'application/json', body: mapJson(c, opened, q) };
  if (q.format === 'svg')
    return { contentType: 'image/svg+xml', body: renderSvg(c.renderable, drawing, { cache: planCache }) };
  return {
    contentType: 'image/png',
    body: await renderPng(c.renderable, drawing, { cache: planCache, png: pngSettingsHere() }),
  };
}

/** An ETag from the recording's identity (path, size, mtime, database extras) and the normalised parameters. */
export function topomapEtag(opened: OpenedRecording, q: TopomapQuery, hash: (s: string) => string): string {
  // A PNG's bytes depend on the deflater too (the picture does not).
  const encoder = q.format === 'png' ? `|${deflaterName(pngSettingsHere().deflater)}` : '';
  return `"${hash(`${opened.identityKey}|${opened.cacheKey ?? ''}|${normaliseQuery(q)}${encoder}`)}"`;
}

/**
 * FIF reader (raw and evoked files, .fif and .fif.gz), exact against MNE-Python 1.3's `read_raw_fif` and
 * `read_evokeds(proj=False)`; `makeProjector` reproduces `proj=True`.
 *
 * Not read: epochs files, split files (> 2 GB parts), MaxShield (IAS) data, complex-valued buffers (all refused as
 * unsupported_format), CTF compensation matrices (only their count and the current grade are reported).
 * Raw events are MNE's raw.annotations: the file's annotations (cropped to the data) and acquisition skips, read
 * when first asked for (Recording.readEvents).
 */
import { DEFAULT_MAX_DECODED_BYTES } from '../types';
import type { OpenOptions, Projector, Recording, RecordingEvent, RecordingInfo } from '../types';
import type { ByteSource, SourceFs } from '../source';
import { eventsKnown, eventsOnDemand } from '../events';
import { badRequest, quoteValue, unreadableRecording, unsupportedFormat } from '../../core/errors';
import { BLOCK, ROLE_NEXT_FILE, TAG } from './constants';
import { toChannelInfo } from './channels';
import { gunzipSource } from './gzip';
import { compensationGrade, findMeasBlocks, readMeasInfo, readScalar, type MeasInfo } from './info';
import { findRawNode, readRawLayout, readRawWindow, type RawLayout } from './raw';
import {
  findEvokedNodes,
  readCondition,
  readConditionSummary,
  readEvokedWindow,
  type EvokedCondition,
  type EvokedConditionSummary,
} from './evoked';
import { tagReader, type TagReader } from './tagreader';
import { annotationEvents, readFileAnnotations, readMeasDateUs } from './annotations';
import { buildTree, findBlocks, readDirectory, type FifNode } from './tree';

export { makeProjector } from './proj';

/** Upper bound on values one readWindow call may return (picks × samples). */
const MAX_WINDOW_VALUES = 64 * 1024 * 1024;

interface OpenedFif {
  source: ByteSource;
  reader: TagReader;
  tree: FifNode;
  meas: FifNode;
  measInfo: FifNode;
  info: MeasInfo;
}

async function openSource(path: string, fs: SourceFs, options: OpenOptions): Promise<ByteSource> {
  const source = await fs.open(path);
  if (!/\.gz$/i.test(path)) return source;
  try {
    return await gunzipSource(source, options.maxDecodedBytes ?? DEFAULT_MAX_DECODED_BYTES);
  } finally {
    await source.close();
  }
}

async function openStructure(path: string, fs: SourceFs, options: OpenOptions): Promise<OpenedFif> {
  const source = await openSource(path, fs, options);
  try {
    const reader = tagReader(source);
    const tree = await buildTree(reader, await readDirectory(reader));
    const { meas, measInfo } = findMeasBlocks(tree);
    await refuseSplitFiles(reader, tree);
    return { source, reader, tree, meas, measInfo, info: await readMeasInfo(reader, measInfo) };
  } catch (e) {
    await source.close();
    throw e;
  }
}

/** Files split at 2 GB continue in a next file named by a REF block; this reader reads single files only. */
async function refuseSplitFiles(reader: TagReader, tree: FifNode): Promise<void> {
  for (const ref of findBlocks(tree, BLOCK.ref)) {
    const role = ref.entries.find((e) => e.kind === TAG.refRole);
    if (role && (await readScalar(reader, role, 'reference role')) === ROLE_NEXT_FILE) {
      throw unsupportedFormat('split FIF files (continued in a next file)');
    }
  }
}

export async function openFif(path: string, fs: SourceFs, options: OpenOptions = {}): Promise<Recording> {
  const opened = await openStructure(path, fs, options);
  try {
    const rawNode = findRawNode(opened.meas);
    if (rawNode) return await rawRecording(opened, rawNode);
    if (findBlocks(opened.meas, BLOCK.mneEpochs).length > 0) throw unsupportedFormat('FIF epochs files');
    return await evokedRecording(opened, options.condition ?? 0);
  } catch (e) {
    await opened.source.close();
    throw e;
  }
}

/** Comments, averaged-trial counts and aspect kinds of the conditions in an evoked FIF file. */
export async function listFifConditions(
  path: string,
  fs: SourceFs,
  options: OpenOptions = {},
): Promise<EvokedConditionSummary[]> {
  const opened = await openStructure(path, fs, options);
  try {
    const nodes = findEvokedNodes(opened.meas);
    const out: EvokedConditionSummary[] = [];
    for (const node of nodes) out.push(await readConditionSummary(opened.reader, node));
    return out;
  } finally {
    await opened.source.close();
  }
}

function baseInfo(
  info: MeasInfo,
): Omit<RecordingInfo, 'kind' | 'nSamples' | 'firstSample' | 'tmin' | 'sfreq'> {
  const grade = compensationGrade(info.chs);
  return {
    format: 'fif',
    channels: info.chs.map(toChannelInfo),
    bads: info.bads,
    devHeadT: info.devHeadT,
    dig: info.dig,
    projectors: info.projectors,
    excluded: [],
    notes: {
      projectors: projectorNote(info.projectors),
      ...(grade === null ? {} : { ctfCompensationGrade: grade }),
      ...(info.ctfCompMatrices > 0 ? { ctfCompensationMatrices: info.ctfCompMatrices } : {}),
    },
  };
}

/** Whether the file's SSP projectors are already applied to the stored data. */
function projectorNote(projectors: readonly Projector[]): string {
  if (projectors.length === 0) return 'none';
  const active = projectors.filter((p) => p.active).length;
  const note = `${active} of ${projectors.length} active (applied to the stored data)`;
  return active === projectors.length
    ? note
    : `${note}; MNE's read_evokeds applies the others by default (makeProjector)`;
}

async function rawRecording(opened: OpenedFif, rawNode: FifNode): Promise<Recording> {
  const layout = await readRawLayout(opened.reader, rawNode, opened.info.chs.length);
  const cals = opened.info.chs.map((c) => c.range * c.cal);
  // MNE's BaseRaw refuses raw data whose channels have range · cal = 0 ("Bad cals for channels")
  const zeroCal = opened.info.chs.filter((_, i) => cals[i] === 0).map((c) => quoteValue(c.name));
  if (zeroCal.length > 0)
    throw unreadableRecording(`calibration (range · cal) is 0 for channel ${zeroCal.slice(0, 5).join(', ')}`);
  const info: RecordingInfo = {
    ...baseInfo(opened.info),
    kind: 'raw',
    sfreq: opened.info.sfreq,
    nSamples: layout.nSamples,
    firstSample: layout.firstSample,
    tmin: 0,
  };
  // Annotations are read when first asked for (a map needs none).
  const events = eventsOnDemand(() => rawEvents(opened, layout));
  return recording(info, events, opened.source, (picks, start, stop) =>
    readRawWindow(opened.source, layout, cals, picks, start, stop),
  );
}

/** The file's annotations and the acquisition skips, as MNE's raw.annotations (onsets from the first sample). */
async function rawEvents(opened: OpenedFif, layout: RawLayout): Promise<RecordingEvent[]> {
  const { reader, tree, meas, measInfo, info } = opened;
  return annotationEvents(await readFileAnnotations(reader, tree), {
    measDateUs: await readMeasDateUs(reader, tree, meas, measInfo),
    firstSample: layout.firstSample,
    sfreq: info.sfreq,
    nSamples: layout.nSamples,
    skips: layout.buffers
      .filter((b) => b.dataPos === null)
      .map((b) => ({ startAbs: layout.firstSample + b.start, nsamp: b.nsamp })),
  });
}

async function evokedRecording(opened: OpenedFif, conditionIndex: number): Promise<Recording> {
  const nodes = findEvokedNodes(opened.meas);
  const node = nodes[conditionIndex];
  if (!Number.isInteger(conditionIndex) || !node) {
    throw badRequest(`condition ${conditionIndex} does not exist (the file has ${nodes.length})`);
  }
  const cond = await readCondition(opened.reader, node, opened.info.chs.length, opened.info.sfreq);
  const measInfo = withLocalChannels(opened.info, cond);
  const cals = measInfo.chs.map((c) => c.cal);
  const base = baseInfo(measInfo);
  const info: RecordingInfo = {
    ...base,
    kind: 'evoked',
    sfreq: cond.sfreq ?? measInfo.sfreq,
    nSamples: cond.nSamples,
    firstSample: cond.firstSample,
    tmin: cond.tmin,
    notes: {
      ...base.notes,
      condition: conditionIndex,
      conditions: nodes.length,
      comment: cond.comment,
      nave: cond.nave,
      aspect: cond.aspectKind === 101 ? 'standard_error' : 'average',
    },
  };
  return recording(info, eventsKnown([]), opened.source, (picks, start, stop) =>
    readEvokedWindow(opened.source, cond.data, cals, picks, start, stop),
  );
}

/** An EVOKED block with its own channel definitions replaces the measurement info's (bads renamed, not dropped). */
function withLocalChannels(info: MeasInfo, cond: EvokedCondition): MeasInfo {
  if (!cond.chs) return info;
  return { ...info, chs: cond.chs, bads: info.bads.map((b) => cond.nameMap.get(b) ?? b) };
}

type WindowFn = (picks: readonly number[], start: number, stop: number) => Promise<Float64Array[]>;

function recording(
  info: RecordingInfo,
  readEvents: () => Promise<RecordingEvent[]>,
  source: ByteSource,
  read: WindowFn,
): Recording {
  return {
    info,
    readEvents,
    async readWindow(picks, start, stop) {
      checkWindow(info, picks, start, stop);
      return read(picks, start, stop);
    },
    close: () => source.close(),
  };
}

function checkWindow(info: RecordingInfo, picks: readonly number[], start: number, stop: number): void {
  if (
    !Number.isInteger(start) ||
    !Number.isInteger(stop) ||
    start < 0 ||
    stop > info.nSamples ||
    stop < start
  ) {
    throw badRequest(`samples [${start}, ${stop}) are outside [0, ${info.nSamples})`);
  }
  const nchan = info.channels.length;
  if (picks.some((p) => !Number.isInteger(p) || p < 0 || p >= nchan)) {
    throw badRequest(`channel picks must be indices in [0, ${nchan})`);
  }
  if (picks.length * (stop - start) > MAX_WINDOW_VALUES)
    throw badRequest('the requested window is too large');
}

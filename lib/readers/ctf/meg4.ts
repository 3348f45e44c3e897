/**
 * CTF `.meg4` data files (after MNE's io/ctf/ctf.py): an 8-byte header, then trials of `nSamp` samples stored
 * channel-major as big-endian int32. Long runs continue in `.1_meg4`, `.2_meg4`, ... With the system clock
 * channel present, a file's valid samples end at the clock's first zero (MNE's default system_clock='truncate').
 */
import { quoteValue, unreadableRecording, unsupportedFormat } from '../../core/errors';
import { trimEndOf } from '../../core/strings';
import type { ByteSource } from '../source';
import { giveReadBuffer, takeKeptBytes, takeReadBuffer, type KeptContent } from './read-buffer';

export const MEG4_HEADER_BYTES = 8;
const SYSTEM_CLOCK_CHANNEL = 'SCLK01-177';
const MEG4_MAGIC = /^MEG4[12]CP$/;

export interface Meg4Layout {
  nChan: number;
  /** Samples per trial. */
  nSamp: number;
}

export interface Meg4File {
  source: ByteSource;
  /** Valid samples in this file (after system-clock truncation). */
  nSamples: number;
}

function trialBytes(layout: Meg4Layout): number {
  return 4 * layout.nSamp * layout.nChan;
}

async function checkHeader(src: ByteSource): Promise<void> {
  if (src.size < MEG4_HEADER_BYTES) throw unreadableRecording(`${src.name} is shorter than its header`);
  const header = new TextDecoder('latin1').decode(await src.read(0, MEG4_HEADER_BYTES));
  const magic = trimEndOf(header, '\0');
  if (!MEG4_MAGIC.test(magic))
    throw unsupportedFormat(`${src.name} header ${quoteValue(magic)} is not MEG41CP or MEG42CP`);
}

/** Index of the first zero clock sample, scanning trial by trial; nSampTotal when the clock never stops. */
async function clockEnd(
  src: ByteSource,
  layout: Meg4Layout,
  clockChannel: number,
  nTrials: number,
): Promise<number> {
  for (let t = 0; t < nTrials; t++) {
    const offset = MEG4_HEADER_BYTES + (t * layout.nChan + clockChannel) * layout.nSamp * 4;
    const bytes = await src.read(offset, layout.nSamp * 4);
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let i = 0; i < layout.nSamp; i++) {
      if (dv.getInt32(i * 4) === 0) return t * layout.nSamp + i;
    }
  }
  return nTrials * layout.nSamp;
}

/** Validates a data file and counts its valid samples. */
export async function probeMeg4(
  src: ByteSource,
  layout: Meg4Layout,
  channelNames: string[],
): Promise<Meg4File> {
  await checkHeader(src);
  const dataBytes = src.size - MEG4_HEADER_BYTES;
  if (dataBytes % trialBytes(layout) !== 0) {
    throw unreadableRecording(`${src.name} does not hold a whole number of trials (${dataBytes} data bytes)`);
  }
  const nTrials = dataBytes / trialBytes(layout);
  const clockChannel = channelNames.indexOf(SYSTEM_CLOCK_CHANNEL);
  const nSamples =
    clockChannel < 0 ? nTrials * layout.nSamp : await clockEnd(src, layout, clockChannel, nTrials);
  return { source: src, nSamples };
}

/** Name of the `index`-th data file of a dataset whose files are named `<base>.<ext>`. */
export function meg4FileName(base: string, index: number): string {
  return index === 0 ? `${base}.meg4` : `${base}.${index}_meg4`;
}

export interface ChannelRequest {
  channel: number;
  /** Output arrays (one per pick asking for this channel). */
  outputs: Float64Array[];
  cal: number;
}

function decodeInto(
  bytes: Uint8Array,
  byteOffset: number,
  count: number,
  req: ChannelRequest,
  outAt: number,
): void {
  const dv = new DataView(bytes.buffer, bytes.byteOffset + byteOffset, count * 4);
  for (const out of req.outputs) {
    for (let i = 0; i < count; i++) out[outAt + i] = dv.getInt32(i * 4) * req.cal;
  }
}

/** Groups requests (sorted by channel) into runs of consecutive channels. */
function consecutiveRuns(requests: ChannelRequest[]): ChannelRequest[][] {
  const runs: ChannelRequest[][] = [];
  for (const req of requests) {
    const last = runs.at(-1);
    const prev = last?.at(-1);
    if (last && prev && prev.channel + 1 === req.channel) last.push(req);
    else runs.push([req]);
  }
  return runs;
}

/** A short window of many adjacent channels is read in pieces of at most this many bytes, not channel by channel. */
export const COALESCE_BYTES = 256 * 1024;

/**
 * The reads for a window of `count` of a trial's `nSamp` samples: whole runs of consecutive channels when the window
 * covers at least a third of the trial; otherwise runs cut into pieces of at most COALESCE_BYTES (each skips under
 * that many bytes, and replaces hundreds of tiny reads by a few), or single channels when one channel's stride in
 * the trial is already over half of COALESCE_BYTES.
 */
function readGroups(requests: ChannelRequest[], count: number, nSamp: number): ChannelRequest[][] {
  if (3 * count >= nSamp) return consecutiveRuns(requests);
  const perPiece = Math.floor(COALESCE_BYTES / (nSamp * 4));
  if (perPiece < 2) return requests.map((r) => [r]);
  return consecutiveRuns(requests).flatMap((run) => {
    const pieces: ChannelRequest[][] = [];
    for (let k = 0; k < run.length; k += perPiece) pieces.push(run.slice(k, k + perPiece));
    return pieces;
  });
}

/**
 * Trials of at most this many bytes (every channel) are read whole when a window needs at least half of their
 * bytes anyway, and kept for the next window of the same trial (read-buffer.ts): a viewer moving its window within
 * a trial then reads nothing (a warm CTF map's seven reads of 1.7 MB took 0.15–0.2 ms of its 7 ms per half).
 */
export const MAX_WHOLE_TRIAL_BYTES = 8 * 1024 * 1024;

/**
 * Reads samples [a, b) of trial `trial` of one file for the requested channels into the outputs at `outAt`.
 * Runs of consecutive channels are read together (see readGroups): fewer, larger reads, into one buffer; or the
 * whole trial once (MAX_WHOLE_TRIAL_BYTES).
 */
export async function readTrialSpan(
  file: Meg4File,
  layout: Meg4Layout,
  trial: number,
  a: number,
  b: number,
  requests: ChannelRequest[],
  outAt: number,
): Promise<void> {
  const channelStart = (ch: number): number =>
    MEG4_HEADER_BYTES + ((trial * layout.nChan + ch) * layout.nSamp + a) * 4;
  const count = b - a;
  const groups = readGroups(requests, count, layout.nSamp);
  const groupBytes = (group: ChannelRequest[]): number =>
    group.length * layout.nSamp * 4 - (layout.nSamp - count) * 4;
  const whole = trialBytes(layout);
  if (whole <= MAX_WHOLE_TRIAL_BYTES && 2 * groups.reduce((n, g) => n + groupBytes(g), 0) >= whole) {
    await readFromWholeTrial(file, layout, trial, a, count, requests, outAt);
    return;
  }
  const buffer = takeReadBuffer(Math.max(0, ...groups.map(groupBytes)));
  try {
    for (const group of groups) {
      const first = group[0];
      if (!first) continue;
      const bytes = await file.source.read(channelStart(first.channel), groupBytes(group), buffer);
      group.forEach((req, k) => decodeInto(bytes, k * layout.nSamp * 4, count, req, outAt));
    }
  } finally {
    giveReadBuffer(buffer);
  }
}

/** readTrialSpan from the whole trial: the one kept from the last window when it is this one, else read now. */
async function readFromWholeTrial(
  file: Meg4File,
  layout: Meg4Layout,
  trial: number,
  a: number,
  count: number,
  requests: ChannelRequest[],
  outAt: number,
): Promise<void> {
  const length = trialBytes(layout);
  const offset = MEG4_HEADER_BYTES + trial * length;
  const kept = takeKeptBytes(file.source, offset, length);
  const buffer = kept ?? takeReadBuffer(length);
  let content: KeptContent | undefined;
  try {
    const bytes = kept ?? (await file.source.read(offset, length, buffer));
    for (const req of requests) decodeInto(bytes, (req.channel * layout.nSamp + a) * 4, count, req, outAt);
    // Kept for the next window when the bytes are the buffer's (a file source reads into it).
    if (bytes.buffer === buffer.buffer && bytes.byteOffset === buffer.byteOffset)
      content = { source: file.source, offset, length };
  } finally {
    giveReadBuffer(buffer, content);
  }
}

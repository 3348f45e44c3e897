/**
 * Sample access in the .eeg binary file: MULTIPLEXED (time point by time point, all channels) or VECTORIZED
 * (channel by channel), little-endian INT_16, INT_32 or IEEE_FLOAT_32. Only the rows (multiplexed) or the
 * channel stretches (vectorized) a window covers are read.
 */
import type { ByteSource } from '../source';
import { BYTES_PER_SAMPLE, type BinaryFormat } from './header';
import { channelArrays } from '../../core/channel-arrays';

export interface BvDataLayout {
  orientation: 'MULTIPLEXED' | 'VECTORIZED';
  format: BinaryFormat;
  nChannels: number;
  nSamples: number;
}

const MAX_READ_BYTES = 16 * 1024 * 1024;

type Decoder = (view: DataView, at: number) => number;
const DECODERS: Record<BinaryFormat, Decoder> = {
  INT_16: (v, at) => v.getInt16(at, true),
  INT_32: (v, at) => v.getInt32(at, true),
  IEEE_FLOAT_32: (v, at) => v.getFloat32(at, true),
};

const viewOf = (bytes: Uint8Array): DataView =>
  new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);

async function readMultiplexed(
  src: ByteSource,
  l: BvDataLayout,
  channels: readonly number[],
  start: number,
  stop: number,
) {
  const width = BYTES_PER_SAMPLE[l.format];
  const rowBytes = width * l.nChannels;
  const rowsPerRead = Math.max(1, Math.floor(MAX_READ_BYTES / rowBytes));
  const decode = DECODERS[l.format];
  const out = channelArrays(channels.length, stop - start);
  for (let first = start; first < stop; first += rowsPerRead) {
    const rows = Math.min(rowsPerRead, stop - first);
    const view = viewOf(await src.read(first * rowBytes, rows * rowBytes));
    channels.forEach((c, k) => {
      const target = out[k] as Float64Array;
      for (let s = 0; s < rows; s++) target[first - start + s] = decode(view, s * rowBytes + c * width);
    });
  }
  return out;
}

async function readVectorized(
  src: ByteSource,
  l: BvDataLayout,
  channels: readonly number[],
  start: number,
  stop: number,
) {
  const width = BYTES_PER_SAMPLE[l.format];
  const decode = DECODERS[l.format];
  const out: Float64Array[] = [];
  for (const c of channels) {
    const view = viewOf(await src.read((c * l.nSamples + start) * width, (stop - start) * width));
    const target = new Float64Array(stop - start);
    for (let s = 0; s < target.length; s++) target[s] = decode(view, s * width);
    out.push(target);
  }
  return out;
}

/** Raw (unscaled) samples [start, stop) of `channels`. */
export function readRaw(
  src: ByteSource,
  l: BvDataLayout,
  channels: readonly number[],
  start: number,
  stop: number,
): Promise<Float64Array[]> {
  if (stop <= start) return Promise.resolve(channels.map(() => new Float64Array(0)));
  return l.orientation === 'MULTIPLEXED'
    ? readMultiplexed(src, l, channels, start, stop)
    : readVectorized(src, l, channels, start, stop);
}

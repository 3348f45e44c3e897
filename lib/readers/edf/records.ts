/**
 * Record-aligned reading of EDF/BDF samples: a window touches records ⌊start/n⌋..⌊(stop−1)/n⌋; within each record
 * only the bytes from the first picked channel's first needed sample to the last picked channel's last needed
 * sample are read, and neighbouring records are merged into one read when the gap between them is small.
 */
import type { ByteSource } from '../source';
import { channelArrays } from '../../core/channel-arrays';

export interface RecordGeometry {
  headerBytes: number;
  bytesPerSample: 2 | 3 | 4;
  /** Bytes of one whole record (all signals). */
  recordBytes: number;
  /** Samples per record of the channels read (all share it). */
  recordSamples: number;
}

/** One picked signal: its sample offset inside a record. */
export interface SignalSlot {
  signalOffset: number;
}

const MAX_GAP_BYTES = 64 * 1024;
const MAX_READ_BYTES = 16 * 1024 * 1024;

/** Samples [a, b) of record r that fall in [start, stop). */
function recordSpan(r: number, start: number, stop: number, n: number): [number, number] {
  return [Math.max(start - r * n, 0), Math.min(stop - r * n, n)];
}

interface Chunk {
  firstRecord: number;
  lastRecord: number;
  /** File offset and length of the read. */
  offset: number;
  length: number;
}

function byteRange(
  g: RecordGeometry,
  span: [number, number],
  r: number,
  a: number,
  b: number,
): [number, number] {
  const base = g.headerBytes + r * g.recordBytes;
  return [base + (span[0] + a) * g.bytesPerSample, base + (span[1] + b) * g.bytesPerSample];
}

function planChunks(g: RecordGeometry, slots: readonly SignalSlot[], start: number, stop: number): Chunk[] {
  const n = g.recordSamples;
  const offsets = slots.map((s) => s.signalOffset);
  const span: [number, number] = [
    offsets.reduce((m, v) => Math.min(m, v)),
    offsets.reduce((m, v) => Math.max(m, v)),
  ];
  const chunks: Chunk[] = [];
  for (let r = Math.floor(start / n); r <= Math.floor((stop - 1) / n); r++) {
    const [a, b] = recordSpan(r, start, stop, n);
    const [lo, hi] = byteRange(g, span, r, a, b);
    const last = chunks[chunks.length - 1];
    const end = last ? last.offset + last.length : 0;
    if (last && lo - end <= MAX_GAP_BYTES && hi - last.offset <= MAX_READ_BYTES) {
      last.lastRecord = r;
      last.length = hi - last.offset;
    } else {
      chunks.push({ firstRecord: r, lastRecord: r, offset: lo, length: hi - lo });
    }
  }
  return chunks;
}

/**
 * Decodes `count` little-endian two's-complement samples of `bytesPerSample` bytes from `bytes` at `at` into
 * `target` from `to` (a loop per width: the exact integers, without a call per sample).
 */
function decodeSamples(
  bytes: Uint8Array,
  at: number,
  bytesPerSample: 2 | 3 | 4,
  target: Float64Array,
  to: number,
  count: number,
): void {
  if (bytesPerSample === 2) {
    for (let i = 0; i < count; i++, at += 2)
      target[to + i] = ((bytes[at]! | (bytes[at + 1]! << 8)) << 16) >> 16;
  } else if (bytesPerSample === 3) {
    for (let i = 0; i < count; i++, at += 3)
      target[to + i] = ((bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16)) << 8) >> 8;
  } else {
    // little-endian int32 (Neuroscan CNT's 32-bit samples; the CNT reader shares this record layout)
    for (let i = 0; i < count; i++, at += 4)
      target[to + i] = bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24);
  }
}

/**
 * Reads raw integer samples [start, stop) of each slot: one Float64Array of digital values per slot.
 */
export async function readDigital(
  source: ByteSource,
  g: RecordGeometry,
  slots: readonly SignalSlot[],
  start: number,
  stop: number,
): Promise<Float64Array[]> {
  const out = channelArrays(slots.length, stop - start);
  if (stop <= start || slots.length === 0) return out;
  const n = g.recordSamples;
  for (const chunk of planChunks(g, slots, start, stop)) {
    const bytes = await source.read(chunk.offset, chunk.length);
    for (let r = chunk.firstRecord; r <= chunk.lastRecord; r++) {
      const [a, b] = recordSpan(r, start, stop, n);
      const recordBase = g.headerBytes + r * g.recordBytes - chunk.offset;
      for (let k = 0; k < slots.length; k++) {
        const at = recordBase + (slots[k]!.signalOffset + a) * g.bytesPerSample;
        decodeSamples(bytes, at, g.bytesPerSample, out[k]!, r * n + a - start, b - a);
      }
    }
  }
  return out;
}

const PARALLEL_READS = 64;
/** Above this many (record, signal) pieces, whole records are scanned in MNE-sized chunks instead. */
const MAX_SMALL_READS = 100_000;
const MNE_CHUNK_BYTES = 10 * 1024 * 1024;

interface Piece {
  /** File offset and length of one signal's bytes in one record. */
  from: number;
  length: number;
}

/** The pieces in MNE's order: per 10 MiB chunk of records, signal by signal, record by record. */
function* piecesInMneOrder(
  g: RecordGeometry,
  nRecords: number,
  signals: readonly { offset: number; samples: number }[],
): Generator<{ chunkFirst: number; chunkLast: number; piece: Piece }> {
  const chunkRecords = Math.max(Math.floor(MNE_CHUNK_BYTES / g.recordBytes), 1);
  for (let first = 0; first < nRecords; first += chunkRecords) {
    const last = Math.min(first + chunkRecords, nRecords);
    for (const s of signals) {
      for (let r = first; r < last; r++) {
        const from = g.headerBytes + r * g.recordBytes + s.offset * g.bytesPerSample;
        yield { chunkFirst: first, chunkLast: last, piece: { from, length: s.samples * g.bytesPerSample } };
      }
    }
  }
}

/** One small read per piece, PARALLEL_READS at a time. */
async function readPieces(source: ByteSource, pieces: Iterable<Piece>, out: Uint8Array): Promise<void> {
  let written = 0;
  let batch: Piece[] = [];
  const flush = async (): Promise<void> => {
    const parts = await Promise.all(batch.map((p) => source.read(p.from, p.length)));
    for (const part of parts) {
      out.set(part, written);
      written += part.length;
    }
    batch = [];
  };
  for (const piece of pieces) {
    batch.push(piece);
    if (batch.length === PARALLEL_READS) await flush();
  }
  await flush();
}

/** Whole chunks of records read one at a time, the pieces copied out of them. */
async function scanChunks(
  source: ByteSource,
  pieces: Iterable<{ chunkFirst: number; chunkLast: number; piece: Piece }>,
  g: RecordGeometry,
  out: Uint8Array,
): Promise<void> {
  let written = 0;
  let loaded: { first: number; base: number; bytes: Uint8Array } = {
    first: -1,
    base: 0,
    bytes: new Uint8Array(0),
  };
  for (const { chunkFirst, chunkLast, piece } of pieces) {
    if (loaded.first !== chunkFirst) {
      const base = g.headerBytes + chunkFirst * g.recordBytes;
      loaded = {
        first: chunkFirst,
        base,
        bytes: await source.read(base, (chunkLast - chunkFirst) * g.recordBytes),
      };
    }
    out.set(
      loaded.bytes.subarray(piece.from - loaded.base, piece.from - loaded.base + piece.length),
      written,
    );
    written += piece.length;
  }
}

/**
 * The raw bytes of some signals over every record, in MNE's order. Few pieces: one small read each (the data
 * records are skipped); very many (tiny records): the file is scanned in 10 MiB chunks.
 */
export async function readSignalBytes(
  source: ByteSource,
  g: RecordGeometry,
  nRecords: number,
  signals: readonly { offset: number; samples: number }[],
): Promise<Uint8Array> {
  const used = signals.filter((s) => s.samples > 0);
  const perRecord = used.reduce((sum, s) => sum + s.samples * g.bytesPerSample, 0);
  const out = new Uint8Array(perRecord * nRecords);
  if (perRecord === 0) return out;
  const pieces = piecesInMneOrder(g, nRecords, used);
  if (nRecords * used.length <= MAX_SMALL_READS) {
    await readPieces(
      source,
      (function* () {
        for (const p of pieces) yield p.piece;
      })(),
      out,
    );
  } else {
    await scanChunks(source, pieces, g, out);
  }
  return out;
}

/**
 * The CNT event table as MNE 1.3's `_read_annotations_cnt` reads it: a 9-byte TEEG block (type 1, 2 or 3,
 * total length, offset) at the event table position, then fixed-size events (8 bytes for type 1, 19 for types
 * 2 and 3). An event's file offset becomes a sample: ⌊(offset − 900 − 75·n) / (n·bytes)⌋ − 1 (type 3 offsets
 * count samples of all channels, so they are first multiplied by n·bytes). Onset = sample / sfreq, duration =
 * the event's latency (0 for type 1), description = the stimulus code.
 */
import { quoteValue, unreadableRecording } from '../../core/errors';
import type { ByteSource } from '../source';
import { LIMITS, type RecordingEvent } from '../types';
import { ELECTLOC_BYTES, SETUP_BYTES } from './header';

const TEEG_BYTES = 9;
const EVENT_BYTES: Record<number, number> = { 1: 8, 2: 19, 3: 19 };

export interface EventGeometry {
  nChannels: number;
  sfreq: number;
  bytesPerSample: 2 | 4;
  /** Event table position for the file's sample size (MNE recomputes it with the detected size). */
  tablePos: number;
  /** The open's decoded-size budget (OpenOptions.maxDecodedBytes). */
  maxDecodedBytes: number;
}

/** What one decoded event costs in memory, roughly (the object, its strings), for the budget. */
const EVENT_COST_BYTES = 256;

/** Events in file order (before MNE's sorting and cropping to the data). */
export async function readCntEvents(source: ByteSource, g: EventGeometry): Promise<RecordingEvent[]> {
  const pos = g.tablePos;
  if (!Number.isSafeInteger(pos) || pos < 0 || pos + TEEG_BYTES > source.size) {
    throw unreadableRecording(
      `${source.name}: the event table position ${quoteValue(String(pos))} is outside the file`,
    );
  }
  const teeg = await source.read(pos, TEEG_BYTES);
  const dv = new DataView(teeg.buffer, teeg.byteOffset, teeg.byteLength);
  const type = teeg[0] ?? 0;
  const size = EVENT_BYTES[type];
  if (size === undefined) throw unreadableRecording(`${source.name}: unknown CNT event type ${type}`);
  const declared = dv.getInt32(1, true);
  const available = source.size - pos - TEEG_BYTES;
  // Python's read(n) with n < 0 reads to the end of the file.
  const length = declared < 0 ? available : Math.min(declared, available);
  if (length % size !== 0) {
    throw unreadableRecording(
      `${source.name}: event table of ${length} bytes is not a whole number of ${size}-byte events`,
    );
  }
  const count = length / size;
  if (count > LIMITS.maxEvents) {
    throw unreadableRecording(`${source.name}: ${count} events, more than the limit of ${LIMITS.maxEvents}`);
  }
  const cost = length + count * EVENT_COST_BYTES;
  if (cost > g.maxDecodedBytes) {
    throw unreadableRecording(
      `${source.name}: ${count} events need about ${cost} bytes, over the budget of ${g.maxDecodedBytes}`,
    );
  }
  if (count === 0) return [];
  const bytes = await source.read(pos + TEEG_BYTES, length);
  const ev = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = g.nChannels;
  const frame = n * g.bytesPerSample;
  const events: RecordingEvent[] = [];
  for (let i = 0; i < count; i++) {
    const at = i * size;
    const stim = ev.getUint16(at, true);
    let offset = ev.getInt32(at + 4, true);
    if (type === 3) offset *= frame;
    const sample = Math.floor((offset - SETUP_BYTES - ELECTLOC_BYTES * n) / frame) - 1;
    events.push({
      onset: sample / g.sfreq,
      duration: type === 1 ? 0 : ev.getFloat32(at + 12, true),
      type: 'annotation',
      value: String(stim),
    });
  }
  return events;
}

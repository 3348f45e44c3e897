/**
 * A small Neuroscan CNT writer for generated test recordings: the fields MNE 1.3's `read_raw_cnt` reads
 * (SETUP: channel count, rate, sample count, event table position, block size; ELECTLOC: label, x/y,
 * baseline, sensitivity, calibration), integer samples in blocks of `channelOffset` samples per channel, and
 * an event table of type 1, 2 or 3. The same layout as `write_cnt` in scripts/golden/make_cnt_golden.py, so a
 * file built from a golden's parameters has the golden's SHA-256.
 */
export interface CntEvent {
  stim: number;
  /** The raw Offset field (a byte offset for types 1/2, a count of all-channel samples for type 3). */
  offset: number;
  latency: number;
}

export interface CntSpec {
  names: readonly string[];
  sfreq: number;
  bytesPerSample: 2 | 4;
  channelOffset: number;
  nSamples: number;
  /** The header's n_samples field (0 makes MNE derive the count assuming 16-bit samples). */
  headerSamples: number;
  xy: readonly (readonly [number, number])[];
  baselines: readonly number[];
  sensitivity: readonly number[];
  calib: readonly number[];
  events: { type: 1 | 2 | 3; list: readonly CntEvent[] };
  /** Digital sample of channel c at sample s. */
  digital: (c: number, s: number) => number;
}

/** The Offset field that MNE turns into event sample `sample`. */
export function cntEventOffset(
  nChannels: number,
  bytesPerSample: number,
  sample: number,
  type: 1 | 2 | 3,
): number {
  const frame = nChannels * bytesPerSample;
  if (type === 3) return sample + 1 + Math.ceil((900 + 75 * nChannels) / frame);
  return 900 + 75 * nChannels + (sample + 1) * frame;
}

export function writeCnt(spec: CntSpec): Uint8Array {
  const n = spec.names.length;
  const nb = spec.bytesPerSample;
  const co = spec.channelOffset;
  const dataBytes = spec.nSamples * n * nb;
  const eventBytes = (spec.events.type === 1 ? 8 : 19) * spec.events.list.length;
  const tablePos = 900 + 75 * n + dataBytes;
  const out = new Uint8Array(tablePos + 9 + eventBytes);
  const dv = new DataView(out.buffer);
  out.set(new TextEncoder().encode('Version 3.0'), 0);
  dv.setUint16(370, n, true);
  dv.setUint16(376, spec.sfreq, true);
  dv.setInt32(864, spec.headerSamples, true);
  dv.setInt32(886, tablePos, true);
  dv.setInt32(894, co * nb, true);
  spec.names.forEach((name, i) => {
    const at = 900 + 75 * i;
    out.set(new TextEncoder().encode(name.slice(0, 10)), at);
    dv.setFloat32(at + 19, spec.xy[i]?.[0] ?? 0, true);
    dv.setFloat32(at + 23, spec.xy[i]?.[1] ?? 0, true);
    dv.setInt16(at + 47, spec.baselines[i] ?? 0, true);
    dv.setFloat32(at + 59, spec.sensitivity[i] ?? 0, true);
    dv.setFloat32(at + 71, spec.calib[i] ?? 0, true);
  });
  const data = 900 + 75 * n;
  for (let s = 0; s < spec.nSamples; s++) {
    const block = Math.floor(s / co);
    const j = s % co;
    for (let c = 0; c < n; c++) {
      const at = data + ((block * n + c) * co + j) * nb;
      const v = spec.digital(c, s);
      if (nb === 4) dv.setInt32(at, v, true);
      else dv.setInt16(at, v, true);
    }
  }
  out[tablePos] = spec.events.type;
  dv.setInt32(tablePos + 1, eventBytes, true);
  dv.setInt32(tablePos + 5, 0, true);
  const size = spec.events.type === 1 ? 8 : 19;
  spec.events.list.forEach((e, k) => {
    const at = tablePos + 9 + k * size;
    dv.setUint16(at, e.stim, true);
    dv.setInt32(at + 4, e.offset, true);
    if (spec.events.type !== 1) dv.setFloat32(at + 12, e.latency, true);
  });
  return out;
}

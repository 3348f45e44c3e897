/**
 * Known header fields of each format (sizes, counts, offsets, rates), located in the original bytes
 * independently of the readers, so the mutator can set them to 0, -1, huge or nonsense values.
 */
export type FieldType = 'u8' | 'i16be' | 'i32be' | 'f32be' | 'f64be' | 'i32le' | 'u32le' | 'f64le' | 'ascii';

export interface Field {
  at: number;
  type: FieldType;
  /** Width in bytes of an ASCII field; for a binary field, given when it sits in a file's last 8 bytes. */
  width?: number;
  label: string;
}

const view = (b: Uint8Array): DataView => new DataView(b.buffer, b.byteOffset, b.byteLength);
const ascii = (b: Uint8Array, at: number, width: number): string =>
  String.fromCharCode(...b.subarray(at, at + width));

/** EDF/BDF: the fixed header and, per signal, the numeric fields (samples per record, ranges). */
export function edfFields(b: Uint8Array): Field[] {
  const fields: Field[] = [
    { at: 168, type: 'ascii', width: 8, label: 'startdate' },
    { at: 176, type: 'ascii', width: 8, label: 'starttime' },
    { at: 184, type: 'ascii', width: 8, label: 'header bytes' },
    { at: 192, type: 'ascii', width: 44, label: 'reserved (EDF+C/D)' },
    { at: 236, type: 'ascii', width: 8, label: 'n_records' },
    { at: 244, type: 'ascii', width: 8, label: 'record duration' },
    { at: 252, type: 'ascii', width: 4, label: 'ns' },
  ];
  // Columns are laid out by the real signal count; at most the first 1000 signals' fields are offered.
  const ns = Math.max(Number.parseInt(ascii(b, 252, 4).trim(), 10) || 0, 0);
  const shown = Math.min(ns, 1000);
  const col = (before: number, width: number, name: string): void => {
    for (let i = 0; i < shown; i++)
      fields.push({ at: 256 + ns * before + i * width, type: 'ascii', width, label: `${name}[${i}]` });
  };
  col(0, 16, 'label');
  col(16 + 80, 8, 'physical dimension');
  col(16 + 80 + 8, 8, 'physical min');
  col(16 + 80 + 16, 8, 'physical max');
  col(16 + 80 + 24, 8, 'digital min');
  col(16 + 80 + 32, 8, 'digital max');
  col(16 + 80 + 120, 8, 'samples per record');
  return fields;
}

export interface FifTag {
  pos: number;
  kind: number;
  size: number;
}

/** FIF: walks the tag chain (as the format defines it) to at most `max` tags. */
export function fifTags(b: Uint8Array, max = 100_000): FifTag[] {
  const dv = view(b);
  const tags: FifTag[] = [];
  let pos = 0;
  while (pos + 16 <= b.length && tags.length < max) {
    const tag = { pos, kind: dv.getInt32(pos), size: dv.getInt32(pos + 8) };
    const next = dv.getInt32(pos + 12);
    tags.push(tag);
    if (next < 0 || tag.size < 0) break;
    pos = next === 0 ? pos + 16 + tag.size : next;
  }
  return tags;
}

/** Tag kinds whose first data word is a count, pointer or rate (dir pointer, nchan, sfreq, first_samp, block kinds, ...). */
const FIF_DATA_KINDS: Record<number, FieldType> = {
  101: 'i32be', // dir pointer
  104: 'i32be', // block start
  105: 'i32be', // block end
  200: 'i32be', // nchan
  201: 'f32be', // sfreq
  208: 'i32be', // first_samp
  209: 'i32be', // last_samp
  217: 'i32be', // first sample of evoked
  218: 'i32be', // last sample
  222: 'i32be', // coord_trans frame
  3409: 'i32be', // proj nvec
  3411: 'i32be', // proj kind
};

/** FIF: every tag's kind/type/size/next, the data of count-like tags, and channel-info records. */
export function fifFields(b: Uint8Array): Field[] {
  const fields: Field[] = [];
  for (const t of fifTags(b)) {
    fields.push({ at: t.pos, type: 'i32be', label: `tag@${t.pos}.kind` });
    fields.push({ at: t.pos + 4, type: 'i32be', label: `tag@${t.pos}.type` });
    fields.push({ at: t.pos + 8, type: 'i32be', label: `tag@${t.pos}.size` });
    fields.push({ at: t.pos + 12, type: 'i32be', label: `tag@${t.pos}.next` });
    const dataType = FIF_DATA_KINDS[t.kind];
    if (dataType && t.size >= 4) fields.push({ at: t.pos + 16, type: dataType, label: `tag ${t.kind} data` });
    if (t.kind === 203 && t.size >= 96) {
      // ch_info: scanNo, logNo, kind, range (f), cal (f), coil_type, loc[12] (f), unit, unit_mul
      for (const [off, type, name] of [
        [8, 'i32be', 'kind'],
        [12, 'f32be', 'range'],
        [16, 'f32be', 'cal'],
        [20, 'i32be', 'coil'],
        [24, 'f32be', 'loc0'],
        [72, 'i32be', 'unit'],
        [76, 'i32be', 'unit_mul'],
      ] as const) {
        fields.push({ at: t.pos + 16 + off, type, label: `ch_info@${t.pos}.${name}` });
      }
    }
  }
  return fields;
}

/** CTF .res4: run header counts and rates, then the first channel records (when no filters/run text). */
export function res4Fields(b: Uint8Array): Field[] {
  const fields: Field[] = [
    { at: 0, type: 'ascii', width: 8, label: 'magic' },
    { at: 1288, type: 'i32be', label: 'no_samples' },
    { at: 1292, type: 'i16be', label: 'no_channels' },
    { at: 1296, type: 'f64be', label: 'sample_rate' },
    { at: 1304, type: 'f64be', label: 'epoch_time' },
    { at: 1312, type: 'i16be', label: 'no_trials' },
    { at: 1316, type: 'i32be', label: 'pre_trig_pts' },
    { at: 1836, type: 'i32be', label: 'run description length' },
  ];
  if (b.length < 1848) return fields;
  const dv = view(b);
  const runDesc = dv.getInt32(1836);
  const filtersAt = 1844 + Math.max(0, runDesc);
  fields.push({ at: filtersAt, type: 'i16be', label: 'no_filters' });
  const nChan = dv.getInt16(1292);
  if (runDesc !== 0 || dv.getInt16(filtersAt) !== 0 || nChan <= 0) return fields;
  const records = filtersAt + 2 + nChan * 32;
  for (const k of [0, 1, 2, nChan - 1]) {
    const at = records + k * 1328;
    fields.push({ at, type: 'i16be', label: `ch${k}.sensor_type` });
    fields.push({ at: at + 8, type: 'f64be', label: `ch${k}.proper_gain` });
    fields.push({ at: at + 16, type: 'f64be', label: `ch${k}.q_gain` });
    fields.push({ at: at + 42, type: 'i16be', label: `ch${k}.grad_order` });
    fields.push({ at: at + 48, type: 'f64be', label: `ch${k}.coil0.x` });
  }
  return fields;
}

/** KIT .sqd: the directory (offset, size, count of each section) and system/acquisition fields. */
export function kitFields(b: Uint8Array): Field[] {
  const fields: Field[] = [];
  if (b.length < 16) return fields;
  const dv = view(b);
  const n = Math.min(Math.max(dv.getInt32(12, true), 0), 64);
  for (let i = 0; i < n && i * 16 + 16 <= b.length; i++) {
    fields.push({ at: i * 16, type: 'u32le', label: `dir${i}.offset` });
    fields.push({ at: i * 16 + 4, type: 'i32le', label: `dir${i}.size` });
    fields.push({ at: i * 16 + 12, type: 'i32le', label: `dir${i}.count` });
  }
  const section = (i: number): number => (i * 16 + 4 <= b.length ? dv.getUint32(i * 16, true) : 0);
  const sys = section(1);
  for (const [off, type, name] of [
    [0, 'i32le', 'version'],
    [4, 'i32le', 'revision'],
    [8, 'i32le', 'system id'],
    [268, 'i32le', 'channel count'],
    [564, 'i32le', 'FLL type'],
    [716, 'f64le', 'ADC range'],
    [724, 'i32le', 'ADC allocated'],
    [728, 'i32le', 'ADC stored'],
  ] as const) {
    fields.push({ at: sys + off, type, label: `system.${name}` });
  }
  const acq = section(8);
  fields.push({ at: acq, type: 'i32le', label: 'acquisition type' });
  fields.push({ at: acq + 4, type: 'f64le', label: 'sampling rate' });
  fields.push({ at: acq + 16, type: 'i32le', label: 'samples' });
  const channels = section(4);
  for (let k = 0; k < 8; k++)
    fields.push({ at: channels + k * 4, type: 'i32le', label: `channel section word ${k}` });
  return fields.filter((f) => f.at + 8 <= b.length);
}

/**
 * MAT v5 (uncompressed): each miMATRIX's size, class byte, dimensions tag and values, found by the
 * array-flags pattern (miUINT32 of 8 bytes followed by an miINT32 dimensions tag).
 */
export function matFields(b: Uint8Array): Field[] {
  const fields: Field[] = [];
  const dv = view(b);
  for (let j = 136; j + 32 <= b.length && fields.length < 20_000; j += 8) {
    if (dv.getUint32(j, true) !== 6 || dv.getUint32(j + 4, true) !== 8 || dv.getUint32(j + 16, true) !== 5)
      continue;
    const nDims = Math.min(dv.getUint32(j + 20, true) / 4, 4);
    fields.push({ at: j - 4, type: 'i32le', label: `matrix@${j - 8}.size` });
    fields.push({ at: j + 8, type: 'u8', label: `matrix@${j - 8}.class` });
    fields.push({ at: j + 20, type: 'i32le', label: `matrix@${j - 8}.dims tag size` });
    for (let d = 0; d < nDims; d++)
      fields.push({ at: j + 24 + d * 4, type: 'i32le', label: `matrix@${j - 8}.dim${d}` });
    const nameTagAt = j + 24 + Math.ceil((nDims * 4) / 8) * 8;
    if (nameTagAt + 8 <= b.length)
      fields.push({ at: nameTagAt, type: 'i32le', label: `matrix@${j - 8}.name tag` });
  }
  return fields.filter((f) => f.at >= 0 && f.at + 4 <= b.length);
}

/** Neuroscan CNT: SETUP counts and offsets, the event table header, the first electrodes' baseline bytes. */
export function cntFields(b: Uint8Array): Field[] {
  if (b.length < 900) return [];
  const dv = view(b);
  const fields: Field[] = [
    { at: 370, type: 'u8', label: 'channel count (low byte)' },
    { at: 371, type: 'u8', label: 'channel count (high byte)' },
    { at: 376, type: 'u8', label: 'sampling rate (low byte)' },
    { at: 864, type: 'i32le', label: 'sample count' },
    { at: 886, type: 'i32le', label: 'event table position' },
    { at: 894, type: 'i32le', label: 'channel offset' },
  ];
  const table = dv.getInt32(886, true);
  if (table >= 900 && table + 9 <= b.length) {
    fields.push({ at: table, type: 'u8', label: 'event type' });
    fields.push({ at: table + 1, type: 'i32le', label: 'event table length' });
    if (table + 17 <= b.length) fields.push({ at: table + 13, type: 'i32le', label: 'first event offset' });
  }
  return fields;
}

/**
 * A small EDF+ writer for generated recordings (demo sample, long-recording benchmarks). Data are given in
 * physical units (µV); each channel is scaled to int16 over ±physMax; one annotation signal holds the TALs.
 */
export interface EdfChannel {
  label: string;
  unit: string;
  physMax: number;
}

export interface EdfAnnotation {
  onset: number;
  duration?: number;
  text: string;
}

const field = (value: string | number, width: number): string =>
  String(value).slice(0, width).padEnd(width, ' ');
const ANNOTATION_SAMPLES = 64;

/** One EDF+ file from channel-major data (each channel the same sample count, whole records only). */
export function writeEdf(
  channels: readonly EdfChannel[],
  data: readonly Float64Array[],
  sfreq: number,
  annotations: readonly EdfAnnotation[] = [],
): Uint8Array {
  const nSamples = data[0]?.length ?? 0;
  const perRecord = sfreq; // 1 s records
  const nRecords = Math.floor(nSamples / perRecord);
  const ns = channels.length + 1;
  const headerBytes = 256 + 256 * ns;
  const recordBytes = (channels.length * perRecord + ANNOTATION_SAMPLES) * 2;
  const out = new Uint8Array(headerBytes + nRecords * recordBytes);
  const labels = [...channels.map((c) => c.label), 'EDF Annotations'];
  const columns: [string, number, (i: number) => string | number][] = [
    ['label', 16, (i) => labels[i] ?? ''],
    ['transducer', 80, (i) => (i < channels.length ? 'AgAgCl electrode' : '')],
    ['dimension', 8, (i) => channels[i]?.unit ?? ''],
    ['physMin', 8, (i) => (i < channels.length ? -(channels[i]?.physMax ?? 1) : -1)],
    ['physMax', 8, (i) => (i < channels.length ? (channels[i]?.physMax ?? 1) : 1)],
    ['digMin', 8, () => -32768],
    ['digMax', 8, () => 32767],
    ['prefilter', 80, () => ''],
    ['samples', 8, (i) => (i < channels.length ? perRecord : ANNOTATION_SAMPLES)],
    ['reserved', 32, () => ''],
  ];
  let header =
    field('0', 8) +
    field('X X X Demo', 80) +
    field('Startdate 01-JAN-2026 X loris-ephys-demo X', 80) +
    '01.01.26' +
    '00.00.00' +
    field(headerBytes, 8) +
    field('EDF+C', 44) +
    field(nRecords, 8) +
    field(1, 8) +
    field(ns, 4);
  for (const [, width, value] of columns) for (let i = 0; i < ns; i++) header += field(value(i), width);
  out.set(new TextEncoder().encode(header), 0);
  const view = new DataView(out.buffer);
  for (let r = 0; r < nRecords; r++) {
    let offset = headerBytes + r * recordBytes;
    channels.forEach((c, ci) => {
      const samples = data[ci] as Float64Array;
      const scale = 65535 / (2 * c.physMax);
      for (let s = 0; s < perRecord; s++) {
        const physical = samples[r * perRecord + s] ?? 0;
        const digital = Math.max(-32768, Math.min(32767, Math.round((physical + c.physMax) * scale - 32768)));
        view.setInt16(offset, digital, true);
        offset += 2;
      }
    });
    const tals = [`+${r}\x14\x14\x00`];
    for (const a of annotations) {
      if (a.onset >= r && a.onset < r + 1) {
        tals.push(`+${a.onset.toFixed(4)}${a.duration ? `\x15${a.duration}` : ''}\x14${a.text}\x14\x00`);
      }
    }
    const bytes = new TextEncoder().encode(tals.join('')).subarray(0, ANNOTATION_SAMPLES * 2);
    out.set(bytes, offset);
  }
  return out;
}

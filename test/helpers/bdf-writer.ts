/** A minimal BDF writer for tests: 24-bit samples, 1-s records, every channel ±8388.607 mV over the full range. */
const field = (value: string | number, width: number): string =>
  String(value).slice(0, width).padEnd(width, ' ');

export function writeBdf(
  labels: readonly string[],
  sfreq: number,
  seconds: number,
  sample: (c: number, s: number) => number,
): Uint8Array {
  const ns = labels.length;
  const headerBytes = 256 * (ns + 1);
  let header = field('BIOSEMI', 8).slice(1);
  header += field('X', 80) + field('X', 80) + field('01.01.20', 8) + field('00.00.00', 8);
  header += field(headerBytes, 8) + field('24BIT', 44) + field(seconds, 8) + field(1, 8) + field(ns, 4);
  const per = (f: (l: string) => string): string => labels.map(f).join('');
  header += per((l) => field(l, 16)) + per(() => field('', 80)) + per(() => field('uV', 8));
  header += per(() => field(-8388608, 8)) + per(() => field(8388607, 8));
  header += per(() => field(-8388608, 8)) + per(() => field(8388607, 8));
  header += per(() => field('', 80)) + per(() => field(sfreq, 8)) + per(() => field('', 32));
  const out = new Uint8Array(headerBytes + seconds * ns * sfreq * 3);
  out[0] = 0xff;
  out.set(new TextEncoder().encode(header), 1);
  let at = headerBytes;
  for (let r = 0; r < seconds; r++) {
    for (let c = 0; c < ns; c++) {
      for (let k = 0; k < sfreq; k++) {
        const v = sample(c, r * sfreq + k) & 0xffffff;
        out[at++] = v & 0xff;
        out[at++] = (v >> 8) & 0xff;
        out[at++] = (v >> 16) & 0xff;
      }
    }
  }
  return out;
}

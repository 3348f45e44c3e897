/**
 * An EDF+ file with 120 000 tiny records (built here): its annotations are gathered by scanning the file in
 * chunks instead of one read per record, with the same result, and the data stay record-aligned.
 */
import { openEdf } from '../../../lib/readers/edf';
import { memoryFs } from '../../../lib/readers/source';

const N_RECORDS = 120_000;
const TAL_SAMPLES = 16;

function field(values: string[], width: number): string {
  return values.map((v) => v.padEnd(width, ' ').slice(0, width)).join('');
}

function buildEdf(): Uint8Array {
  const ns = 2;
  const header =
    '0'.padEnd(8) +
    'X X X X'.padEnd(80) +
    'Startdate 01-JAN-2020 X X X'.padEnd(80) +
    '01.01.2000.00.00' +
    String(256 * (ns + 1)).padEnd(8) +
    'EDF+C'.padEnd(44) +
    String(N_RECORDS).padEnd(8) +
    '0.01'.padEnd(8) +
    String(ns).padEnd(4) +
    field(['Fz', 'EDF Annotations'], 16) +
    field(['', ''], 80) +
    field(['uV', ''], 8) +
    field(['-100', '-1'], 8) +
    field(['100', '1'], 8) +
    field(['-32768', '-32768'], 8) +
    field(['32767', '32767'], 8) +
    field(['', ''], 80) +
    field(['1', String(TAL_SAMPLES)], 8) +
    field(['', ''], 32);
  const recordBytes = 2 + TAL_SAMPLES * 2;
  const bytes = new Uint8Array(header.length + N_RECORDS * recordBytes);
  bytes.set(Buffer.from(header, 'latin1'));
  const view = new DataView(bytes.buffer);
  for (let r = 0; r < N_RECORDS; r++) {
    const at = header.length + r * recordBytes;
    view.setInt16(at, (r % 2001) - 1000, true);
    const onset = String(r / 100);
    const tal = `+${onset}\x14\x14\x00${r % 10_000 === 0 ? `+${onset}\x14ev${r}\x14\x00` : ''}`;
    bytes.set(Buffer.from(tal, 'latin1'), at + 2);
  }
  return bytes;
}

describe('EDF+ with very many records', () => {
  it('reads every annotation and record-aligned data', async () => {
    const rec = await openEdf('/m/many.edf', memoryFs(new Map([['/m/many.edf', buildEdf()]])));
    expect(rec.info.sfreq).toBe(100);
    expect(rec.info.nSamples).toBe(N_RECORDS);
    const expected = Array.from({ length: N_RECORDS / 10_000 }, (_, k) => [
      (k * 10_000) / 100,
      `ev${k * 10_000}`,
    ]);
    expect((await rec.readEvents()).map((e) => [e.onset, e.value])).toEqual(expected);
    const [fz] = await rec.readWindow([0], 99_990, 100_010);
    const cal = 200 / 65535;
    const physical = (d: number): number => (d * cal + (-100 - -32768 * cal)) * 1e-6;
    expect(Array.from(fz ?? [])).toEqual(
      Array.from({ length: 20 }, (_, i) => physical(((99_990 + i) % 2001) - 1000)),
    );
  });
});

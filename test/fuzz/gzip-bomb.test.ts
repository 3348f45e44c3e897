/** The fuzzer's synchronous gzip bomb: valid gzip (zlib checks the CRC-32 and size), honest or lying trailer. */
import { gunzipSync, gzipSync } from 'node:zlib';
import { crc32, crc32Combine, gzipOfZerosSync } from '../../bench/fuzz/gzip-bomb';

const MiB = 2 ** 20;
const trailer = (b: Uint8Array, at: number): number =>
  new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(b.length - at, true);

describe('gzipOfZerosSync', () => {
  it('inflates to the zeros it declares, with the CRC-32 zlib computes', () => {
    const bomb = gzipOfZerosSync(3);
    const inflated = gunzipSync(bomb);
    expect(inflated.length).toBe(3 * MiB);
    expect(inflated.every((b) => b === 0)).toBe(true);
    expect(trailer(bomb, 8)).toBe(trailer(gzipSync(Buffer.alloc(3 * MiB)), 8));
    expect(trailer(bomb, 4)).toBe(3 * MiB);
  });

  it('stays small for 256 MiB and can carry a lying size', () => {
    const bomb = gzipOfZerosSync(256, 4096);
    expect(bomb.length).toBeLessThan(300 * 1024);
    expect(trailer(bomb, 4)).toBe(4096);
    expect(trailer(bomb, 8)).toBe(0x2a0e7dbb); // CRC-32 of 256 MiB of zeros
  });

  it('combines CRCs as computing them over the concatenation', () => {
    const a = new TextEncoder().encode('loris');
    const b = new TextEncoder().encode('-ephys api');
    expect(crc32Combine(crc32(a), crc32(b), b.length)).toBe(crc32(new Uint8Array([...a, ...b])));
  });
});

/**
 * Builders of hostile recordings for the bounded-parsing tests (issue 17): each is made in the test, small on
 * disk and huge once decoded. Nothing here is committed as a fixture.
 */
import { spawnSync } from 'node:child_process';
import { createGzip, deflateSync } from 'node:zlib';
import { h5wasmModulePath } from '../../lib/readers/eeglab/h5-worker';
import { projectRoot } from './testdata';

/** gzip of `size` zero bytes, streamed (never holding them); `trailerSize` overwrites the trailer's ISIZE. */
export async function gzipOfZeros(size: number, trailerSize?: number): Promise<Uint8Array> {
  const gzip = createGzip({ level: 9 });
  const parts: Buffer[] = [];
  gzip.on('data', (chunk: Buffer) => parts.push(chunk));
  const ended = new Promise<void>((resolve, reject) => {
    gzip.on('end', resolve);
    gzip.on('error', reject);
  });
  const block = Buffer.alloc(1024 * 1024);
  for (let left = size; left > 0; left -= block.length) {
    const piece = left >= block.length ? block : block.subarray(0, left);
    if (!gzip.write(piece)) await new Promise((resolve) => gzip.once('drain', resolve));
  }
  gzip.end();
  await ended;
  const out = new Uint8Array(Buffer.concat(parts));
  if (trailerSize !== undefined) new DataView(out.buffer).setUint32(out.length - 4, trailerSize, true);
  return out;
}

// ---- MATLAB v5 ----

const MI = { INT8: 1, INT32: 5, UINT32: 6, MATRIX: 14, COMPRESSED: 15 } as const;
const MX_CELL = 1;
const MX_STRUCT = 2;

const padded = (n: number): number => Math.ceil(n / 8) * 8;

/** One data element: 8-byte tag (type, size), then the data padded to 8 bytes. */
function element(type: number, data: Uint8Array, pad = true): Uint8Array {
  const out = new Uint8Array(8 + (pad ? padded(data.length) : data.length));
  const view = new DataView(out.buffer);
  view.setUint32(0, type, true);
  view.setUint32(4, data.length, true);
  out.set(data, 8);
  return out;
}

const int32s = (...values: number[]): Uint8Array => new Uint8Array(Int32Array.from(values).buffer);
/** A small data element: size and type in the first 4 bytes, one int32 in the next 4. */
function smallInt32(value: number): Uint8Array {
  const out = new Uint8Array(8);
  const view = new DataView(out.buffer);
  view.setUint32(0, (4 << 16) | MI.INT32, true);
  view.setInt32(4, value, true);
  return out;
}

const concat = (parts: Uint8Array[]): Uint8Array => new Uint8Array(Buffer.concat(parts));

/** Flags, dims and name of a miMATRIX of class `cls`. */
function matrixHead(cls: number, dims: number[], name: string): Uint8Array[] {
  return [
    element(MI.UINT32, new Uint8Array(Uint32Array.from([cls, 0]).buffer)),
    element(MI.INT32, int32s(...dims)),
    element(MI.INT8, new TextEncoder().encode(name)),
  ];
}

/** A MAT v5 file: the 128-byte header, then `elements`. */
function matFile(elements: Uint8Array[]): Uint8Array {
  const header = new Uint8Array(128).fill(0x20);
  header.set(new TextEncoder().encode('MATLAB 5.0 MAT-file, crafted for a bounded-parsing test'));
  header.set([0, 1, 'I'.charCodeAt(0), 'M'.charCodeAt(0)], 124);
  return concat([header, ...elements]);
}

const compressed = (inner: Uint8Array): Uint8Array => element(MI.COMPRESSED, deflateSync(inner), false);
/** The variable as MATLAB writes it (miCOMPRESSED), or as a plain miMATRIX (its structure open to mutation). */
const variable = (body: Uint8Array, compress: boolean): Uint8Array =>
  compress ? compressed(element(MI.MATRIX, body)) : element(MI.MATRIX, body);

/**
 * A .set whose `EEG` struct declares `count` field names of `nameBytes` bytes each (zeros): a few hundred KB
 * on disk, the names alone `count × nameBytes` once inflated (`compress` false: that size on disk).
 */
export function matFieldNameBomb(count: number, nameBytes: number, compress = true): Uint8Array {
  const names = new Uint8Array(count * nameBytes);
  const body = concat([
    ...matrixHead(MX_STRUCT, [1, 1], 'EEG'),
    smallInt32(nameBytes),
    element(MI.INT8, names),
  ]);
  return matFile([variable(body, compress)]);
}

/** A .set whose `EEG` variable is a cell of `count` empty matrices (8 bytes each once inflated). */
export function matCellBomb(count: number, compress = true): Uint8Array {
  const empties = new Uint8Array(count * 8);
  const view = new DataView(empties.buffer);
  for (let i = 0; i < count; i++) view.setUint32(i * 8, MI.MATRIX, true);
  const body = concat([...matrixHead(MX_CELL, [1, count], 'EEG'), empties]);
  return matFile([variable(body, compress)]);
}

// ---- MATLAB v7.3 (HDF5) ----

/** Writes the HDF5 file in a plain Node child: h5wasm is ESM + WebAssembly, which jest's CommonJS cannot load. */
const HDF5_BOMB_SCRIPT = `
import { pathToFileURL } from 'node:url';
import { writeFileSync } from 'node:fs';
const [modulePath, out, side] = process.argv.slice(1);
const h5 = await import(pathToFileURL(modulePath).href);
await h5.ready;
const f = new h5.File('/bomb.h5', 'w');
const eeg = f.create_group('EEG');
eeg.create_attribute('MATLAB_class', 'struct');
const chunk = 1024;
// One chunk of real gzip-compressed zeros, then the declared shape grown to side x side doubles (unwritten
// chunks read as the fill value, zero): a few KB on disk, side*side*8 bytes once read.
const data = eeg.create_dataset({
  name: 'data', data: new Float64Array(chunk * chunk), shape: [chunk, chunk], dtype: '<d',
  maxshape: [null, null], chunks: [chunk, chunk], compression: 'gzip', compression_opts: 9,
});
data.create_attribute('MATLAB_class', 'double');
data.resize([Number(side), Number(side)]);
f.close();
const bytes = h5.FS.readFile('/bomb.h5');
// MATLAB's 512-byte user block: the text header that marks a v7.3 MAT-file.
const file = new Uint8Array(512 + bytes.length);
file.set(new TextEncoder().encode('MATLAB 7.3 MAT-file, Platform: GLNXA64, crafted HDF5-based bomb'));
file.set([0, 2, 73, 77], 124);
file.set(bytes, 512);
writeFileSync(out, file);
`;

/** Writes a v7.3 .set whose EEG.data declares `side × side` doubles (gzip-compressed zeros / fill value). */
export function writeHdf5BombSet(path: string, side: number): void {
  const modulePath = h5wasmModulePath();
  if (!modulePath) throw new Error('h5wasm is not installed');
  const run = spawnSync(
    process.execPath,
    ['--input-type=module', '-e', HDF5_BOMB_SCRIPT, modulePath, path, String(side)],
    { cwd: projectRoot, encoding: 'utf8' },
  );
  if (run.status !== 0) throw new Error(`HDF5 bomb generation failed: ${run.stderr}`);
}

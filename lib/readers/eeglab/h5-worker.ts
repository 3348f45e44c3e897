/**
 * h5wasm is an ES module with an embedded WebAssembly HDF5 library; jest's CommonJS runtime cannot import
 * it, so HDF5 files are read in a worker thread (plain Node), which lists every object of the file as plain
 * data (`H5Node`s keyed by path, references given as target paths) and posts them back.
 *
 * Bounded parsing: every object, attribute and dataset is charged to the decoded-size budget from its declared
 * shape and element size BEFORE its values are read (HDF5 datasets can be compressed or unallocated, so a tiny
 * file can declare gigabytes). A dataset costs its bytes as read plus 8 bytes per element (the Float64 copy the
 * main thread makes); one chunk larger than what is left is refused too (reading any of it inflates all of it).
 * Only integer, float, enum and reference datasets are read; other classes are listed without values.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

export type H5Attrs = Record<string, unknown>;

export type H5Node =
  | { kind: 'group'; attrs: H5Attrs; children: string[] }
  | {
      kind: 'dataset';
      attrs: H5Attrs;
      shape: number[];
      /** Numbers (typed array) or, for an object-reference dataset, the referenced paths. */
      value: ArrayLike<number | bigint> | null;
      refs: (string | null)[] | null;
    };

export interface H5WorkerInput {
  modulePath: string;
  bytes: Uint8Array;
  maxNodes: number;
  maxDepth: number;
  /** The decoded-size budget in bytes (the file's own copy in the worker counts too). */
  maxDecodedBytes: number;
  /** A private folder (mode 0700) where the worker writes the file for h5wasm; removed by the main thread. */
  scratchDir: string;
}

export type H5WorkerOutput = { nodes: Record<string, H5Node> } | { error: string };

/** Runs in the worker (CommonJS script); walks the file breadth-first within the node, depth and size caps. */
export const H5_WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { pathToFileURL } = require('node:url');
const { writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { modulePath, bytes, maxNodes, maxDepth, maxDecodedBytes, scratchDir } = workerData;
const OBJECT_COST = 256;
const REF_PATH_COST = 64;
const READ_CLASSES = new Set([0, 1, 7, 8]); // H5T integer, float, reference, enum
let left = maxDecodedBytes;
function charge(bytes, what) {
  if (!(bytes <= left)) throw new Error(what + ' exceeds the decoded-size limit of ' + maxDecodedBytes + ' bytes');
  left -= bytes;
}
function elements(shape) {
  let n = 1;
  for (const d of shape || []) n *= d;
  return n;
}
function attrsOf(obj, path) {
  const out = {};
  for (const [k, a] of Object.entries(obj.attrs)) {
    charge(OBJECT_COST + elements(a.shape) * (a.metadata.size + 16), 'attribute ' + k + ' of ' + path);
    try { out[k] = a.json_value; } catch (e) { out[k] = null; }
  }
  return out;
}
function datasetNode(f, ds, path) {
  const meta = ds.metadata;
  const shape = meta.shape || [];
  const attrs = attrsOf(ds, path);
  if (!READ_CLASSES.has(meta.type)) return { kind: 'dataset', attrs, shape, value: null, refs: null };
  const count = elements(shape);
  const chunkBytes = meta.chunks ? elements(meta.chunks) * meta.size : 0;
  if (!(chunkBytes <= left)) throw new Error('a chunk of ' + path + ' exceeds the decoded-size limit of ' + maxDecodedBytes + ' bytes');
  const isRef = meta.type === 7;
  charge(count * (meta.size + (isRef ? REF_PATH_COST : 8)), 'dataset ' + path + ' (' + shape.join('x') + ')');
  const value = ds.value;
  if (isRef) {
    const refs = Array.from(value || [], (r) => { try { return f.dereference(r).path; } catch (e) { return null; } });
    return { kind: 'dataset', attrs, shape, value: null, refs };
  }
  const numeric = ArrayBuffer.isView(value) ? value : null;
  return { kind: 'dataset', attrs, shape, value: numeric, refs: null };
}
import(pathToFileURL(modulePath).href).then(async (h5) => {
  await h5.ready;
  charge(bytes.length, 'the file');
  // h5wasm's Node build opens files on the real file system: each open gets a private folder of its own (made
  // and removed by the main thread), never a shared name that concurrent opens would overwrite.
  const file = join(scratchDir, 'in.h5');
  writeFileSync(file, bytes, { mode: 0o600 });
  const f = new h5.File(file, 'r');
  const nodes = {};
  const queue = [['/', 0]];
  let count = 0;
  while (queue.length) {
    const [path, depth] = queue.shift();
    if (nodes[path]) continue;
    if (++count > maxNodes) throw new Error('more than ' + maxNodes + ' HDF5 objects');
    charge(OBJECT_COST, 'object ' + path);
    const obj = path === '/' ? f : f.get(path);
    if (obj instanceof h5.Group) {
      const children = obj.keys();
      charge(children.length * OBJECT_COST, 'the links of ' + path);
      nodes[path] = { kind: 'group', attrs: attrsOf(obj, path), children };
      if (depth >= maxDepth) throw new Error('HDF5 groups nested deeper than ' + maxDepth);
      for (const c of children) queue.push([(path === '/' ? '' : path) + '/' + c, depth + 1]);
    } else if (obj instanceof h5.Dataset) {
      nodes[path] = datasetNode(f, obj, path);
    }
  }
  f.close();
  // Hand the value buffers over instead of copying them.
  const transfer = new Set(Object.values(nodes).flatMap((n) => (n.value && n.value.buffer ? [n.value.buffer] : [])));
  parentPort.postMessage({ nodes }, [...transfer]);
}).catch((e) => parentPort.postMessage({ error: String((e && e.message) || e) }));
`;

/** Path of h5wasm's Node build (its package exports it for `import` only, so it is found on disk). */
export function h5wasmModulePath(): string | null {
  for (const start of [__dirname, process.cwd()]) {
    let dir = start;
    for (let i = 0; i < 12; i++) {
      const candidate = join(dir, 'node_modules', 'h5wasm', 'dist', 'node', 'hdf5_hl.js');
      if (existsSync(candidate)) return candidate;
      const parent = dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
  }
  return null;
}

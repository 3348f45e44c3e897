/**
 * h5wasm is an ES module with an embedded WebAssembly HDF5 library; jest's CommonJS runtime cannot import
 * it, so HDF5 files are read in a worker thread (plain Node), which lists every object of the file as plain
 * data (`H5Node`s keyed by path, references given as target paths) and posts them back.
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
}

export type H5WorkerOutput = { nodes: Record<string, H5Node> } | { error: string };

/** Runs in the worker (CommonJS script); walks the file breadth-first within the node and depth caps. */
export const H5_WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { pathToFileURL } = require('node:url');
const { modulePath, bytes, maxNodes, maxDepth } = workerData;
function attrsOf(obj) {
  const out = {};
  for (const [k, a] of Object.entries(obj.attrs)) {
    try { out[k] = a.json_value; } catch (e) { out[k] = null; }
  }
  return out;
}
function datasetNode(f, ds) {
  const shape = ds.shape || [];
  const isRef = ds.metadata && ds.metadata.type === 7;
  const value = ds.value;
  if (isRef) {
    const refs = Array.from(value || [], (r) => { try { return f.dereference(r).path; } catch (e) { return null; } });
    return { kind: 'dataset', attrs: attrsOf(ds), shape, value: null, refs };
  }
  const numeric = ArrayBuffer.isView(value) ? value : null;
  return { kind: 'dataset', attrs: attrsOf(ds), shape, value: numeric, refs: null };
}
import(pathToFileURL(modulePath).href).then(async (h5) => {
  await h5.ready;
  h5.FS.writeFile('/in.h5', bytes);
  const f = new h5.File('/in.h5', 'r');
  const nodes = {};
  const queue = [['/', 0]];
  let count = 0;
  while (queue.length) {
    const [path, depth] = queue.shift();
    if (nodes[path]) continue;
    if (++count > maxNodes) throw new Error('more than ' + maxNodes + ' HDF5 objects');
    const obj = path === '/' ? f : f.get(path);
    if (obj instanceof h5.Group) {
      const children = obj.keys();
      nodes[path] = { kind: 'group', attrs: attrsOf(obj), children };
      if (depth >= maxDepth) throw new Error('HDF5 groups nested deeper than ' + maxDepth);
      for (const c of children) queue.push([(path === '/' ? '' : path) + '/' + c, depth + 1]);
    } else if (obj instanceof h5.Dataset) {
      nodes[path] = datasetNode(f, obj);
    }
  }
  f.close();
  parentPort.postMessage({ nodes });
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

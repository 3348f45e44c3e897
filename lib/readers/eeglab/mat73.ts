/**
 * MATLAB v7.3 MAT-files (HDF5) → the same MatValue tree as the v5 reader. MATLAB's HDF5 layout: a variable
 * is a dataset (numeric/char/cell by its MATLAB_class attribute, dims reversed, data already column-major;
 * MATLAB_empty datasets hold the dims) or a group (struct; a struct array when its fields are datasets of
 * object references, one per element). Cell elements are references into `#refs#`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { unreadableRecording, unsupportedFormat } from '../../core/errors';
import type { MatValue, MatVariables, NumericClass } from '../mat/types';
import { numel } from '../mat/types';
import type { H5Node, H5WorkerInput, H5WorkerOutput } from './h5-worker';
import { H5_WORKER_SOURCE, h5wasmModulePath } from './h5-worker';

const MAX_NODES = 1_000_000;
const MAX_DEPTH = 32;
const TIMEOUT_MS = 120_000;
const WORKER_BASE_HEAP_MB = 64;
const HIDDEN = new Set(['#refs#', '#subsystem#']);
const NUMERIC = new Set<string>([
  'double',
  'single',
  'int8',
  'uint8',
  'int16',
  'uint16',
  'int32',
  'uint32',
  'int64',
  'uint64',
  'logical',
]);

/** The worker's old-generation heap by default: the budget plus room for h5wasm's own JavaScript. */
function workerHeapMb(maxDecodedBytes: number): number {
  return Math.ceil(maxDecodedBytes / 2 ** 20) + WORKER_BASE_HEAP_MB;
}

/**
 * Reads a v7.3 MAT-file within `maxDecodedBytes` (see h5-worker.ts for what is charged). The worker's JS heap is
 * capped too (`heapMb`), so a file that still blows it up ends that worker, never the process.
 */
export async function readMat73(
  bytes: Uint8Array,
  name: string,
  maxDecodedBytes: number,
  heapMb: number = workerHeapMb(maxDecodedBytes),
): Promise<MatVariables> {
  const nodes = await listHdf5(bytes, name, maxDecodedBytes, heapMb);
  const root = nodes['/'];
  if (root?.kind !== 'group') throw unreadableRecording(`${name}: no HDF5 root group`);
  const convert = converter(nodes, name);
  const vars: MatVariables = new Map();
  for (const child of root.children) if (!HIDDEN.has(child)) vars.set(child, convert(`/${child}`, 0));
  return vars;
}

function listHdf5(
  bytes: Uint8Array,
  name: string,
  maxDecodedBytes: number,
  heapMb: number,
): Promise<Record<string, H5Node>> {
  const modulePath = h5wasmModulePath();
  if (!modulePath)
    throw unsupportedFormat('MATLAB v7.3 files need the h5wasm package, which is not installed');
  // h5wasm reads from the real file system: a private folder per open, removed once the worker is gone.
  const scratchDir = mkdtempSync(join(tmpdir(), 'loris-ephys-h5-'));
  const removeScratch = (): void => rmSync(scratchDir, { recursive: true, force: true });
  const input: H5WorkerInput = {
    modulePath,
    bytes,
    maxNodes: MAX_NODES,
    maxDepth: MAX_DEPTH,
    maxDecodedBytes,
    scratchDir,
  };
  return new Promise((resolve, reject) => {
    const worker = new Worker(H5_WORKER_SOURCE, {
      eval: true,
      workerData: input,
      resourceLimits: { maxOldGenerationSizeMb: heapMb, maxYoungGenerationSizeMb: 16 },
    });
    // Failures are told apart by where they come from, not by `instanceof Error` (another realm's errors fail it).
    const stop = (): void => void worker.terminate().finally(removeScratch);
    const fail = (reason: string): void => {
      clearTimeout(timer);
      stop();
      reject(unreadableRecording(`${name}: HDF5 read failed (${reason})`));
    };
    const timer = setTimeout(() => fail('timed out'), TIMEOUT_MS);
    worker.once('message', (m: H5WorkerOutput) => {
      if ('error' in m) return fail(m.error);
      clearTimeout(timer);
      stop();
      resolve(m.nodes);
    });
    worker.once('error', (e: unknown) => fail(String((e as { message?: unknown } | null)?.message ?? e)));
    worker.once('exit', (code) => fail(`worker exited with code ${code}`));
  });
}

const attrString = (node: H5Node, key: string): string | undefined => {
  const v = node.attrs[key];
  return typeof v === 'string' ? v : undefined;
};

/** MATLAB's dims from an HDF5 shape (row-major, reversed). */
const matDims = (shape: number[]): number[] => {
  const dims = [...shape].reverse();
  while (dims.length < 2) dims.push(1);
  return dims;
};

function converter(nodes: Record<string, H5Node>, name: string): (path: string, depth: number) => MatValue {
  const convert = (path: string | null, depth: number): MatValue => {
    const node = path === null ? undefined : nodes[path];
    if (!node) return { kind: 'unsupported', cls: 'missing', dims: [0, 0] };
    if (depth > MAX_DEPTH)
      throw unreadableRecording(`${name}: MATLAB values nested deeper than ${MAX_DEPTH}`);
    return node.kind === 'group' ? groupValue(node, path as string, depth) : datasetValue(node, depth);
  };

  const groupValue = (node: Extract<H5Node, { kind: 'group' }>, path: string, depth: number): MatValue => {
    const fields = node.children.filter((c) => !HIDDEN.has(c));
    const fieldNodes = fields.map((f) => nodes[`${path}/${f}`]);
    const isArray =
      fields.length > 0 &&
      fieldNodes.every((n) => n?.kind === 'dataset' && n.refs !== null && !attrString(n, 'MATLAB_class'));
    if (!isArray) {
      const record = new Map(fields.map((f) => [f, convert(`${path}/${f}`, depth + 1)] as const));
      return { kind: 'struct', dims: [1, 1], fieldNames: fields, elements: [record] };
    }
    const first = fieldNodes[0] as Extract<H5Node, { kind: 'dataset' }>;
    const dims = matDims(first.shape);
    const elements = Array.from({ length: numel(dims) }, (_, i) => {
      const record = new Map<string, MatValue>();
      fields.forEach((f, k) => {
        const n = fieldNodes[k] as Extract<H5Node, { kind: 'dataset' }>;
        record.set(f, convert(n.refs?.[i] ?? null, depth + 1));
      });
      return record;
    });
    return { kind: 'struct', dims, fieldNames: fields, elements };
  };

  const datasetValue = (node: Extract<H5Node, { kind: 'dataset' }>, depth: number): MatValue => {
    const cls = attrString(node, 'MATLAB_class') ?? '';
    if (node.attrs.MATLAB_sparse !== undefined) return { kind: 'unsupported', cls: 'sparse', dims: [0, 0] };
    if (node.attrs.MATLAB_empty !== undefined && node.attrs.MATLAB_empty !== 0) return emptyOf(cls, node);
    const dims = matDims(node.shape);
    if (cls === 'cell' && node.refs) {
      return { kind: 'cell', dims, elements: node.refs.map((r) => convert(r, depth + 1)) };
    }
    if (cls === 'char' && node.value) {
      return { kind: 'char', dims, text: fromCharCodes(Array.from(node.value, Number)) };
    }
    if (NUMERIC.has(cls) && node.value) {
      return { kind: 'numeric', cls: cls as NumericClass, dims, real: Float64Array.from(node.value, Number) };
    }
    return { kind: 'unsupported', cls: cls || 'unknown', dims };
  };

  return convert;
}

function emptyOf(cls: string, node: Extract<H5Node, { kind: 'dataset' }>): MatValue {
  const dims = node.value ? Array.from(node.value, Number) : [0, 0];
  if (cls === 'char') return { kind: 'char', dims, text: '' };
  if (cls === 'cell') return { kind: 'cell', dims, elements: [] };
  if (cls === 'struct') return { kind: 'struct', dims, fieldNames: [], elements: [] };
  if (NUMERIC.has(cls)) return { kind: 'numeric', cls: cls as NumericClass, dims, real: new Float64Array(0) };
  return { kind: 'unsupported', cls: cls || 'unknown', dims };
}

/** UTF-16 code units → string, in chunks (spreading a long array would overflow the stack). */
function fromCharCodes(codes: number[]): string {
  let text = '';
  for (let i = 0; i < codes.length; i += 8192) text += String.fromCharCode(...codes.slice(i, i + 8192));
  return text;
}

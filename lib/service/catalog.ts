/**
 * Standalone mode's list of recordings: a bounded recursive scan of one folder, or the folder's own
 * `catalog.json` when it has one. Ids are stable: from catalog.json, or else derived from a SHA-256 of the
 * relative path, so the same file keeps its id across restarts and machines.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { z } from 'zod';
import { ApiError } from '../core/errors';

export interface CatalogEntry {
  id: number;
  /** Relative to the catalog folder, '/'-separated. */
  path: string;
  fileType: string;
}

export interface Catalog {
  entries: CatalogEntry[];
  /** True when the scan stopped at a limit. */
  truncated: boolean;
}

export interface ScanLimits {
  maxDepth: number;
  maxDirectoryEntries: number;
  maxRecordings: number;
}

export const DEFAULT_SCAN_LIMITS: ScanLimits = {
  maxDepth: 8,
  maxDirectoryEntries: 50000,
  maxRecordings: 5000,
};
export const MAX_RECORDING_ID = 4294967295;

const TYPES: [RegExp, string][] = [
  [/\.edf$/i, 'edf'],
  [/\.bdf$/i, 'bdf'],
  [/\.vhdr$/i, 'vhdr'],
  [/\.set$/i, 'set'],
  [/\.fif(\.gz)?$/i, 'fif'],
  [/\.sqd$/i, 'sqd'],
  [/\.cnt$/i, 'cnt'],
];

/** The file type of a recording by its name ('ctf' for a `.ds` directory), or undefined. */
export function recordingType(name: string, isDirectory: boolean): string | undefined {
  if (isDirectory) return /\.ds$/i.test(name) ? 'ctf' : undefined;
  return TYPES.find(([re]) => re.test(name))?.[1];
}

/** A 32-bit id from the path's SHA-256 (never 0); `salt` resolves the rare collision. */
export function pathId(path: string, salt = 0): number {
  const digest = createHash('sha256')
    .update(salt === 0 ? path : `${path}#${salt}`)
    .digest();
  return digest.readUInt32BE(0) || 1;
}

function assignIds(found: { path: string; fileType: string }[]): CatalogEntry[] {
  const used = new Set<number>();
  return [...found]
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
    .map((f) => {
      let salt = 0;
      let id = pathId(f.path);
      while (used.has(id)) id = pathId(f.path, ++salt);
      used.add(id);
      return { id, ...f };
    });
}

interface ScanState {
  found: { path: string; fileType: string }[];
  visited: number;
  truncated: boolean;
}

async function scanDir(
  root: string,
  rel: string,
  depth: number,
  limits: ScanLimits,
  state: ScanState,
): Promise<void> {
  const dirents = await readdir(join(root, rel), { withFileTypes: true }).catch(() => []);
  dirents.sort((a, b) => (a.name < b.name ? -1 : 1));
  for (const d of dirents) {
    if (++state.visited > limits.maxDirectoryEntries || state.found.length >= limits.maxRecordings) {
      state.truncated = true;
      return;
    }
    // Hidden entries and symlinks are skipped: the catalog never leaves the folder.
    if (d.name.startsWith('.') || d.isSymbolicLink()) continue;
    const path = rel ? posix.join(rel, d.name) : d.name;
    const fileType = recordingType(d.name, d.isDirectory());
    if (fileType && (d.isFile() || d.isDirectory())) state.found.push({ path, fileType });
    else if (d.isDirectory() && depth < limits.maxDepth) await scanDir(root, path, depth + 1, limits, state);
  }
}

const catalogFileSchema = z.object({
  recordings: z
    .array(z.object({ id: z.number().int().min(1).max(MAX_RECORDING_ID), path: z.string().min(1).max(4096) }))
    .max(DEFAULT_SCAN_LIMITS.maxRecordings),
});

async function readCatalogFile(root: string): Promise<Catalog | undefined> {
  const file = join(root, 'catalog.json');
  const info = await stat(file).catch(() => undefined);
  if (!info?.isFile()) return undefined;
  if (info.size > 4 * 1024 * 1024) throw new ApiError(500, 'config_invalid', 'catalog.json is too large.');
  const parsed = catalogFileSchema.safeParse(JSON.parse(await readFile(file, 'utf8').catch(() => 'null')));
  if (!parsed.success)
    throw new ApiError(500, 'config_invalid', 'catalog.json is not a valid recording catalog.');
  const ids = new Set(parsed.data.recordings.map((r) => r.id));
  if (ids.size !== parsed.data.recordings.length)
    throw new ApiError(500, 'config_invalid', 'catalog.json repeats an id.');
  const entries = parsed.data.recordings.flatMap((r) => {
    const fileType = recordingType(posix.basename(r.path), /\.ds\/?$/i.test(r.path));
    return fileType ? [{ id: r.id, path: r.path.replace(/\/$/, ''), fileType }] : [];
  });
  return { entries, truncated: false };
}

/** The catalog of `root`: its catalog.json if present, else a bounded scan. */
export async function buildCatalog(root: string, limits: ScanLimits = DEFAULT_SCAN_LIMITS): Promise<Catalog> {
  const fromFile = await readCatalogFile(root);
  if (fromFile) return fromFile;
  const state: ScanState = { found: [], visited: 0, truncated: false };
  await scanDir(root, '', 0, limits, state);
  return { entries: assignIds(state.found), truncated: state.truncated };
}

/**
 * The PNG deflater of this thread: Intel ISA-L's igzip at its level 2 (native/isal-deflate, a Node-API binding of
 * libisal built by `npm run setup` where libisal's headers are installed), else Node's zlib. For a CTF map's half
 * (256 rows at 512 px, 525 kB of scanlines) igzip took 0.84 ms against 2.0–2.8 ms for zlib's level 1, for streams
 * within 1–5 % of zlib's size (2026-12-07, README *Performance*).
 *
 * LORIS_EPHYS_DEFLATE: `auto` (default: ISA-L when its binding is built), `zlib`, or `isal` (required: a map fails
 * with a logged error when the binding is missing). The deflater's name is part of a PNG's ETag, since the bytes
 * differ.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { ZlibDeflater } from '../core/render';

/** Where the binding is built, under the project's root. */
export const ISAL_ADDON = join('native', 'isal-deflate', 'build', 'Release', 'isal_deflate.node');
/** igzip's level: 2 was as fast as 1 and 1–2 % smaller on our maps; 3 was twice as slow. */
export const ISAL_LEVEL = 2;
/** Folders above a module looked in for the project's root (lib/service, dist/topomap, a bench's temp bundle). */
const ROOT_SEARCH_DEPTH = 4;

export type DeflateSetting = 'auto' | 'zlib' | 'isal';

interface IsalBinding {
  deflate(input: Uint8Array, out: Uint8Array, level: number, finish: boolean): number;
  adler32(input: Uint8Array): number;
}

/** LORIS_EPHYS_DEFLATE (read here, not through zod, which map workers do not load): any other value is `auto`. */
export function deflateSetting(env: Record<string, string | undefined> = process.env): DeflateSetting {
  const value = env.LORIS_EPHYS_DEFLATE ?? '';
  return value === 'zlib' || value === 'isal' ? value : 'auto';
}

/** The built binding: under LORIS_EPHYS_ROOT, else in the first of `from`'s folders and their parents that has it. */
export function isalAddonPath(
  from: string = __dirname,
  env: Record<string, string | undefined> = process.env,
): string | undefined {
  const roots = env.LORIS_EPHYS_ROOT ? [env.LORIS_EPHYS_ROOT] : [];
  for (let dir = from, depth = 0; depth <= ROOT_SEARCH_DEPTH; depth++, dir = dirname(dir)) roots.push(dir);
  return roots.map((root) => join(root, ISAL_ADDON)).find((path) => existsSync(path));
}

/** ISA-L's deflater from the binding at `path`. */
export function isalDeflater(path: string): ZlibDeflater {
  const binding = createRequire(__filename)(path) as IsalBinding;
  return {
    name: `isal-${ISAL_LEVEL}`,
    deflate: (input, out, finish) => binding.deflate(input, out, ISAL_LEVEL, finish),
    adler32: (input) => binding.adler32(input),
  };
}

/**
 * The deflater for `setting`: ISA-L's when asked for or found (`auto`), undefined for Node's zlib. Throws for
 * `isal` without a built binding.
 */
export function chooseDeflater(setting: DeflateSetting, path: string | undefined): ZlibDeflater | undefined {
  if (setting === 'zlib') return undefined;
  if (!path) {
    if (setting === 'isal')
      throw new Error('LORIS_EPHYS_DEFLATE=isal, but the ISA-L binding is not built (npm run build:native)');
    return undefined;
  }
  try {
    return isalDeflater(path);
  } catch (error) {
    if (setting === 'isal') throw error;
    return undefined; // built for another Node or libisal missing at run time: zlib
  }
}

/** The deflater LORIS_EPHYS_DEFLATE asks for (undefined: Node's zlib); the caller keeps it for its thread. */
export const pngDeflater = (): ZlibDeflater | undefined => chooseDeflater(deflateSetting(), isalAddonPath());

/** The deflater's name for ETags: `zlib` for Node's. */
export const deflaterName = (deflater: ZlibDeflater | undefined): string => deflater?.name ?? 'zlib';

/**
 * Modules: groups of routes a site switches on or off with LORIS_EPHYS_MODULES (comma-separated names,
 * default `ephys,meegqc`). A disabled module's routes answer 404 `not_found`, like a route that does not exist,
 * and vanish from /openapi.json, so LORIS's viewer hides the features they back. `/health`, `/openapi.json` and
 * `/demo` belong to no module: they are always on. What each module contains (routes, health checks) is in
 * lib/modules.ts; this file only knows the names.
 */
import { z } from 'zod';
import { ApiError } from './errors';

/** Every module this service knows (`uploads` is off unless a site lists it). */
export const MODULE_NAMES = ['ephys', 'meegqc', 'uploads'] as const;
export type ModuleName = (typeof MODULE_NAMES)[number];

export const DEFAULT_MODULES = 'ephys,meegqc';

const isModuleName = (name: string): name is ModuleName => (MODULE_NAMES as readonly string[]).includes(name);

/** `ephys, meegqc` → ['ephys', 'meegqc'] (trimmed, de-duplicated); an unknown name is a configuration error. */
export const parseModuleList = z.string().transform((text, ctx): ModuleName[] => {
  const names = text
    .split(',')
    .map((n) => n.trim().toLowerCase())
    .filter((n) => n.length > 0);
  const unknown = names.filter((n) => !isModuleName(n));
  if (unknown.length > 0) {
    ctx.addIssue({
      code: 'custom',
      message: `unknown module ${unknown.join(', ')} (known: ${MODULE_NAMES.join(', ')})`,
    });
    return z.NEVER;
  }
  return [...new Set(names.filter(isModuleName))];
});

export const isModuleEnabled = (modules: readonly ModuleName[], name: ModuleName): boolean =>
  modules.includes(name);

/** The answer of a route that does not exist, or whose module is switched off: the two are not told apart. */
export const routeNotFound = (): ApiError => new ApiError(404, 'not_found', 'No such route.');

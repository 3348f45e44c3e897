/**
 * State shared by the function bundles of one process. Each function is bundled on its own (own module state),
 * but on premises they all run in serverless-offline's process: what must be one per process (the checks
 * running, the record updates in progress) lives on `globalThis` under a versioned symbol.
 */
export function processShared<T>(name: string, create: () => T): T {
  const key = Symbol.for(`loris-ephys-api.uploads.${name}.v1`);
  const global = globalThis as Record<symbol, unknown>;
  if (!(key in global)) global[key] = create();
  return global[key] as T;
}

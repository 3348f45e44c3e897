/** JSON comparison with the placeholders used by event fixtures (<<number>>, <<string>>, <<boolean>>, <<any>>). */
export function mismatches(actual: unknown, expected: unknown, path = '$'): string[] {
  if (expected === '<<any>>') return [];
  if (expected === '<<number>>') return typeof actual === 'number' ? [] : [`${path}: expected a number`];
  if (expected === '<<string>>') return typeof actual === 'string' ? [] : [`${path}: expected a string`];
  if (expected === '<<boolean>>') return typeof actual === 'boolean' ? [] : [`${path}: expected a boolean`];
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return [`${path}: expected an array`];
    if (actual.length !== expected.length) return [`${path}: length ${actual.length} != ${expected.length}`];
    return expected.flatMap((e, i) => mismatches(actual[i], e, `${path}[${i}]`));
  }
  if (expected !== null && typeof expected === 'object') {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual))
      return [`${path}: expected an object`];
    const a = actual as Record<string, unknown>;
    const e = expected as Record<string, unknown>;
    const extra = Object.keys(a)
      .filter((k) => !(k in e))
      .map((k) => `${path}.${k}: unexpected key`);
    return [...extra, ...Object.keys(e).flatMap((k) => mismatches(a[k], e[k], `${path}.${k}`))];
  }
  return Object.is(actual, expected)
    ? []
    : [`${path}: ${JSON.stringify(actual)} != ${JSON.stringify(expected)}`];
}

/**
 * Like `mismatches`, but only the keys `expected` names are compared (others may exist) and numbers may differ
 * by `tolerance` (absolute): for answers checked against MNE-generated values.
 */
export function subsetMismatches(
  actual: unknown,
  expected: unknown,
  tolerance: number,
  path = '$',
): string[] {
  if (typeof expected === 'number') {
    return typeof actual === 'number' && Math.abs(actual - expected) <= tolerance
      ? []
      : [`${path}: ${JSON.stringify(actual)} not within ${tolerance} of ${expected}`];
  }
  if (expected !== null && typeof expected === 'object' && !Array.isArray(expected)) {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual))
      return [`${path}: expected an object`];
    const a = actual as Record<string, unknown>;
    return Object.entries(expected).flatMap(([k, e]) =>
      k in a ? subsetMismatches(a[k], e, tolerance, `${path}.${k}`) : [`${path}.${k}: missing`],
    );
  }
  return mismatches(actual, expected, path);
}

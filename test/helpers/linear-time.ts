/**
 * Hang-catching for linear-time parsers: runs a parser on an adversarial input of size n and of size 4n and
 * checks each finishes within a generous bound. A quadratic pattern on 50 000+ characters takes seconds to
 * minutes, far beyond the bound; a linear one takes milliseconds. No tight timing is asserted.
 */
import { performance } from 'node:perf_hooks';

export const HANG_BOUND_MS = 2000;

/** Milliseconds `run` takes. */
export function elapsedMs(run: () => unknown): number {
  const start = performance.now();
  run();
  return performance.now() - start;
}

/** Runs `parse` on `makeInput(n)` and `makeInput(4n)` and expects each within HANG_BOUND_MS. */
export function expectLinearEnough(
  parse: (input: string) => unknown,
  makeInput: (n: number) => string,
  n = 50000,
): void {
  for (const size of [n, 4 * n]) {
    const input = makeInput(size);
    expect(input.length).toBeGreaterThanOrEqual(size);
    expect(elapsedMs(() => parse(input))).toBeLessThan(HANG_BOUND_MS);
  }
}

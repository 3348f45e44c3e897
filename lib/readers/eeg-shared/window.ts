/** Checks the arguments of `Recording.readWindow` against a recording's size. */
import { badRequest } from '../../core/errors';

export function checkWindow(
  picks: readonly number[],
  start: number,
  stop: number,
  nChannels: number,
  nSamples: number,
): void {
  if (
    !Number.isSafeInteger(start) ||
    !Number.isSafeInteger(stop) ||
    start < 0 ||
    stop < start ||
    stop > nSamples
  ) {
    throw badRequest(`window [${start}, ${stop}) is outside the recording's ${nSamples} samples`);
  }
  for (const pick of picks) {
    if (!Number.isSafeInteger(pick) || pick < 0 || pick >= nChannels) {
      throw badRequest(`channel index ${pick} is outside 0..${nChannels - 1}`);
    }
  }
}

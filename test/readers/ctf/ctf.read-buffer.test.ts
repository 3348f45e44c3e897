/**
 * Trial reads from files go into one kept buffer per thread (lib/readers/ctf/meg4.ts): windows read one after the
 * other and many at once give the same samples, whatever was read into the buffer before.
 */
import { openCtf } from '../../../lib/readers/ctf';
import { rootedSourceFs } from '../../../lib/readers/rooted-fs';
import { describeWithData, testDataPath } from '../../helpers/testdata';
import { DS_PATH_PARTS } from './golden';

describeWithData('CTF reads into a kept buffer', () => {
  it('gives the same windows read in turn, at once, and again', async () => {
    const rec = await openCtf(testDataPath(...DS_PATH_PARTS), rootedSourceFs(testDataPath()));
    const picks = rec.info.channels.map((_, i) => i);
    // Short and long windows, within a trial and across trials: reads of every size into the buffer.
    const windows = [
      [0, 100],
      [1150, 1300],
      [0, 2402],
      [500, 620],
      [2000, 2402],
      [10, 11],
    ] as const;
    const inTurn: Float64Array[][] = [];
    for (const [a, b] of windows) inTurn.push(await rec.readWindow(picks, a, b));
    const atOnce = await Promise.all(windows.map(([a, b]) => rec.readWindow(picks, a, b)));
    const again: Float64Array[][] = [];
    for (const [a, b] of [...windows].reverse()) again.unshift(await rec.readWindow(picks, a, b));
    for (const got of [atOnce, again]) {
      got.forEach((window, w) =>
        window.forEach((channel, c) => expect(Array.from(channel)).toEqual(Array.from(inTurn[w]![c]!))),
      );
    }
    await rec.close();
  });
});

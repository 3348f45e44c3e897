/**
 * Trial reads from files go into one kept buffer per thread (lib/readers/ctf/read-buffer.ts): windows read one after
 * the other and many at once give the same samples, whatever was read into the buffer before, and windows read in
 * turn reuse the buffer (a new one of a few MB per map made V8 run a full collection every 15 or so CTF maps). Each
 * open's read of the `.res4` compensation records (2.7 MB here) goes into it too. A short trial read whole stays
 * there for the next window within it.
 */
import { openCtf } from '../../../lib/readers/ctf';
import { rootedSourceFs } from '../../../lib/readers/rooted-fs';
import type { SourceFs } from '../../../lib/readers/source';
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

  /** The real files, with each read's length and target buffer noted in `reads`. */
  const notingFs = (reads: { length: number; into?: Uint8Array }[]): SourceFs => {
    const files = rootedSourceFs(testDataPath());
    return {
      ...files,
      open: async (path) => {
        const source = await files.open(path);
        return Object.assign(Object.create(source) as typeof source, {
          read: (offset: number, length: number, into?: Uint8Array) => {
            reads.push({ length, into });
            return source.read(offset, length, into);
          },
        });
      },
    };
  };

  it('reads the compensation records of each open into the kept buffer', async () => {
    const reads: { length: number; into?: Uint8Array }[] = [];
    const largest = async (): Promise<{ length: number; into?: Uint8Array }> => {
      reads.length = 0;
      const rec = await openCtf(testDataPath(...DS_PATH_PARTS), notingFs(reads));
      await rec.close();
      return reads.reduce((a, b) => (b.length > a.length ? b : a));
    };
    const [first, second] = [await largest(), await largest()];
    expect(first.length).toBeGreaterThan(1_000_000); // the compensation records (control: the read looked at)
    expect(first.into).toBeDefined();
    expect(second.into).toBe(first.into);
  });

  it('reads windows one after the other into the same buffer (no new MBs per map)', async () => {
    const reads: { length: number; into?: Uint8Array }[] = [];
    const noting = notingFs(reads);
    const rec = await openCtf(testDataPath(...DS_PATH_PARTS), noting);
    const picks = rec.info.channels.map((_, i) => i);
    reads.length = 0; // the open's own reads
    for (const [a, b] of [
      [0, 100],
      [1300, 1400],
      [0, 2402],
      [100, 200],
    ] as const)
      await rec.readWindow(picks, a, b);
    const targets = reads.map((r) => r.into);
    expect(targets.length).toBeGreaterThanOrEqual(4);
    expect(targets.every((t) => t !== undefined)).toBe(true);
    // One buffer, grown once at most, then kept.
    expect(new Set(targets).size).toBeLessThanOrEqual(2);
    expect(targets[targets.length - 1]).toBe(targets[targets.length - 2]);
    await rec.close();
  });

  it('keeps the last whole trial read: windows within it read nothing more, other trials and opens read', async () => {
    const reads: { length: number; into?: Uint8Array }[] = [];
    const rec = await openCtf(testDataPath(...DS_PATH_PARTS), notingFs(reads));
    const picks = rec.info.channels.map((_, i) => i);
    const readsFor = async (a: number, b: number): Promise<number> => {
      reads.length = 0;
      await rec.readWindow(picks, a, b);
      return reads.length;
    };
    expect(await readsFor(0, 120)).toBe(1); // the whole first trial, in one read
    const nSamp = reads[0]!.length / (rec.info.channels.length * 4);
    expect(nSamp).toBe(1201); // samples per trial: two trials make the recording's 2402 samples
    expect(await readsFor(60, 180)).toBe(0); // the same trial: kept
    expect(await readsFor(500, 620)).toBe(0);
    expect(await readsFor(nSamp + 10, nSamp + 130)).toBe(1); // the second trial
    expect(await readsFor(10, 130)).toBe(1); // back to the first: only the last trial is kept
    // Another open of the same files has sources of its own: it reads.
    const other = await openCtf(testDataPath(...DS_PATH_PARTS), notingFs(reads));
    reads.length = 0;
    await other.readWindow(picks, 10, 130);
    expect(reads.length).toBe(1);
    await other.close();
    await rec.close();
  });
});

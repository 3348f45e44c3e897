/**
 * Property: randomly corrupted CTF and KIT headers either open (and a window reads) or fail with an ApiError —
 * never another exception, a hang or an unbounded allocation.
 */
import fc from 'fast-check';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isApiError } from '../../../lib/core/errors';
import { openCtf } from '../../../lib/readers/ctf';
import { openKit } from '../../../lib/readers/kit';
import { memoryFs } from '../../../lib/readers/source';
import type { Recording } from '../../../lib/readers/types';
import { describeWithData, testDataPath } from '../../helpers/testdata';
import { DS_PATH_PARTS } from './golden';

const DS = '/mem/testdata_ctf_short_discontinuous.ds';
const RES4 = `${DS}/testdata_ctf_short_discontinuous.res4`;
const MEG4 = `${DS}/testdata_ctf_short_discontinuous.meg4`;
const SQD = '/mem/test.sqd';

/** Byte edits: (offset, value) pairs applied to a copy; half of the offsets fall in the first `dense` bytes. */
const edits = (maxOffset: number, dense: number) =>
  fc.array(fc.tuple(fc.oneof(fc.nat(dense - 1), fc.nat(maxOffset - 1)), fc.integer({ min: 0, max: 255 })), {
    minLength: 1,
    maxLength: 8,
  });

function applyEdits(bytes: Uint8Array, list: [number, number][]): Uint8Array {
  const copy = new Uint8Array(bytes);
  for (const [at, v] of list) copy[at] = v;
  return copy;
}

async function openAndRead(open: () => Promise<Recording>): Promise<void> {
  try {
    const rec = await open();
    const n = Math.min(rec.info.nSamples, 50);
    await rec.readWindow(rec.info.channels.map((_, i) => i).slice(0, 20), 0, n);
    await rec.close();
  } catch (e) {
    if (!isApiError(e)) throw e;
  }
}

describeWithData('corrupted CTF and KIT headers fail only with ApiErrors', () => {
  const dir = testDataPath(...DS_PATH_PARTS);
  const ds = new Map<string, Uint8Array>(
    readdirSync(dir).map((f) => [join(DS, f), new Uint8Array(readFileSync(join(dir, f)))]),
  );
  const sqd = new Uint8Array(readFileSync(testDataPath('kit', 'test.sqd')));
  const res4 = ds.get(RES4) as Uint8Array;
  const meg4 = ds.get(MEG4) as Uint8Array;

  it('CTF .res4 header and first channel records', async () => {
    await fc.assert(
      fc.asyncProperty(edits(1844 + 2 + 356 * 32 + 4 * 1328, 1850), async (list) => {
        const files = new Map(ds).set(RES4, applyEdits(res4, list));
        await openAndRead(() => openCtf(DS, memoryFs(files)));
      }),
      { numRuns: 60 },
    );
  });

  it('CTF .meg4 header and clock channel', async () => {
    await fc.assert(
      fc.asyncProperty(edits(8 + 4 * 1201 * 5, 8), async (list) => {
        const files = new Map(ds).set(MEG4, applyEdits(meg4, list));
        await openAndRead(() => openCtf(DS, memoryFs(files)));
      }),
      { numRuns: 40 },
    );
  });

  it('KIT directory, system, channel and acquisition sections', async () => {
    await fc.assert(
      fc.asyncProperty(edits(23000, 1800), async (list) => {
        const files = new Map([[SQD, applyEdits(sqd, list)]]);
        await openAndRead(() => openKit(SQD, memoryFs(files)));
      }),
      { numRuns: 80 },
    );
  });
});

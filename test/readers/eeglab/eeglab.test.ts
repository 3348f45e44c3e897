/** EEGLAB .set reader against MNE 1.3's read_raw_eeglab / read_epochs_eeglab (scripts/golden/make_eeglab_golden.py). */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { isApiError } from '../../../lib/core/errors';
import { openEeglab } from '../../../lib/readers/eeglab';
import { localFs, memoryFs } from '../../../lib/readers/source';
import type { Recording } from '../../../lib/readers/types';
import { describeWithData, goldenPath, testDataPath } from '../../helpers/testdata';

interface Golden {
  ch_names: string[];
  ch_types: string[];
  sfreq: number;
  kind: 'raw' | 'epochs';
  n_times: number;
  tmin: number;
  loc: (number | null)[][];
  coil_type: number[];
  dig: { kind: string; ident: number; r: (number | null)[] }[];
  picks: number[];
  windows: { start: number; stop: number; data: number[][] }[];
  events?: { onset: number; duration: number; description: string }[];
  epoch_events?: { sample: number; id: number; name: string }[];
  n_trials?: number;
  n_epoch_times?: number;
}

const golden = (name: string): Golden =>
  JSON.parse(readFileSync(goldenPath('eeglab', name.replace('.set', '.json')), 'utf8')) as Golden;

/** Equal within `tol`, NaN only where MNE has NaN. */
function expectClose(actual: readonly number[], expected: readonly (number | null)[], tol: number): void {
  expect(actual.length).toBe(expected.length);
  expected.forEach((e, i) => {
    const a = actual[i] as number;
    if (e === null) expect(a).toBeNaN();
    else expect(Math.abs(a - e)).toBeLessThanOrEqual(tol);
  });
}

/** float32 samples scaled to V: a relative error of one float32 ulp at most. */
function expectFloat32Close(actual: Float64Array, expected: number[]): void {
  expected.forEach((e, i) => {
    expect(Math.abs((actual[i] as number) - e)).toBeLessThanOrEqual(Math.abs(e) * 2 ** -23 + 1e-15);
  });
}

/** v5 files against MNE 1.3; the v7.3 (HDF5) one against h5py reading by MNE's rules (same recording as test_raw). */
const FILES = [
  'test_raw.set',
  'test_raw_chanloc.set',
  'test_raw_2021.set',
  'test_epochs.set',
  'test_raw_h5.set',
  'synthetic_fid.set',
];

/** synthetic_fid.set is our own small file (fiducials, empty coordinates, EOG type, odd events), committed with its golden. */
const setPath = (file: string): string =>
  file.startsWith('synthetic') ? goldenPath('eeglab', file) : testDataPath('eeglab', file);

describeWithData('EEGLAB .set against MNE 1.3', () => {
  describe.each(FILES)('%s', (file) => {
    const g = golden(file);
    let rec: Recording;
    beforeAll(async () => {
      rec = await openEeglab(setPath(file), localFs);
    });
    afterAll(() => rec.close());

    it('has MNE’s channel names, types, sfreq, length and kind', () => {
      expect(rec.info.channels.map((c) => c.name)).toEqual(g.ch_names);
      expect(rec.info.channels.map((c) => c.type)).toEqual(g.ch_types);
      expect(rec.info.channels.map((c) => c.coilType)).toEqual(g.coil_type);
      expect(rec.info.sfreq).toBe(g.sfreq);
      expect(rec.info.nSamples).toBe(g.n_times);
      expect(rec.info.kind).toBe(g.kind);
      expect(rec.info.tmin).toBeCloseTo(g.tmin, 12);
    });

    it('has MNE’s 12-element loc per channel (1e-9 m) and dig points', () => {
      rec.info.channels.forEach((ch, i) => expectClose(ch.loc, g.loc[i] as (number | null)[], 1e-9));
      expect(rec.info.dig.map((d) => [d.kind, d.ident])).toEqual(g.dig.map((d) => [d.kind, d.ident]));
      rec.info.dig.forEach((d, i) => expectClose(d.r, g.dig[i]?.r ?? [], 1e-9));
    });

    it('reads MNE’s samples (start, middle, end windows) to float32 precision', async () => {
      for (const w of g.windows) {
        const data = await rec.readWindow(g.picks, w.start, w.stop);
        data.forEach((row, k) => expectFloat32Close(row, w.data[k] as number[]));
      }
    });
  });

  it('gives the annotations MNE gives (onset 1e-9 s, duration, description)', async () => {
    for (const file of [
      'test_raw.set',
      'test_raw_chanloc.set',
      'test_raw_2021.set',
      'test_raw_h5.set',
      'synthetic_fid.set',
    ]) {
      const g = golden(file);
      const rec = await openEeglab(setPath(file), localFs);
      const events = g.events ?? [];
      expect((await rec.readEvents()).map((e) => e.type)).toEqual(events.map((e) => e.description));
      expectClose(
        (await rec.readEvents()).map((e) => e.onset),
        events.map((e) => e.onset),
        1e-9,
      );
      expectClose(
        (await rec.readEvents()).map((e) => e.duration),
        events.map((e) => e.duration),
        1e-9,
      );
      await rec.close();
    }
  });

  it('marks each epoch start with MNE’s event name and id', async () => {
    const g = golden('test_epochs.set');
    const rec = await openEeglab(testDataPath('eeglab', 'test_epochs.set'), localFs);
    const perEpoch = (g.n_epoch_times ?? 0) / g.sfreq;
    expect((await rec.readEvents()).map((e) => [e.type, e.value])).toEqual(
      (g.epoch_events ?? []).map((e) => [e.name, String(e.id)]),
    );
    expectClose(
      (await rec.readEvents()).map((e) => e.onset),
      (g.epoch_events ?? []).map((_, i) => i * perEpoch),
      1e-12,
    );
    expect(rec.info.notes?.trials).toBe(g.n_trials);
    await rec.close();
  });

  it('reads a whole-recording window (several 1 MiB blocks) equal to the golden windows', async () => {
    const g = golden('test_raw.set');
    const rec = await openEeglab(testDataPath('eeglab', 'test_raw.set'), localFs);
    const all = await rec.readWindow(g.picks, 0, g.n_times);
    for (const w of g.windows) {
      all.forEach((row, k) => expectFloat32Close(row.subarray(w.start, w.stop), w.data[k] as number[]));
    }
    await rec.close();
  });

  it('reads only the window’s bytes of the .fdt', async () => {
    let fdtBytes = 0;
    const counting = {
      ...localFs,
      open: async (p: string) => {
        const src = await localFs.open(p);
        if (!p.endsWith('.fdt')) return src;
        return {
          ...src,
          name: src.name,
          size: src.size,
          bytesRead: 0,
          read: async (o: number, l: number) => {
            fdtBytes += l;
            return src.read(o, l);
          },
          close: () => src.close(),
        };
      },
    };
    const rec = await openEeglab(testDataPath('eeglab', 'test_raw.set'), counting);
    await rec.readWindow([0, 5], 1000, 1100);
    expect(fdtBytes).toBe(100 * 32 * 4);
    await rec.close();
  });
});

async function expectUnreadable(promise: Promise<unknown>, code = 'unreadable_recording'): Promise<void> {
  const err: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isApiError(err) && err.code).toBe(code);
}

describeWithData('EEGLAB bad input', () => {
  const setBytes = (): Uint8Array =>
    new Uint8Array(readFileSync(testDataPath('eeglab', 'test_raw_chanloc.set')));

  it('reports a missing .fdt as unreadable_recording', async () => {
    const fs = memoryFs(new Map([['/d/test_raw_chanloc.set', setBytes()]]));
    await expectUnreadable(openEeglab('/d/test_raw_chanloc.set', fs));
  });

  it('reports a short .fdt as unreadable_recording', async () => {
    const fdt = new Uint8Array(readFileSync(testDataPath('eeglab', 'test_raw_chanloc.fdt'))).subarray(
      0,
      1000,
    );
    const fs = memoryFs(
      new Map([
        ['/d/x.set', setBytes()],
        ['/d/test_raw_chanloc.fdt', fdt],
      ]),
    );
    await expectUnreadable(openEeglab('/d/x.set', fs));
  });

  it('reports every truncation of a .set as an ApiError, never a crash', async () => {
    const full = new Uint8Array(readFileSync(testDataPath('eeglab', 'test_raw_2021.set')));
    for (const len of [0, 100, 128, 136, 500, 5000, 40000, full.length - 1]) {
      const fs = memoryFs(new Map([['/d/t.set', full.subarray(0, len)]]));
      const err: unknown = await openEeglab('/d/t.set', fs).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isApiError(err)).toBe(true);
    }
  });

  it('survives random byte corruption with an ApiError or a result, never another exception', async () => {
    const full = new Uint8Array(readFileSync(testDataPath('eeglab', 'test_raw_2021.set')));
    let seed = 12345;
    const rand = (): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed;
    };
    for (let trial = 0; trial < 60; trial++) {
      const bytes = full.slice();
      for (let k = 0; k < 8; k++) bytes[128 + (rand() % (bytes.length - 128))] = rand() & 0xff;
      const fs = memoryFs(new Map([['/d/t.set', bytes]]));
      const err: unknown = await openEeglab('/d/t.set', fs).then(
        () => undefined,
        (e: unknown) => e,
      );
      if (err !== undefined) expect(isApiError(err)).toBe(true);
    }
  });

  it('reports a truncated MATLAB v7.3 (HDF5) .set as unreadable_recording', async () => {
    const full = new Uint8Array(readFileSync(testDataPath('eeglab', 'test_raw_h5.set')));
    const fs = memoryFs(new Map([['/d/t.set', full.subarray(0, 4096)]]));
    await expectUnreadable(openEeglab('/d/t.set', fs));
  });

  it('rejects a file that is not a MAT-file as unsupported_format', async () => {
    const fs = memoryFs(new Map([['/d/t.set', new Uint8Array(256).fill(65)]]));
    await expectUnreadable(openEeglab('/d/t.set', fs), 'unsupported_format');
  });
});

describeWithData('EEGLAB v7.3 (HDF5) opens in parallel', () => {
  // h5wasm reads from the real file system: each open must use a private scratch file (a shared name made
  // concurrent opens read each other's bytes and fail at random) and leave nothing behind.
  it('opens the same file many times at once, each with its own samples, leaving no scratch file', async () => {
    // A temporary folder of this test's own (os.tmpdir() follows TMPDIR), so other tests' opens do not count.
    const savedTmp = process.env.TMPDIR;
    const privateTmp = mkdtempSync(join(tmpdir(), 'loris-h5-parallel-'));
    process.env.TMPDIR = privateTmp;
    try {
      const openOne = async () => {
        const rec = await openEeglab(testDataPath('eeglab', 'test_raw_h5.set'), localFs);
        try {
          return Array.from((await rec.readWindow([0, 1], 0, 8)).flatMap((ch) => Array.from(ch)));
        } finally {
          await rec.close();
        }
      };
      const windows = await Promise.all(Array.from({ length: 4 }, openOne));
      for (const w of windows) expect(w).toEqual(windows[0]);
      expect(existsSync('/in.h5')).toBe(false);
      // Scratch folders go once each worker has ended (asynchronously, right after the open).
      for (let i = 0; i < 100 && readdirSync(privateTmp).length > 0; i++)
        await new Promise((r) => setTimeout(r, 50));
      expect(readdirSync(privateTmp)).toEqual([]);
    } finally {
      if (savedTmp === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = savedTmp;
      rmSync(privateTmp, { recursive: true, force: true });
    }
  }, 120_000);
});

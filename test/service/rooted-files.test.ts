/**
 * Every file the service opens for a recording goes through rootedSourceFs(dataDir): companions (BrainVision
 * .eeg/.vmrk, EEGLAB .fdt, CTF .ds members) and BIDS sidecars symlinked outside the data directory, sidecars
 * above it and FIFOs are refused with 422 unreadable_recording before any byte of them is read; symlinks that
 * stay inside still work. Each layout is built here in a temporary folder from the shared test recordings; the
 * files outside the data directory are the shared recordings themselves, which an unrooted fs would read.
 */
import { execFileSync } from 'node:child_process';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { rootedSourceFs, type FsRefusal } from '../../lib/readers/rooted-fs';
import { localFs, type SourceFs } from '../../lib/readers/source';
import { openForHandler } from '../../lib/service/open-recording';
import { describeWithData, testDataPath } from '../helpers/testdata';

const CTF = 'testdata_ctf_short_discontinuous';
const BIDS_BASE = 'sub-01_task-rest';

/** Wraps `fs` to note the name of every file it really opened (a refused file never appears). */
function noteOpens(fs: SourceFs): { fs: SourceFs; opened: string[] } {
  const opened: string[] = [];
  return {
    opened,
    fs: {
      ...fs,
      open: async (path) => {
        const source = await fs.open(path);
        opened.push(source.name);
        return source;
      },
    },
  };
}

const refusal = (what: string) => ({
  status: 422,
  code: 'unreadable_recording',
  message: expect.stringContaining(what) as unknown,
});

const ELECTRODES_TSV =
  'name\tx\ty\tz\nFP1\t-0.03\t0.08\t0.02\nFP2\t0.03\t0.08\t0.02\nF3\t-0.05\t0.05\t0.06\n';
const COORDSYSTEM_JSON = JSON.stringify({ EEGCoordinateSystem: 'CapTrak', EEGCoordinateUnits: 'm' });
const CHANNELS_TSV = 'name\ttype\tunits\tstatus\nFP1\tEEG\tuV\tbad\n';

/** The same checks with the file-system calls made asynchronously (main thread) and synchronously (map workers). */
const modes: [string, boolean][] = [
  ['asynchronous calls', false],
  ['synchronous calls, as in map workers', true],
];

describe.each(modes)('with %s', (_mode, sync) => {
  describeWithData('files of a recording outside the data directory', () => {
    let tmp: string;
    let root: string;
    let refusals: FsRefusal[];
    let rooted: SourceFs;

    /** A folder inside the root (created fresh for each layout). */
    const folder = (...parts: string[]): string => {
      const dir = join(root, ...parts);
      mkdirSync(dir, { recursive: true });
      return dir;
    };
    /** A BrainVision recording in `dir` with the named companions copied; returns the header's path. */
    const brainVision = (dir: string, copied: string[], header = 'test.vhdr'): string => {
      copyFileSync(testDataPath('brainvision', 'test.vhdr'), join(dir, header));
      for (const ext of copied)
        copyFileSync(testDataPath('brainvision', `test.${ext}`), join(dir, `test.${ext}`));
      return join(dir, header);
    };
    const ctfCopy = (dir: string, linked: string): string => {
      const ds = join(dir, `${CTF}.ds`);
      mkdirSync(ds);
      for (const name of readdirSync(testDataPath('ctf', `${CTF}.ds`))) {
        const source = testDataPath('ctf', `${CTF}.ds`, name);
        if (name === linked) symlinkSync(source, join(ds, name));
        else copyFileSync(source, join(ds, name));
      }
      return ds;
    };
    const openRooted = async (path: string) => {
      const counted = noteOpens(rooted);
      const attempt = openForHandler(path, { fs: counted.fs });
      return { attempt, opened: counted.opened };
    };

    beforeAll(() => {
      tmp = mkdtempSync(join(tmpdir(), 'loris-rooted-'));
      root = join(tmp, 'data');
      mkdirSync(root);
    });
    beforeEach(() => {
      refusals = [];
      rooted = rootedSourceFs(root, { sync, onRefusal: (r) => refusals.push(r) });
    });
    afterAll(() => rmSync(tmp, { recursive: true, force: true }));

    it('refuses a BrainVision .eeg symlinked outside, never opening it (localFs would read it)', async () => {
      const dir = folder('bv-eeg-out');
      const vhdr = brainVision(dir, ['vmrk']);
      symlinkSync(testDataPath('brainvision', 'test.eeg'), join(dir, 'test.eeg'));
      const unrooted = await openForHandler(vhdr, { fs: localFs });
      await unrooted.recording.close(); // the same layout opens without a root: the link is what is refused

      const { attempt, opened } = await openRooted(vhdr);
      await expect(attempt).rejects.toMatchObject(refusal('test.eeg is outside the data directory'));
      expect(opened).toEqual(['test.vhdr', 'test.vmrk']);
      expect(refusals).toEqual([{ path: 'bv-eeg-out/test.eeg', reason: 'outside_root' }]);
    });

    it('refuses a BrainVision .vmrk symlinked outside', async () => {
      const dir = folder('bv-vmrk-out');
      const vhdr = brainVision(dir, ['eeg']);
      symlinkSync(testDataPath('brainvision', 'test.vmrk'), join(dir, 'test.vmrk'));
      const { attempt, opened } = await openRooted(vhdr);
      await expect(attempt).rejects.toMatchObject(refusal('test.vmrk is outside the data directory'));
      expect(opened).not.toContain('test.vmrk');
    });

    it('refuses an EEGLAB .fdt symlinked outside', async () => {
      const dir = folder('set-fdt-out');
      copyFileSync(testDataPath('eeglab', 'test_raw.set'), join(dir, 'test_raw.set'));
      symlinkSync(testDataPath('eeglab', 'test_raw.fdt'), join(dir, 'test_raw.fdt'));
      const { attempt, opened } = await openRooted(join(dir, 'test_raw.set'));
      await expect(attempt).rejects.toMatchObject(refusal('test_raw.fdt is outside the data directory'));
      expect(opened).toEqual(['test_raw.set']);
    });

    it.each([['.meg4'], ['.hc']])('refuses a CTF .ds member (%s) symlinked outside', async (ext) => {
      const ds = ctfCopy(folder(`ctf${ext}`), `${CTF}${ext}`);
      const { attempt, opened } = await openRooted(ds);
      await expect(attempt).rejects.toMatchObject(refusal(`${CTF}${ext} is outside the data directory`));
      expect(opened).not.toContain(`${CTF}${ext}`);
    });

    it('opens a CTF .ds whose members are all inside (control)', async () => {
      const ds = ctfCopy(folder('ctf-inside'), '');
      const opened = await openForHandler(ds, { fs: rooted });
      await expect(opened.recording.readWindow([0], 0, 4)).resolves.toHaveLength(1);
      await opened.recording.close();
    });

    describe('BIDS sidecars', () => {
      const outside = (): string => {
        const dir = join(tmp, 'outside-sidecars');
        mkdirSync(dir, { recursive: true });
        writeFileSync(join(dir, 'electrodes.tsv'), ELECTRODES_TSV);
        writeFileSync(join(dir, 'coordsystem.json'), COORDSYSTEM_JSON);
        writeFileSync(join(dir, 'channels.tsv'), CHANNELS_TSV);
        return dir;
      };
      /** A BIDS-named recording with its three sidecars inside, `linked` ones symlinked to the outside copies. */
      const bidsRecording = (name: string, linked: string[]): string => {
        const dir = folder(name);
        const vhdr = brainVision(dir, ['vmrk', 'eeg'], `${BIDS_BASE}_eeg.vhdr`);
        const contents: Record<string, string> = {
          'electrodes.tsv': ELECTRODES_TSV,
          'coordsystem.json': COORDSYSTEM_JSON,
          'channels.tsv': CHANNELS_TSV,
        };
        for (const [suffix, text] of Object.entries(contents)) {
          const target = join(dir, `${BIDS_BASE}_${suffix}`);
          if (linked.includes(suffix)) symlinkSync(join(outside(), suffix), target);
          else writeFileSync(target, text);
        }
        return vhdr;
      };

      it('uses sidecars that are inside (control)', async () => {
        const opened = await openForHandler(bidsRecording('bids-inside', []), { fs: rooted });
        expect(opened.positionSource).toBe('sidecar');
        expect(opened.info.bads).toContain('FP1');
        await opened.recording.close();
      });

      it.each([['electrodes.tsv'], ['coordsystem.json'], ['channels.tsv']])(
        'refuses the sidecar %s symlinked outside',
        async (suffix) => {
          const vhdr = bidsRecording(`bids-${suffix}-out`, [suffix]);
          const { attempt, opened } = await openRooted(vhdr);
          await expect(attempt).rejects.toMatchObject(refusal(`${BIDS_BASE}_${suffix} is outside`));
          expect(opened).not.toContain(`${BIDS_BASE}_${suffix}`);
        },
      );

      it('never finds sidecars above the data directory (localFs would)', async () => {
        const parent = mkdtempSync(join(tmp, 'above-'));
        const nestedRoot = join(parent, 'data');
        mkdirSync(nestedRoot);
        writeFileSync(join(parent, `${BIDS_BASE}_electrodes.tsv`), ELECTRODES_TSV);
        writeFileSync(join(parent, `${BIDS_BASE}_coordsystem.json`), COORDSYSTEM_JSON);
        copyFileSync(testDataPath('brainvision', 'test.vhdr'), join(nestedRoot, `${BIDS_BASE}_eeg.vhdr`));
        for (const ext of ['vmrk', 'eeg'])
          copyFileSync(testDataPath('brainvision', `test.${ext}`), join(nestedRoot, `test.${ext}`));
        const vhdr = join(nestedRoot, `${BIDS_BASE}_eeg.vhdr`);

        const unrooted = await openForHandler(vhdr, { fs: localFs });
        expect(unrooted.positionSource).toBe('sidecar');
        await unrooted.recording.close();
        const counted = noteOpens(rootedSourceFs(nestedRoot, { sync }));
        const opened = await openForHandler(vhdr, { fs: counted.fs });
        expect(opened.positionSource).not.toBe('sidecar');
        expect(counted.opened.filter((n) => n.includes('electrodes') || n.includes('coordsystem'))).toEqual(
          [],
        );
        await opened.recording.close();
      });
    });

    it('refuses a FIFO companion at once instead of blocking on it', async () => {
      const dir = folder('fifo');
      const vhdr = brainVision(dir, ['vmrk']);
      execFileSync('mkfifo', [join(dir, 'test.eeg')]);
      const { attempt } = await openRooted(vhdr);
      await expect(attempt).rejects.toMatchObject(refusal('test.eeg is not a regular file'));
      expect(refusals).toEqual([{ path: 'fifo/test.eeg', reason: 'not_a_regular_file' }]);
    });

    it('refuses a FIFO sidecar', async () => {
      const dir = folder('fifo-sidecar');
      const vhdr = brainVision(dir, ['vmrk', 'eeg'], `${BIDS_BASE}_eeg.vhdr`);
      execFileSync('mkfifo', [join(dir, `${BIDS_BASE}_channels.tsv`)]);
      await expect(openForHandler(vhdr, { fs: rooted })).rejects.toMatchObject(
        refusal(`${BIDS_BASE}_channels.tsv is not a regular file`),
      );
    });

    it('still opens companions symlinked to other files inside the data directory', async () => {
      const store = folder('store');
      brainVision(store, ['eeg', 'vmrk']);
      const dir = folder('linked-inside');
      const vhdr = brainVision(dir, []);
      for (const ext of ['eeg', 'vmrk']) symlinkSync(join(store, `test.${ext}`), join(dir, `test.${ext}`));
      const counted = noteOpens(rooted);
      const opened = await openForHandler(vhdr, { fs: counted.fs });
      const direct = await openForHandler(join(store, 'test.vhdr'), { fs: rooted });
      expect(await opened.recording.readWindow([0, 1], 0, 64)).toEqual(
        await direct.recording.readWindow([0, 1], 0, 64),
      );
      expect(counted.opened).toEqual(['test.vhdr', 'test.vmrk', 'test.eeg']);
      expect(refusals).toEqual([]);
      await Promise.all([opened.recording.close(), direct.recording.close()]);
    });

    describe('rootedSourceFs itself', () => {
      it('refuses paths that climb out of the root, and folders symlinked out', async () => {
        const dir = folder('fs-unit');
        symlinkSync(testDataPath('brainvision'), join(dir, 'outdir'));
        await expect(rooted.open(join(root, '..', 'outside', 'x.eeg'))).rejects.toMatchObject(
          refusal('outside the data directory'),
        );
        await expect(rooted.readdir(join(dir, 'outdir'))).rejects.toMatchObject(
          refusal('outdir is outside the data directory'),
        );
        await expect(rooted.open(join(dir, 'outdir', 'test.eeg'))).rejects.toMatchObject(
          refusal('test.eeg is outside the data directory'),
        );
        expect(refusals.map((r) => r.reason)).toEqual(['outside_root', 'outside_root', 'outside_root']);
      });

      it('reports a missing file or a dangling link as missing, and never opens a directory as a file', async () => {
        const dir = folder('fs-missing');
        symlinkSync(join(dir, 'gone.eeg'), join(dir, 'dangling.eeg'));
        expect(await rooted.exists(join(dir, 'dangling.eeg'))).toBe(false);
        await expect(rooted.open(join(dir, 'nothing.eeg'))).rejects.toMatchObject(
          refusal('nothing.eeg is missing'),
        );
        await expect(rooted.open(dir)).rejects.toMatchObject(
          refusal(`${basename(dir)} is not a regular file`),
        );
        expect(await rooted.isDirectory(dir)).toBe(true);
      });
    });
  });
});

describeWithData('rootedSourceFs with synchronous calls', () => {
  it('answers within the same turn of the event loop (no hop to the thread pool)', async () => {
    const root = testDataPath('brainvision');
    const sync = rootedSourceFs(root, { sync: true });
    let turned = false;
    setImmediate(() => {
      turned = true;
    });
    expect(await sync.exists(join(root, 'test.vhdr'))).toBe(true);
    expect(await sync.isDirectory(root)).toBe(true);
    expect(await sync.readdir(root)).toContain('test.eeg');
    expect(turned).toBe(false);
    // The asynchronous calls let the loop turn (control: the check above can tell the two apart).
    await rootedSourceFs(root, { sync: false }).exists(join(root, 'test.vhdr'));
    expect(turned).toBe(true);
  });
});

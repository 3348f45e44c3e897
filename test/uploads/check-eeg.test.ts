/**
 * The EEG BIDS session check on archives built from the shared recordings (test/helpers/bids-session.ts): a valid
 * session reports the recordings as our readers read the originals; each broken variant gives its code.
 */
import { cp, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkArchive, checkDirectory } from '../../lib/uploads/check';
import { MAX_SESSION_RECORDINGS } from '../../lib/uploads/check/eeg';
import { MAX_JSON_SIDECAR_BYTES, MAX_SIDECAR_BYTES, tsvColumns } from '../../lib/uploads/check/sidecars';
import type { UploadReport, UploadTarget } from '../../lib/uploads/types';
import {
  ORIGINALS,
  originalInfo,
  packTarGz,
  packZip,
  writeBidsSession,
  type SessionSpec,
} from '../helpers/bids-session';
import { describeWithData, testDataPath } from '../helpers/testdata';

const TARGET: UploadTarget = {
  kind: 'eeg-bids',
  filename: 'MTL001_300001_V1_bids.tar.gz',
  pscid: 'MTL001',
  candid: '300001',
  visit: 'V1',
  isPhantom: false,
};

let work: string;
let counter = 0;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'upload-check-eeg-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/** A fresh folder under the test's work folder. */
async function freshDir(): Promise<string> {
  counter += 1;
  const dir = join(work, `case${counter}`);
  await mkdir(dir);
  return dir;
}

/** Builds the session `spec`, packs it as `format` and checks it. */
async function checkSession(
  spec: Partial<SessionSpec>,
  target: UploadTarget = TARGET,
  format: 'tar.gz' | 'zip' = 'tar.gz',
  tweak?: (root: string) => Promise<void>,
): Promise<UploadReport> {
  const dir = await freshDir();
  const src = join(dir, 'src');
  const root = await writeBidsSession(src, { subject: 'MTL001', session: 'V1', ...spec });
  if (tweak) await tweak(root);
  const archive = join(dir, `upload.${format}`);
  await (format === 'zip' ? packZip(src, archive) : packTarGz(src, archive));
  const scratchDir = join(dir, 'scratch');
  await mkdir(scratchDir);
  lastScratch = scratchDir;
  return checkArchive(archive, target, { scratchDir });
}

/** The scratch folder of the last checkSession (what the check extracted is still there). */
let lastScratch = '';

const codes = (report: UploadReport, level?: string): string[] =>
  report.lines.filter((l) => level === undefined || l.level === level).map((l) => l.code);

describeWithData('upload check: EEG BIDS session', () => {
  it('accepts a valid session and reports each recording as our readers read the original file', async () => {
    const report = await checkSession({});
    expect(report.errors).toEqual([]);
    expect(report.warnings).toEqual([]);
    expect(report.ok).toBe(true);
    for (const [format, original] of [
      ['edf', ORIGINALS.edf],
      ['brainvision', ORIGINALS.brainvision],
    ] as const) {
      const info = await originalInfo(original);
      const summary = report.recordings.find((r) => r.format === format);
      expect(summary).toEqual({
        path: expect.stringMatching(/^sub-MTL001\/ses-V1\/eeg\/sub-MTL001_ses-V1_task-/),
        format,
        channels: info.channels.length + info.excluded.length,
        samplingRate: info.sfreq,
        durationSeconds: info.nSamples / info.sfreq,
        events: info.events.length,
      });
    }
    // The shared data's README: EDF 139 ch at 512 Hz for 6 s, BrainVision 32 ch at 1000 Hz.
    expect(report.recordings.map((r) => [r.format, r.channels, r.samplingRate]).sort()).toEqual([
      ['brainvision', 32, 1000],
      ['edf', 139, 512],
    ]);
  });

  it('accepts the same session zipped, and inside a wrapping folder', async () => {
    const zipped = await checkSession({}, TARGET, 'zip');
    expect(zipped.ok).toBe(true);
    expect(zipped.recordings).toHaveLength(2);
    const wrapped = await checkSession({ wrapper: 'MTL001_300001_V1_bids' });
    expect(wrapped.errors).toEqual([]);
    expect(wrapped.recordings.map((r) => r.path.split('/')[0])).toEqual([
      'MTL001_300001_V1_bids',
      'MTL001_300001_V1_bids',
    ]);
  });

  it('refuses a recording whose header was cut (the reader code) and one whose data was cut short', async () => {
    const header = await checkSession({ truncateEdfTo: 2000 });
    const line = header.lines.find((l) => l.item.endsWith('_eeg.edf') && l.level === 'error');
    expect(line?.code).toBe('unreadable_recording');
    expect(header.ok).toBe(false);
    expect(header.recordings.map((r) => r.format)).toEqual(['brainvision']);

    const data = await checkSession({ truncateEdfTo: 500_000 });
    expect(codes(data, 'error')).toEqual(['recording_truncated']);
  });

  it('cross-checks channels.tsv, electrodes.tsv, events.tsv and the sidecar against the file', async () => {
    expect(codes(await checkSession({ dropChannelRow: true }), 'error')).toEqual([
      'channel_count_mismatch',
      'channel_name_mismatch',
    ]);
    const electrodes = await checkSession({ extraElectrode: true });
    expect(electrodes.ok).toBe(true);
    expect(codes(electrodes, 'warning')).toEqual(['electrode_not_a_channel']);
    expect(electrodes.warnings[0]).toContain('"NotAChannel"');
    expect(codes(await checkSession({ badEventOnset: true }), 'error')).toEqual(['invalid_events_tsv']);
    expect(codes(await checkSession({ wrongSidecarRate: true }), 'error')).toEqual([
      'sampling_rate_mismatch',
    ]);
  });

  it('checks the sidecar channel count', async () => {
    const report = await checkSession({}, TARGET, 'tar.gz', async (root) => {
      const sidecar = join(root, 'sub-MTL001/ses-V1/eeg/sub-MTL001_ses-V1_task-oddball_eeg.json');
      await writeFile(sidecar, JSON.stringify({ SamplingFrequency: 512, EEGChannelCount: 64 }));
    });
    expect(codes(report, 'error')).toEqual(['sidecar_channel_count_mismatch']);
  });

  it('matches sub-<PSCID> (any case) or sub-<CandID>, and ses-<Visit> exactly', async () => {
    expect((await checkSession({ subject: 'mtl001' })).ok).toBe(true);
    expect((await checkSession({ subject: '300001' })).ok).toBe(true);
    expect(codes(await checkSession({ subject: 'MTL002' }), 'error')).toEqual(['subject_mismatch']);
    expect(codes(await checkSession({ session: 'V2' }), 'error')).toEqual(['session_mismatch']);
    expect(codes(await checkSession({ session: 'v1' }), 'error')).toEqual(['session_mismatch']);
  });

  it('uses PSCIDs and visits with _ or - as they are, as LORIS-MRI does, with a warning', async () => {
    const target = { ...TARGET, pscid: 'MTL_001', visit: 'V-1' };
    const report = await checkSession({ subject: 'MTL_001', session: 'V-1' }, target);
    expect(report.ok).toBe(true);
    expect(codes(report, 'warning')).toEqual(['bids_label_not_alphanumeric', 'bids_label_not_alphanumeric']);
    // Removing the characters is not what LORIS-MRI looks for.
    expect(codes(await checkSession({ subject: 'MTL001', session: 'V1' }, target), 'error')).toEqual([
      'subject_mismatch',
      'session_mismatch',
    ]);
  });

  it('requires dataset_description.json with Name and BIDSVersion', async () => {
    expect(codes(await checkSession({ noDatasetDescription: true }), 'error')).toEqual([
      'missing_dataset_description',
    ]);
    const bad = await checkSession({}, TARGET, 'tar.gz', async (root) => {
      await writeFile(join(root, 'dataset_description.json'), JSON.stringify({ Name: 'x' }));
    });
    expect(codes(bad, 'error')).toEqual(['invalid_dataset_description']);
  });

  it('refuses an archive with two sessions, or with no recording', async () => {
    const two = await checkSession({}, TARGET, 'tar.gz', async (root) => {
      await mkdir(join(root, 'sub-MTL001/ses-V2/eeg'), { recursive: true });
      await writeFile(join(root, 'sub-MTL001/ses-V2/eeg/notes.txt'), 'second session');
    });
    expect(codes(two, 'error')).toEqual(['multiple_sessions']);

    const dir = await freshDir();
    await mkdir(join(dir, 'src/sub-MTL001/ses-V1/anat'), { recursive: true });
    await writeFile(
      join(dir, 'src/dataset_description.json'),
      JSON.stringify({ Name: 'x', BIDSVersion: '1.8.0' }),
    );
    await writeFile(join(dir, 'src/sub-MTL001/ses-V1/anat/T1w.nii'), 'not eeg');
    await packTarGz(join(dir, 'src'), join(dir, 'a.tar.gz'));
    await mkdir(join(dir, 'scratch'));
    const none = await checkArchive(join(dir, 'a.tar.gz'), TARGET, { scratchDir: join(dir, 'scratch') });
    expect(codes(none, 'error')).toEqual(['no_recordings']);
    const empty = await checkDirectory(join(dir, 'src', 'sub-MTL001', 'ses-V1'), TARGET, {
      scratchDir: join(dir, 'scratch'),
    });
    expect(codes(empty, 'error')).toEqual(['no_session_folder']);
  });

  it('extracts within the budget, and says which file did not fit', async () => {
    const dir = await freshDir();
    await writeBidsSession(join(dir, 'src'), { subject: 'MTL001', session: 'V1' });
    await packTarGz(join(dir, 'src'), join(dir, 'a.tar.gz'));
    await mkdir(join(dir, 'scratch'));
    const report = await checkArchive(join(dir, 'a.tar.gz'), TARGET, {
      scratchDir: join(dir, 'scratch'),
      maxExtractBytes: 600_000,
    });
    expect(report.ok).toBe(false);
    expect(codes(report, 'error')).toContain('extract_budget');
  });

  it('opens every recording format our readers read, in eeg and meg folders, as the originals read', async () => {
    const dir = await freshDir();
    const src = join(dir, 'src');
    const session = join(src, 'sub-MTL001', 'ses-V1');
    await mkdir(join(session, 'eeg'), { recursive: true });
    await mkdir(join(session, 'meg'), { recursive: true });
    await writeFile(
      join(src, 'dataset_description.json'),
      JSON.stringify({ Name: 'formats', BIDSVersion: '1.8.0' }),
    );
    // Original names: EEGLAB's .set names its .fdt inside, so renaming would need rewriting the MAT-file.
    const copies: [string, string][] = [
      ['edf/test.bdf', 'eeg/test.bdf'],
      ['eeglab/test_raw.set', 'eeg/test_raw.set'],
      ['eeglab/test_raw.fdt', 'eeg/test_raw.fdt'],
      ['cnt/scan41_short.cnt', 'eeg/scan41_short.cnt'],
      ['kit/test.sqd', 'meg/test.sqd'],
      ['fif/test_ctf_comp_raw.fif', 'meg/test_ctf_comp_raw.fif'],
      ['fif/test-ave.fif.gz', 'meg/test-ave.fif.gz'],
    ];
    for (const [from, to] of copies) await cp(testDataPath(from), join(session, to));
    const ds = 'ctf/testdata_ctf_short_discontinuous.ds';
    await cp(testDataPath(ds), join(session, 'meg', 'testdata_ctf_short_discontinuous.ds'), {
      recursive: true,
    });
    await packTarGz(src, join(dir, 'formats.tar.gz'));
    await mkdir(join(dir, 'scratch'));
    const report = await checkArchive(join(dir, 'formats.tar.gz'), TARGET, {
      scratchDir: join(dir, 'scratch'),
    });
    expect(report.errors).toEqual([]);
    expect(report.ok).toBe(true);
    const expected = [
      ...copies.filter(([f]) => !f.endsWith('.fdt')),
      [ds, 'meg/testdata_ctf_short_discontinuous.ds'],
    ];
    expect(report.recordings).toHaveLength(expected.length);
    for (const [from, to] of expected) {
      const info = await originalInfo(testDataPath(from ?? ''));
      expect(report.recordings.find((r) => r.path === `sub-MTL001/ses-V1/${to}`)).toEqual({
        path: `sub-MTL001/ses-V1/${to}`,
        format: info.format,
        channels: info.channels.length + info.excluded.length,
        samplingRate: info.sfreq,
        durationSeconds: info.nSamples / info.sfreq,
        events: info.events.length,
      });
    }
    // No sidecars in this session: each recording says so, as a warning.
    expect(new Set(report.lines.filter((l) => l.level === 'warning').map((l) => l.code))).toEqual(
      new Set(['missing_channels_tsv', 'missing_sidecar']),
    );
  });

  it('gives the same report for a folder as for that folder packed (tar.gz and zip)', async () => {
    const dir = await freshDir();
    const src = join(dir, 'src');
    await writeBidsSession(src, {
      subject: 'MTL001',
      session: 'V1',
      dropChannelRow: true,
      extraElectrode: true,
    });
    await packTarGz(src, join(dir, 'a.tar.gz'));
    await packZip(src, join(dir, 'a.zip'));
    const reports = [];
    for (const [i, run] of [
      (s: string) => checkDirectory(src, TARGET, { scratchDir: s }),
      (s: string) => checkArchive(join(dir, 'a.tar.gz'), TARGET, { scratchDir: s }),
      (s: string) => checkArchive(join(dir, 'a.zip'), TARGET, { scratchDir: s }),
    ].entries()) {
      const scratch = join(dir, `scratch${i}`);
      await mkdir(scratch);
      reports.push(await run(scratch));
    }
    const [folder, tgz, zip] = reports;
    expect(folder?.ok).toBe(false);
    expect(folder?.lines.length).toBeGreaterThan(3);
    expect(tgz).toEqual(folder);
    expect(zip).toEqual(folder);
  });
  it('never extracts a sidecar over its cap (TSV 32 MiB, JSON 4 MiB), and says which one', async () => {
    const eeg = 'sub-MTL001/ses-V1/eeg';
    const report = await checkSession({}, TARGET, 'tar.gz', async (root) => {
      const stem = join(root, eeg, 'sub-MTL001_ses-V1_task-oddball');
      const row = '0.5\t0\tstim\n';
      const rows = row.repeat(Math.ceil((MAX_SIDECAR_BYTES + 1) / row.length));
      await writeFile(`${stem}_events.tsv`, `onset\tduration\ttrial_type\n${rows}`);
      const padding = ' '.repeat(MAX_JSON_SIDECAR_BYTES);
      await writeFile(`${stem}_eeg.json`, `{"SamplingFrequency": 1000, "Padding": "${padding}"}`);
    });
    const tooLarge = report.lines.filter((l) => l.code === 'sidecar_too_large').map((l) => l.item);
    expect(tooLarge.sort()).toEqual([
      `${eeg}/sub-MTL001_ses-V1_task-oddball_eeg.json`,
      `${eeg}/sub-MTL001_ses-V1_task-oddball_events.tsv`,
    ]);
    const extracted = await readdir(join(lastScratch, eeg));
    expect(extracted).not.toContain('sub-MTL001_ses-V1_task-oddball_events.tsv');
    expect(extracted).not.toContain('sub-MTL001_ses-V1_task-oddball_eeg.json');
    expect(extracted).toContain('sub-MTL001_ses-V1_task-oddball_channels.tsv');
  });

  it('quotes and shortens the file names of the archive in its messages', async () => {
    const name = `sub-MTL001_ses-V1_space-${'L'.repeat(210)}_electrodes.tsv`;
    const report = await checkSession({}, TARGET, 'tar.gz', async (root) => {
      await writeFile(join(root, 'sub-MTL001/ses-V1/eeg', name), 'x\ty\n1\t2\n');
    });
    const lines = report.lines.filter((l) => l.code === 'invalid_electrodes_tsv');
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      expect(line.message).toMatch(/^"sub-MTL001_ses-V1_space-L+…" \(\d+ characters\) has no "name" column$/);
    }
  });

  it('refuses a session with more recordings than any real one, before opening them', async () => {
    const report = await checkSession({}, TARGET, 'tar.gz', async (root) => {
      const eeg = join(root, 'sub-MTL001/ses-V1/eeg');
      for (let i = 0; i < MAX_SESSION_RECORDINGS; i += 1)
        await writeFile(join(eeg, `sub-MTL001_ses-V1_task-copy_run-${i}_eeg.edf`), 'x');
    });
    expect(codes(report, 'error')).toEqual(['too_many_session_recordings']);
    expect(codes(report, 'info')).toEqual([]);
    expect(report.recordings).toEqual([]);
  });
});

describe('upload check: TSV sidecars', () => {
  it('reads the columns asked for, as a split of every line would', () => {
    const text = 'name\ttype\tunits\r\nFp1\tEEG\tV\n\nFp2\tEEG\n  \nCz\n';
    expect(tsvColumns(text, ['name', 'units'])).toEqual({
      values: [
        ['Fp1', 'Fp2', 'Cz'],
        ['V', '', ''],
      ],
      lines: [2, 4, 6],
    });
    expect(tsvColumns(text, ['onset'])).toBeUndefined();
    expect(tsvColumns('name', ['name'])).toEqual({ values: [[]], lines: [] });
  });

  it('holds memory proportional to what it returns, not to the cells of a row', () => {
    // One row of 32 million tabs: split('\t') would hold 32 million strings (hundreds of MB).
    const text = `name\ttype\nx${'\t'.repeat(32 * 1024 * 1024)}\n`;
    text.indexOf('\0'); // flattened now, as a file read is: the rope's copy is not the parser's
    const before = process.memoryUsage().heapUsed;
    const columns = tsvColumns(text, ['type']);
    const grown = process.memoryUsage().heapUsed - before;
    expect(columns?.values).toEqual([['']]);
    expect(grown).toBeLessThan(16 * 1024 * 1024);
  });
});

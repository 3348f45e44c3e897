/**
 * `upload --dry-run`: a BIDS session made from the shared recordings is packed and checked locally by the
 * service's own archive check (our readers), nothing is sent; a valid session exits 0, a broken recording or a
 * session that is not the target's exits 3 with the report saying why.
 */
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { UploadReport } from '../../lib/uploads/types';
import { DEFAULT_SERIES, writeDicomStudy } from '../../scripts/make-dicom-study';
import { describeWithData } from '../helpers/testdata';
import { makeBidsSession, type BidsSession } from './upload-bids';
import { runCli } from './upload-run';

const target = (pscid = 'MTL001') => [
  '--kind',
  'eeg-bids',
  '--pscid',
  pscid,
  '--candid',
  '300001',
  '--visit',
  'V1',
  '--dry-run',
];

describeWithData('upload --dry-run', () => {
  let tmp: string;
  let env: Record<string, string>;
  let session: BidsSession;

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'loris-ephys-cli-dryrun-'));
    env = { XDG_CONFIG_HOME: join(tmp, 'config'), XDG_CACHE_HOME: join(tmp, 'cache') };
    session = await makeBidsSession(join(tmp, 'valid'), 'MTL001', 'V1');
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  const packs = (): string[] => {
    const dir = join(tmp, 'cache', 'loris-ephys', 'packs');
    return existsSync(dir) ? readdirSync(dir).flatMap((d) => readdirSync(join(dir, d))) : [];
  };

  it('checks a valid session with our readers, sends nothing and exits 0', async () => {
    const result = await runCli(['upload', session.root, ...target(), '--json'], env);
    expect(result.stderr).toContain('packed');
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as UploadReport;
    expect(report).toMatchObject({ kind: 'eeg-bids', ok: true, errors: [] });
    expect(report.recordings).toHaveLength(1);
    expect(report.recordings[0]).toMatchObject({ channels: session.channels, samplingRate: 512 });
    // The packed archive is not left in the cache.
    expect(packs()).toEqual([]);
  });

  it('prints the report as text by default', async () => {
    const result = await runCli(['upload', session.root, ...target()], env);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^report: ok; /);
    expect(result.stdout).toContain('recording sub-MTL001/ses-V1/eeg/sub-MTL001_ses-V1_task-rest_eeg.edf');
  });

  it('checks an archive file as it is', async () => {
    // The archive a first (kept) packing makes, checked as a file.
    const { packDirectory } = await import('../../cli/upload/pack');
    const packed = await packDirectory(session.root, 'MTL001_300001_V1_bids.tar.gz', join(tmp, 'own-cache'));
    const result = await runCli(['upload', packed.path, ...target(), '--json'], env);
    expect(result.code).toBe(0);
    expect((JSON.parse(result.stdout) as UploadReport).ok).toBe(true);
  });

  it('a truncated recording is an error of the report: exit 3', async () => {
    const broken = await makeBidsSession(join(tmp, 'broken'), 'MTL001', 'V1');
    truncateSync(broken.recording, 4000);
    const result = await runCli(['upload', broken.root, ...target(), '--json'], env);
    expect(result.code).toBe(3);
    const report = JSON.parse(result.stdout) as UploadReport;
    expect(report.ok).toBe(false);
    const lines = report.lines.filter((l) => l.level === 'error');
    expect(lines.some((l) => l.item.endsWith('_eeg.edf'))).toBe(true);
  });

  it('a channels.tsv that disagrees with the recording is reported', async () => {
    const mismatched = await makeBidsSession(join(tmp, 'mismatched'), 'MTL001', 'V1');
    const tsv = mismatched.recording.replace('_eeg.edf', '_channels.tsv');
    const rows = readFileSync(tsv, 'utf8').trimEnd().split('\n');
    writeFileSync(tsv, rows.slice(0, -5).join('\n') + '\n');
    const result = await runCli(['upload', mismatched.root, ...target(), '--json'], env);
    const report = JSON.parse(result.stdout) as UploadReport;
    expect(report.lines.some((l) => l.item.endsWith('_channels.tsv') && l.level !== 'info')).toBe(true);
    expect(result.code).toBe(report.ok ? 0 : 3);
  });

  it('a session of another candidate than --pscid is refused: exit 3', async () => {
    const result = await runCli(['upload', session.root, ...target('MTL999')], env);
    expect(result.code).toBe(3);
    expect(result.stdout).toMatch(/^report: errors; /);
    expect(result.stdout).toContain('error');
  });

  it('packs a DICOM study folder into {PSCID}_{CandID}_{Visit}.tar.gz and reads its series', async () => {
    const study = join(tmp, 'study');
    await writeDicomStudy(study, { patientName: 'MTL001_300001_V1', series: DEFAULT_SERIES });
    const dicom = [
      '--kind',
      'dicom',
      '--pscid',
      'MTL001',
      '--candid',
      '300001',
      '--visit',
      'V1',
      '--dry-run',
    ];
    const result = await runCli(['upload', study, ...dicom, '--json'], env);
    expect(result.stderr).toContain('/MTL001_300001_V1.tar.gz');
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as UploadReport;
    expect(report).toMatchObject({ kind: 'dicom', ok: true });
    expect(report.series).toHaveLength(DEFAULT_SERIES.length);
    // Another candidate's PatientName is an error of the report.
    const other = await runCli(['upload', study, ...dicom.map((a) => (a === 'MTL001' ? 'MTL002' : a))], env);
    expect(other.code).toBe(3);
    expect(other.stdout).toMatch(/^report: errors; /);
  });
});

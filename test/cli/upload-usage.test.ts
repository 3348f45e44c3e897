/**
 * The command line itself: `--help` on every command (exit 0, usage on stdout), usage errors (exit 2) before any
 * network or disk work, and the existing commands still doing their job with the new parser.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './upload-run';

const COMMANDS = ['info', 'sensors', 'read', 'topomap', 'make-demo', 'upload'];

let tmp: string;
let edf: string;
let env: Record<string, string>;

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'loris-ephys-cli-usage-'));
  env = { XDG_CONFIG_HOME: join(tmp, 'config'), XDG_CACHE_HOME: join(tmp, 'cache') };
  const made = await runCli(['make-demo', join(tmp, 'demo')]);
  expect(made.code).toBe(0);
  edf = join(tmp, 'demo', 'sub-demo', 'ses-01', 'eeg', 'sub-demo_ses-01_task-oddball_eeg.edf');
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('--help', () => {
  it.each(COMMANDS)('%s --help prints its usage on stdout and exits 0', async (name) => {
    for (const flag of ['--help', '-h']) {
      const result = await runCli([name, flag]);
      expect(result).toMatchObject({ code: 0, stderr: '' });
      expect(result.stdout.startsWith(`Usage: loris-ephys ${name}`)).toBe(true);
      expect(result.stdout).toContain('-h, --help');
    }
  });

  it('topomap --help wins over the rest of the line (it used to fail with "--help needs a value")', async () => {
    const result = await runCli(['topomap', 'x.edf', '--t', '1', '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('-o, --output FILE');
    expect(result.stdout).toContain('interp');
  });

  it('the top-level help lists every command, upload included', async () => {
    const result = await runCli(['--help']);
    expect(result.code).toBe(0);
    for (const name of COMMANDS) expect(result.stdout).toContain(`  ${name} `);
  });
});

describe('usage errors exit 2 with a message on stderr', () => {
  const cases: [string, string[], RegExp][] = [
    ['info without a path', ['info'], /exactly one recording path/],
    ['an unknown option', ['sensors', 'x.edf', '--bogus', '1'], /Unknown option '--bogus'/],
    ['an option without its value', ['read', 'x.edf', '--tmin'], /argument missing/],
    ['topomap without -o', ['topomap', 'x.edf', '--t', '1'], /-o FILE/],
    ['make-demo without a directory', ['make-demo'], /usage: make-demo <dir>/],
    ['upload without a path', ['upload'], /exactly one file or directory/],
    ['upload without --loris', ['upload', '__DIR__', '--kind', 'dicom', '--phantom'], /--loris/],
    [
      'upload to plain http on another host',
      ['upload', '__DIR__', '--loris', 'http://loris.example.org', '--kind', 'dicom', '--phantom'],
      /https/,
    ],
    [
      'an unknown kind',
      [
        'upload',
        '__EDF__',
        '--loris',
        'https://l.example',
        '--kind',
        'nifti',
        '--pscid',
        'P',
        '--candid',
        '1',
        '--visit',
        'V',
      ],
      /--kind must be one of eeg-bids, dicom/,
    ],
    [
      'a CandID that is not digits',
      [
        'upload',
        '__DIR__',
        '--loris',
        'https://l.example',
        '--kind',
        'eeg-bids',
        '--pscid',
        'P',
        '--candid',
        'x1',
        '--visit',
        'V',
      ],
      /--candid/,
    ],
    [
      'a PSCID with a path separator',
      [
        'upload',
        '__DIR__',
        '--loris',
        'https://l.example',
        '--kind',
        'eeg-bids',
        '--pscid',
        'a/b',
        '--candid',
        '1',
        '--visit',
        'V',
      ],
      /--pscid/,
    ],
    [
      'an EEG archive with the wrong name',
      [
        'upload',
        '__EDF__',
        '--loris',
        'https://l.example',
        '--kind',
        'eeg-bids',
        '--pscid',
        'MTL1',
        '--candid',
        '300001',
        '--visit',
        'V1',
      ],
      /must be named MTL1_300001_V1_bids\.tar\.gz/,
    ],
    [
      'a DICOM archive with the wrong name',
      [
        'upload',
        '__WRONG_DICOM__',
        '--loris',
        'https://l.example',
        '--kind',
        'dicom',
        '--pscid',
        'MTL1',
        '--candid',
        '300001',
        '--visit',
        'V1',
      ],
      /must be named MTL1_300001_V1\[_…\]\.zip/,
    ],
    [
      '--phantom for EEG',
      ['upload', '__DIR__', '--loris', 'https://l.example', '--kind', 'eeg-bids', '--phantom'],
      /--phantom is for --kind dicom only/,
    ],
    [
      'a chunk size that is not a size',
      [
        'upload',
        '__DIR__',
        '--loris',
        'https://l.example',
        '--kind',
        'dicom',
        '--phantom',
        '--chunk-size',
        'big',
      ],
      /not a size/,
    ],
    [
      'a chunk size below 64 KiB',
      [
        'upload',
        '__DIR__',
        '--loris',
        'https://l.example',
        '--kind',
        'dicom',
        '--phantom',
        '--chunk-size',
        '1KiB',
      ],
      /between 64KiB and 1GiB/,
    ],
    [
      'a missing file',
      ['upload', '/nonexistent/x_bids.tar.gz', '--loris', 'https://l.example', '--kind', 'eeg-bids'],
      /no such file or directory/,
    ],
    [
      'no password and no terminal',
      ['upload', '__DIR__', '--loris', 'http://127.0.0.1:9', '--kind', 'dicom', '--phantom', '--user', 'u'],
      /set LORIS_PASSWORD/,
    ],
  ];

  it.each(cases)('%s', async (_name, args, message) => {
    const wrongDicom = join(tmp, 'scan.zip');
    writeFileSync(wrongDicom, 'not really a zip');
    const substituted = args.map((a) =>
      a === '__EDF__' ? edf : a === '__DIR__' ? join(tmp, 'demo') : a === '__WRONG_DICOM__' ? wrongDicom : a,
    );
    const result = await runCli(substituted, env);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(message);
    // Nothing was packed: usage errors come before any work.
    expect(existsSync(join(tmp, 'cache', 'loris-ephys', 'packs'))).toBe(false);
  });
});

describe('the existing commands with the new parser', () => {
  it('info describes the demo recording', async () => {
    const result = await runCli(['info', edf]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ sfreq: 256 });
  });

  it('read takes negative times as values (--tmin -1) and an = form', async () => {
    const spaced = await runCli(['read', edf, '--tmin', '-1', '--tmax', '0.05', '--picks', 'Cz,Pz']);
    expect(spaced.code).toBe(0);
    const parsed = JSON.parse(spaced.stdout) as { channels: string[]; data: number[][]; firstTime: number };
    expect(parsed.channels).toEqual(['Cz', 'Pz']);
    expect(parsed.firstTime).toBe(0);
    expect(parsed.data[0]).toHaveLength(13);
    const inline = await runCli(['read', edf, '--tmin=-1', '--tmax=0.05', '--picks=Cz,Pz']);
    expect(inline.stdout).toBe(spaced.stdout);
  });

  it('sensors checks --frame', async () => {
    expect((await runCli(['sensors', edf, '--frame', 'device'])).code).toBe(0);
    const bad = await runCli(['sensors', edf, '--frame', 'sideways']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--frame must be head or device');
  });

  it('topomap writes a PNG with -o, and route options are checked by the route schema', async () => {
    const out = join(tmp, 'map.png');
    const result = await runCli(['topomap', edf, '--t', '1', '--size', '64', '-o', out]);
    expect(result.code).toBe(0);
    expect(readFileSync(out).subarray(1, 4).toString()).toBe('PNG');
    const bad = await runCli(['topomap', edf, '--t', '1', '--size', '3', '-o', out]);
    expect(bad.code).toBe(2);
  });

  it('an unreadable recording still exits 3', async () => {
    const junk = join(tmp, 'junk.edf');
    writeFileSync(junk, 'not an EDF file at all');
    expect((await runCli(['info', junk])).code).toBe(3);
  });
});

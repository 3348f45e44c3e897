/**
 * The seed corpus: every real recording in the shared test data, grouped by format, as in-memory file maps
 * under a virtual root, with the files a case may mutate and their known header fields. Compressed
 * containers (.fif.gz, compressed MAT elements) are also offered decompressed, so mutations reach the
 * structures inside them and not only the compression layer.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { gunzipSync, inflateSync } from 'node:zlib';
import { writeEdf } from '../../cli/edf-writer';
import { testDataPath } from '../../test/helpers/testdata';
import { attackCorpus } from './attacks';
import { cntFields, edfFields, fifFields, kitFields, matFields, res4Fields, type Field } from './fields';
import type { MutationTarget } from './mutate';

export const FUZZ_FORMATS = [
  'fif',
  'ctf',
  'edf',
  'bdf',
  'brainvision',
  'eeglab',
  'kit',
  'cnt',
  'eeglab-v73',
  'attacks',
] as const;
export type FuzzFormat = (typeof FUZZ_FORMATS)[number];

export const VIRTUAL_ROOT = '/fuzz';

export interface MutableFile {
  path: string;
  weight: number;
  target: MutationTarget;
}

export interface SeedRecording {
  name: string;
  /** The path openRecording is given (a file, or a CTF .ds folder). */
  path: string;
  files: Map<string, Uint8Array>;
  mutable: MutableFile[];
  weight: number;
}

const read = (...parts: string[]): Uint8Array => new Uint8Array(readFileSync(testDataPath(...parts)));
const virtual = (...parts: string[]): string => join(VIRTUAL_ROOT, ...parts);

function target(bytes: Uint8Array, headerBytes: number, fields: Field[] = [], text = false): MutationTarget {
  return { bytes, headerBytes, fields, text };
}

/** One-file recording. */
function single(name: string, bytes: Uint8Array, t: MutationTarget, weight = 1): SeedRecording {
  const path = virtual(name);
  return { name, path, files: new Map([[path, bytes]]), mutable: [{ path, weight: 1, target: t }], weight };
}

/** MAT v5 with every miCOMPRESSED element replaced by the element it holds (a valid, uncompressed MAT file). */
export function uncompressMat(bytes: Uint8Array): Uint8Array {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const parts: Uint8Array[] = [bytes.subarray(0, 128)];
  let pos = 128;
  while (pos + 8 <= bytes.length) {
    const type = dv.getUint32(pos, true);
    const size = dv.getUint32(pos + 4, true);
    const data = bytes.subarray(pos + 8, pos + 8 + size);
    if (type === 15) parts.push(new Uint8Array(inflateSync(data)));
    else parts.push(bytes.subarray(pos, pos + 8 + size + ((8 - (size % 8)) % 8)));
    pos += 8 + size + (type === 15 ? 0 : (8 - (size % 8)) % 8);
  }
  return new Uint8Array(Buffer.concat(parts));
}

function fifCorpus(): SeedRecording[] {
  const plain = (name: string, weight: number, ...parts: string[]): SeedRecording => {
    const bytes = read(...parts);
    return single(name, bytes, target(bytes, 65536, fifFields(bytes)), weight);
  };
  const gz = read('fif', 'test-ave.fif.gz');
  const ave = new Uint8Array(gunzipSync(gz));
  return [
    plain('sim_vectorview_raw.fif', 2, 'fif', 'sim_vectorview_raw.fif'),
    plain('test_ctf_comp_raw.fif', 2, 'fif', 'test_ctf_comp_raw.fif'),
    plain('brainvision_test_bin_raw.fif', 1, 'fif', 'brainvision_test_bin_raw.fif'),
    plain(
      'testdata_ctf_short_discontinuous.ds_raw.fif',
      1,
      'ctf',
      'testdata_ctf_short_discontinuous.ds_raw.fif',
    ),
    single('test-ave.fif', ave, target(ave, 65536, fifFields(ave)), 2),
    single('test-ave.fif.gz', gz, target(gz, 4096), 1),
  ];
}

function ctfCorpus(): SeedRecording[] {
  const name = 'testdata_ctf_short_discontinuous.ds';
  const dir = testDataPath('ctf', name);
  const path = virtual(name);
  const files = new Map(
    readdirSync(dir).map((f) => [join(path, f), new Uint8Array(readFileSync(join(dir, f)))]),
  );
  const file = (ext: string): [string, Uint8Array] => {
    const p = join(path, `testdata_ctf_short_discontinuous.${ext}`);
    return [p, files.get(p) as Uint8Array];
  };
  const [res4Path, res4] = file('res4');
  const [meg4Path, meg4] = file('meg4');
  const [hcPath, hc] = file('hc');
  const [infoPath, infods] = file('infods');
  const mutable: MutableFile[] = [
    { path: res4Path, weight: 5, target: target(res4, 1844 + 2 + 356 * 32 + 8 * 1328, res4Fields(res4)) },
    {
      path: meg4Path,
      weight: 3,
      target: target(meg4, 4096, [{ at: 0, type: 'ascii', width: 8, label: 'meg4 magic' }]),
    },
    { path: hcPath, weight: 2, target: target(hc, hc.length, [], true) },
    { path: infoPath, weight: 1, target: target(infods, infods.length) },
  ];
  return [{ name, path, files, mutable, weight: 1 }];
}

const TEN_TWENTY = ['Fp1', 'Fp2', 'F3', 'F4', 'C3', 'Cz', 'C4', 'P3', 'Pz', 'P4', 'O1', 'O2'];

/**
 * A generated EDF+ with 10-20 names (issue 16: no shared EDF file has names that place its channels without a
 * guess, so without it no EDF case would reach the map).
 */
function tenTwentyEdf(): Uint8Array {
  const sfreq = 128;
  const data = TEN_TWENTY.map((_, c) =>
    Float64Array.from({ length: sfreq * 4 }, (_, s) => 50 * Math.sin((2 * Math.PI * (s + 11 * c)) / 53)),
  );
  return writeEdf(
    TEN_TWENTY.map((label) => ({ label, unit: 'uV', physMax: 500 })),
    data,
    sfreq,
    [{ onset: 1, duration: 0.5, text: 'stim' }],
  );
}

function edfCorpus(extension: 'edf' | 'bdf'): SeedRecording[] {
  const names = readdirSync(testDataPath('edf'))
    .filter((f) => f.endsWith(`.${extension}`))
    .sort();
  const seeds = names.map((name) => ({ name, bytes: read('edf', name) }));
  if (extension === 'edf') seeds.push({ name: 'generated_1020.edf', bytes: tenTwentyEdf() });
  return seeds.map(({ name, bytes }) => {
    const ns = Number.parseInt(String.fromCharCode(...bytes.subarray(252, 256)).trim(), 10) || 0;
    return single(name, bytes, target(bytes, 256 * (ns + 1), edfFields(bytes)));
  });
}

function brainVisionCorpus(): SeedRecording[] {
  const dir = testDataPath('brainvision');
  const all = new Map(readdirSync(dir).map((f) => [virtual(f), new Uint8Array(readFileSync(join(dir, f)))]));
  const headers = [...all.keys()].filter((p) => p.endsWith('.vhdr')).sort();
  return headers.map((path) => {
    const stem = path.startsWith(virtual('test_old_layout'))
      ? virtual('test_old_layout_latin1_software_filter')
      : virtual('test');
    const files = new Map(
      [...all].filter(([p]) => p === path || p === `${stem}.eeg` || p === `${stem}.vmrk`),
    );
    const text = (p: string): Uint8Array => files.get(p) as Uint8Array;
    const eeg = text(`${stem}.eeg`);
    const mutable: MutableFile[] = [
      { path, weight: 4, target: target(text(path), text(path).length, [], true) },
      { path: `${stem}.vmrk`, weight: 2, target: target(text(`${stem}.vmrk`), 1024, [], true) },
      { path: `${stem}.eeg`, weight: 1, target: target(eeg, 1024) },
    ];
    return { name: basename(path), path, files, mutable, weight: basename(path) === 'test.vhdr' ? 2 : 1 };
  });
}

function eeglabCorpus(): SeedRecording[] {
  const recordings: SeedRecording[] = [];
  for (const stem of ['test_raw', 'test_raw_chanloc', 'test_raw_2021', 'test_epochs']) {
    const set = read('eeglab', `${stem}.set`);
    const plain = uncompressMat(set);
    let fdt: Uint8Array | null = null;
    try {
      fdt = read('eeglab', `${stem}.fdt`);
    } catch {
      fdt = null;
    }
    for (const [variant, bytes, weight] of [
      ['uncompressed', plain, 3],
      ['original', set, 1],
    ] as const) {
      const path = virtual(variant, `${stem}.set`);
      const files = new Map([[path, bytes]]);
      const mutable: MutableFile[] = [{ path, weight: 4, target: target(bytes, 4096, matFields(bytes)) }];
      if (fdt) {
        files.set(virtual(variant, `${stem}.fdt`), fdt);
        mutable.push({ path: virtual(variant, `${stem}.fdt`), weight: 1, target: target(fdt, 1024) });
      }
      recordings.push({ name: `${stem}.set (${variant})`, path, files, mutable, weight });
    }
  }
  return recordings;
}

/** The MATLAB v7.3 (HDF5) .set, read by h5wasm in a worker thread: seconds per open, so fuzzed apart. */
function eeglabV73Corpus(): SeedRecording[] {
  const h5 = read('eeglab', 'test_raw_h5.set');
  const recording = single('test_raw_h5.set', h5, target(h5, 4096));
  // Its EEG.data names test_raw.fdt (the samples of test_raw.set).
  recording.files.set(virtual('test_raw.fdt'), read('eeglab', 'test_raw.fdt'));
  return [recording];
}

function kitCorpus(): SeedRecording[] {
  const sqd = read('kit', 'test.sqd');
  const marker = read('kit', 'test_mrk.sqd');
  return [
    single('test.sqd', sqd, target(sqd, 65536, kitFields(sqd)), 4),
    single('test_mrk.sqd', marker, target(marker, 65536, kitFields(marker)), 1),
  ];
}

/** The two Neuroscan recordings of the shared data (16-bit multiplexed, event tables of type 2). */
function cntCorpus(): SeedRecording[] {
  return ['scan41_short.cnt', 'test_CNT_events_mne_JWoess_clipped.cnt'].map((name) => {
    const bytes = read('cnt', name);
    const headerBytes = Math.min(900 + 75 * ((bytes[370] ?? 0) | ((bytes[371] ?? 0) << 8)), bytes.length);
    return single(name, bytes, target(bytes, headerBytes, cntFields(bytes)));
  });
}

/** The seed recordings of one format (read from the shared test data; `attacks` built in memory). */
export function loadCorpus(format: FuzzFormat): SeedRecording[] {
  switch (format) {
    case 'fif':
      return fifCorpus();
    case 'ctf':
      return ctfCorpus();
    case 'edf':
    case 'bdf':
      return edfCorpus(format);
    case 'brainvision':
      return brainVisionCorpus();
    case 'eeglab':
      return eeglabCorpus();
    case 'kit':
      return kitCorpus();
    case 'cnt':
      return cntCorpus();
    case 'eeglab-v73':
      return eeglabV73Corpus();
    case 'attacks':
      return attackCorpus();
  }
}

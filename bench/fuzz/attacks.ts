/**
 * The `attacks` seed corpus (issue 17): the crafted files of the security review, built in memory when the
 * corpus loads (no fixture is committed) and then mutated by the ordinary engine, so variants of each attack
 * (other sizes, trailers, counts, truncations, edited header lines) are tried too:
 * - .fif.gz gzip bombs: 256 MiB of zeros with an honest trailer, the same with a lying one (4 KiB, 2^32 − 1),
 *   and 120 MiB, just under the 128 MiB decoded-size budget (inflated and then parsed);
 * - MAT v5 .set: struct field-name bombs (100 M one-byte names, 1 M 64-byte names) and a cell of 10 M values,
 *   compressed as MATLAB writes them, plus small uncompressed ones whose counts and sizes the mutator edits;
 * - MATLAB v7.3 .set: HDF5 EEG.data declaring 2 GiB of gzip-compressed zeros, and one of 2 MiB (within the
 *   budget, so read: the HDF5 worker's full path);
 * - BrainVision: 70 KB adversarial numbers in SamplingInterval, a resolution, a coordinate, a marker position;
 *   a header of 5 000 duplicate channel-name pairs;
 * - EDF: 4 999 duplicate label pairs and 9 998 copies of one label (the reader's 10 000-signal cap).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeEdf } from '../../cli/edf-writer';
import { matCellBomb, matFieldNameBomb, writeHdf5BombSet } from '../../test/helpers/crafted-files';
import type { MutableFile, SeedRecording } from './corpus';
import { edfFields, matFields, type Field } from './fields';
import { gzipOfZerosSync } from './gzip-bomb';
import type { MutationTarget } from './mutate';

const ROOT = '/fuzz/attacks';
const MiB = 2 ** 20;
const latin1 = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'latin1'));
const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

function seed(
  name: string,
  bytes: Uint8Array,
  t: Omit<MutationTarget, 'bytes'>,
  weight: number,
): SeedRecording {
  const path = join(ROOT, name);
  const mutable: MutableFile[] = [{ path, weight: 1, target: { bytes, ...t } }];
  return { name, path, files: new Map([[path, bytes]]), mutable, weight };
}

// ---- gzip ----

/** The gzip header's flags and the trailer's CRC-32 and ISIZE. */
function gzipFields(b: Uint8Array): Field[] {
  return [
    { at: 3, type: 'u8', label: 'gzip FLG' },
    { at: b.length - 8, type: 'u32le', width: 4, label: 'gzip CRC32' },
    { at: b.length - 4, type: 'u32le', width: 4, label: 'gzip ISIZE' },
  ];
}

function gzipSeeds(): SeedRecording[] {
  const bomb = (name: string, mib: number, trailer: number | undefined, weight: number): SeedRecording => {
    const bytes = gzipOfZerosSync(mib, trailer);
    return seed(name, bytes, { headerBytes: 4096, fields: gzipFields(bytes), text: false }, weight);
  };
  return [
    bomb('honest_raw.fif.gz', 256, undefined, 2),
    bomb('lying_raw.fif.gz', 256, 4096, 2),
    bomb('lying_max_raw.fif.gz', 256, 0xffffffff, 1),
    bomb('under_budget_raw.fif.gz', 120, undefined, 1),
  ];
}

// ---- MAT v5 ----

/** The compressed element's tag (type, size) at the start of the first variable. */
const COMPRESSED_FIELDS: Field[] = [
  { at: 128, type: 'u32le', label: 'element type' },
  { at: 132, type: 'u32le', label: 'element size' },
];

/** A plain struct bomb: the matrix fields, then the field-name length and the names' tag size. */
function structBombFields(b: Uint8Array): Field[] {
  const fields = matFields(b);
  // After flags (136), dims (152, two int32) and the name 'EEG' (168): the name length (184) and names (192).
  fields.push({ at: 188, type: 'i32le', label: 'field name length' });
  fields.push({ at: 196, type: 'u32le', label: 'field names size' });
  return fields;
}

function matSeeds(): SeedRecording[] {
  const binary = (fields: Field[]): Omit<MutationTarget, 'bytes'> => ({
    headerBytes: 512,
    fields,
    text: false,
  });
  const plainNames = matFieldNameBomb(5000, 32, false);
  const plainCells = matCellBomb(100_000, false);
  return [
    seed('field-names.set', matFieldNameBomb(100 * MiB, 1), binary(COMPRESSED_FIELDS), 2),
    seed('long-field-names.set', matFieldNameBomb(1_000_000, 64), binary(COMPRESSED_FIELDS), 1),
    seed('cells.set', matCellBomb(10_000_000), binary(COMPRESSED_FIELDS), 2),
    seed('plain-field-names.set', plainNames, binary(structBombFields(plainNames)), 2),
    seed('plain-cells.set', plainCells, binary(matFields(plainCells)), 1),
  ];
}

// ---- MATLAB v7.3 (HDF5) ----

/** HDF5 bombs are written by h5wasm in a child process (writeHdf5BombSet) and read back once. */
function hdf5Seeds(): SeedRecording[] {
  const dir = mkdtempSync(join(tmpdir(), 'loris-ephys-fuzz-attacks-'));
  try {
    const bomb = (name: string, side: number, weight: number): SeedRecording => {
      const file = join(dir, name);
      writeHdf5BombSet(file, side);
      const bytes = new Uint8Array(readFileSync(file));
      return seed(name, bytes, { headerBytes: 4096, fields: [], text: false }, weight);
    };
    return [bomb('hdf5-bomb.set', 16384, 2), bomb('hdf5-2mib.set', 512, 1)];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---- BrainVision ----

/** 70 KB values shaped against number scanners: long digit runs ending badly, after a point, in an exponent. */
const LONG_VALUES = [
  `${'1'.repeat(70_000)}x`,
  `1.${'1'.repeat(70_000)}x`,
  `1e${'1'.repeat(70_000)}`,
  `${'+-.'.repeat(23_334)}`,
] as const;

interface VhdrParts {
  samplingInterval?: string;
  resolution?: string;
  coordinate?: string;
  channels?: readonly string[];
}

function vhdr(stem: string, p: VhdrParts): string {
  const names = p.channels ?? ['Fz', 'Cz', 'Pz'];
  return [
    'Brain Vision Data Exchange Header File Version 1.0',
    '[Common Infos]',
    `DataFile=${stem}.eeg`,
    `MarkerFile=${stem}.vmrk`,
    'DataFormat=BINARY',
    'DataOrientation=MULTIPLEXED',
    `NumberOfChannels=${names.length}`,
    `SamplingInterval=${p.samplingInterval ?? '1000'}`,
    '[Binary Infos]',
    'BinaryFormat=INT_16',
    '[Channel Infos]',
    ...names.map((n, i) => `Ch${i + 1}=${n},,${i === 0 ? (p.resolution ?? '0.1') : '0.1'},µV`),
    ...(p.coordinate ? ['[Coordinates]', `Ch1=${p.coordinate}`] : []),
    '',
  ].join('\n');
}

function vmrk(stem: string, position = '1'): string {
  return [
    'Brain Vision Data Exchange Marker File, Version 1.0',
    '[Common Infos]',
    `DataFile=${stem}.eeg`,
    '[Marker Infos]',
    `Mk1=Stimulus,S  1,${position},1,0`,
    '',
  ].join('\n');
}

/** A header, its markers and 4 samples of every channel; the header (and the markers) mutated as text. */
function bvSeed(stem: string, header: VhdrParts, weight: number, markerPosition?: string): SeedRecording {
  const path = join(ROOT, `${stem}.vhdr`);
  const channels = header.channels?.length ?? 3;
  const head = utf8(vhdr(stem, header));
  const markers = latin1(vmrk(stem, markerPosition));
  const text = (bytes: Uint8Array): MutationTarget => ({
    bytes,
    headerBytes: bytes.length,
    fields: [],
    text: true,
  });
  const files = new Map<string, Uint8Array>([
    [path, head],
    [join(ROOT, `${stem}.vmrk`), markers],
    [join(ROOT, `${stem}.eeg`), new Uint8Array(channels * 4 * 2)],
  ]);
  const mutable: MutableFile[] = [
    { path, weight: 4, target: text(head) },
    { path: join(ROOT, `${stem}.vmrk`), weight: markerPosition ? 4 : 1, target: text(markers) },
  ];
  return { name: `${stem}.vhdr`, path, files, mutable, weight };
}

function brainVisionSeeds(): SeedRecording[] {
  const long = (i: number): string => LONG_VALUES[i % LONG_VALUES.length] as string;
  const pairs = Array.from({ length: 5000 }, (_, i) => [`E${i}`, `E${i}`]).flat();
  return [
    ...LONG_VALUES.map((_, i) => bvSeed(`long-interval-${i}`, { samplingInterval: long(i) }, 1)),
    ...LONG_VALUES.map((_, i) => bvSeed(`long-resolution-${i}`, { resolution: long(i) }, 1)),
    bvSeed('long-coordinate', { coordinate: `1,${long(0)},0` }, 1),
    bvSeed('long-coordinate-phi', { coordinate: `1,90,${long(1)}` }, 1),
    bvSeed('long-marker', {}, 1, long(0)),
    bvSeed('duplicate-pairs', { channels: pairs }, 3),
  ];
}

// ---- EDF ----

/** One-second EDF+ (1 Hz, so one sample per channel) with these labels, its header mutated by field. */
function edfSeed(name: string, labels: readonly string[], weight: number): SeedRecording {
  const channels = labels.map((label) => ({ label, unit: 'uV', physMax: 500 }));
  const bytes = writeEdf(
    channels,
    labels.map(() => new Float64Array(1)),
    1,
  );
  const headerBytes = 256 * (labels.length + 2);
  return seed(name, bytes, { headerBytes, fields: edfFields(bytes), text: false }, weight);
}

function edfSeeds(): SeedRecording[] {
  // 10 000 signals at most: 9 998 data channels and the annotation signal.
  const pairs = Array.from({ length: 4999 }, (_, i) => [`E${i}`, `E${i}`]).flat();
  return [edfSeed('duplicate-pairs.edf', pairs, 2), edfSeed('one-label.edf', new Array(9998).fill('Fz'), 1)];
}

/** Every attack seed. */
export function attackCorpus(): SeedRecording[] {
  return [...gzipSeeds(), ...matSeeds(), ...hdf5Seeds(), ...brainVisionSeeds(), ...edfSeeds()];
}

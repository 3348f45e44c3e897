/**
 * Writes a 64-channel, 1 kHz, one-hour recording twice, as EDF+ (1 s records, with an "EDF Annotations" signal)
 * and as BrainVision (INT_16 multiplexed, 0.1 µV resolution, .vmrk markers), for the scale benchmark
 * (bench/long-window.bench.ts). Nothing here is committed data; the files go to a temporary folder.
 *   npx esbuild scripts/make-long-recording.ts --bundle --platform=node --outfile=/tmp/make-long.js
 *   node /tmp/make-long.js [OUT_DIR]      (default: $TMPDIR/loris-long-recording)
 * LONG_SECONDS sets the length (default 3600: 461 MB per format; 20000 gives a 2.56 GB EDF for the memory
 * benchmark, bench/memory.ts); LONG_FORMATS=edf skips the BrainVision copy.
 */
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const N_CHANNELS = 64;
const SFREQ = 1000;
const SECONDS = Number(process.env.LONG_SECONDS ?? 3600);
const TAL_SAMPLES = 60; // 120 bytes of annotations per record
const MARKER_EVERY = 10; // seconds

/** Deterministic int16 test signal: a channel-specific sine plus a slow ramp. */
function sample(channel: number, t: number): number {
  const v =
    2000 * Math.sin(2 * Math.PI * (1 + channel / 8) * (t / SFREQ)) + ((t * 7 + channel * 131) % 401) - 200;
  return Math.round(v);
}

const ascii = (text: string, width: number): string => text.padEnd(width, ' ').slice(0, width);

function edfHeader(): Buffer {
  const ns = N_CHANNELS + 1;
  const labels = [
    ...Array.from({ length: N_CHANNELS }, (_, c) => `EEG${String(c + 1).padStart(3, '0')}`),
    'EDF Annotations',
  ];
  const perSignal = (f: (i: number) => string, width: number): string =>
    labels.map((_, i) => ascii(f(i), width)).join('');
  const isTal = (i: number): boolean => i === N_CHANNELS;
  const fixed =
    ascii('0', 8) +
    ascii('X X X long-test', 80) +
    ascii('Startdate 01-JAN-2024 X X generator', 80) +
    '01.01.24' +
    '10.00.00' +
    ascii(String(256 * (ns + 1)), 8) +
    ascii('EDF+C', 44) +
    ascii(String(SECONDS), 8) +
    ascii('1', 8) +
    ascii(String(ns), 4);
  const signals =
    perSignal((i) => labels[i] ?? '', 16) +
    perSignal(() => '', 80) +
    perSignal((i) => (isTal(i) ? '' : 'uV'), 8) +
    perSignal((i) => (isTal(i) ? '-1' : '-3276.8'), 8) +
    perSignal((i) => (isTal(i) ? '1' : '3276.7'), 8) +
    perSignal(() => '-32768', 8) +
    perSignal(() => '32767', 8) +
    perSignal(() => '', 80) +
    perSignal((i) => String(isTal(i) ? TAL_SAMPLES : SFREQ), 8) +
    perSignal(() => '', 32);
  return Buffer.from(fixed + signals, 'latin1');
}

function talBytes(second: number): Buffer {
  let text = `+${second}\x14\x14\x00`;
  if (second % MARKER_EVERY === 0) text += `+${second}.5\x150.2\x14stimulus\x14\x00`;
  const out = Buffer.alloc(TAL_SAMPLES * 2);
  out.write(text, 'latin1');
  return out;
}

function writeEdf(path: string): void {
  const fd = openSync(path, 'w');
  writeSync(fd, edfHeader());
  const record = Buffer.alloc(N_CHANNELS * SFREQ * 2);
  for (let r = 0; r < SECONDS; r++) {
    for (let c = 0; c < N_CHANNELS; c++) {
      for (let s = 0; s < SFREQ; s++) record.writeInt16LE(sample(c, r * SFREQ + s), (c * SFREQ + s) * 2);
    }
    writeSync(fd, record);
    writeSync(fd, talBytes(r));
  }
  closeSync(fd);
}

function writeBrainVision(dir: string): void {
  const channels = Array.from(
    { length: N_CHANNELS },
    (_, c) => `Ch${c + 1}=EEG${String(c + 1).padStart(3, '0')},,0.1,µV`,
  );
  const vhdr = [
    'Brain Vision Data Exchange Header File Version 1.0',
    '',
    '[Common Infos]',
    'Codepage=UTF-8',
    'DataFile=long.eeg',
    'MarkerFile=long.vmrk',
    'DataFormat=BINARY',
    'DataOrientation=MULTIPLEXED',
    `NumberOfChannels=${N_CHANNELS}`,
    `SamplingInterval=${1e6 / SFREQ}`,
    '',
    '[Binary Infos]',
    'BinaryFormat=INT_16',
    '',
    '[Channel Infos]',
    ...channels,
    '',
  ].join('\n');
  const markers = Array.from(
    { length: SECONDS / MARKER_EVERY },
    (_, k) => `Mk${k + 2}=Stimulus,S  1,${k * MARKER_EVERY * SFREQ + 501},200,0`,
  );
  const vmrk = [
    'Brain Vision Data Exchange Marker File, Version 1.0',
    '',
    '[Common Infos]',
    'Codepage=UTF-8',
    'DataFile=long.eeg',
    '',
    '[Marker Infos]',
    'Mk1=New Segment,,1,1,0,20240101100000000000',
    ...markers,
    '',
  ].join('\n');
  const fdH = openSync(join(dir, 'long.vhdr'), 'w');
  writeSync(fdH, Buffer.from(vhdr, 'utf8'));
  closeSync(fdH);
  const fdM = openSync(join(dir, 'long.vmrk'), 'w');
  writeSync(fdM, Buffer.from(vmrk, 'utf8'));
  closeSync(fdM);
  const fd = openSync(join(dir, 'long.eeg'), 'w');
  const second = Buffer.alloc(N_CHANNELS * SFREQ * 2);
  for (let r = 0; r < SECONDS; r++) {
    for (let s = 0; s < SFREQ; s++) {
      for (let c = 0; c < N_CHANNELS; c++)
        second.writeInt16LE(sample(c, r * SFREQ + s), (s * N_CHANNELS + c) * 2);
    }
    writeSync(fd, second);
  }
  closeSync(fd);
}

function main(): void {
  const dir = process.argv[2] ?? join(tmpdir(), 'loris-long-recording');
  mkdirSync(dir, { recursive: true });
  const t0 = Date.now();
  const formats = (process.env.LONG_FORMATS ?? 'edf,vhdr').split(',');
  if (!Number.isInteger(SECONDS) || SECONDS < 10 || SECONDS > 99_999_999)
    throw new Error('LONG_SECONDS out of range');
  if (formats.includes('edf')) writeEdf(join(dir, 'long.edf'));
  if (formats.includes('vhdr')) writeBrainVision(dir);
  console.log(
    `wrote ${join(dir, 'long.edf')} and long.vhdr/.vmrk/.eeg in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
  );
}

main();

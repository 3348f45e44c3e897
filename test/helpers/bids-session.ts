/**
 * EEG BIDS session archives for the upload check, built by code from the shared recordings (never committed):
 * the BrainVision `test` recording and `edf/test.edf`, renamed to BIDS names, with channels.tsv, electrodes.tsv,
 * events.tsv and `_eeg.json` written from what our readers return for the originals. Variants break one thing
 * each (a truncated recording, a channels.tsv row dropped, other sub/ses labels, ...).
 */
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, readdir, stat, truncate, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import * as tar from 'tar-stream';
import { ZipFile } from 'yazl';
import { openRecording, type RecordingInfo } from '../../lib/readers';
import type { RecordingEvent } from '../../lib/readers/types';
import { localFs } from '../../lib/readers/source';
import { testDataPath } from './testdata';

export interface SessionSpec {
  /** Folder labels (default: the target's PSCID and visit). */
  subject: string;
  session: string;
  /** A wrapping folder above the BIDS root ('' for none). */
  wrapper?: string;
  /** Cut the EDF recording to this many bytes (a broken recording). */
  truncateEdfTo?: number;
  /** Leave the last channel out of the BrainVision recording's channels.tsv. */
  dropChannelRow?: boolean;
  /** Add an electrode that is no channel to electrodes.tsv (a warning). */
  extraElectrode?: boolean;
  /** An events.tsv row whose onset is not a number. */
  badEventOnset?: boolean;
  /** Say 500 Hz in the BrainVision sidecar (it is 1000 Hz). */
  wrongSidecarRate?: boolean;
  /** Leave dataset_description.json out. */
  noDatasetDescription?: boolean;
}

export const ORIGINALS = {
  brainvision: testDataPath('brainvision', 'test.vhdr'),
  edf: testDataPath('edf', 'test.edf'),
};

/** What our readers return for an original recording (the truth the check must reproduce). */
/** A reader's info with its events (Recording.readEvents), as the sidecars describe them. */
export type OriginalInfo = RecordingInfo & { events: RecordingEvent[] };

export async function originalInfo(path: string): Promise<OriginalInfo> {
  const recording = await openRecording(path, localFs);
  try {
    return { ...recording.info, events: await recording.readEvents() };
  } finally {
    await recording.close();
  }
}

const tsv = (header: string[], rows: (string | number)[][]): string =>
  [header, ...rows].map((r) => r.join('\t')).join('\n') + '\n';

const channelNames = (info: RecordingInfo): string[] => [
  ...info.channels.map((c) => c.name),
  ...info.excluded.map((e) => e.name),
];

/** channels.tsv, events.tsv, electrodes.tsv and the _eeg.json of one recording, from what the reader returns. */
async function writeSidecars(
  folder: string,
  stem: string,
  info: OriginalInfo,
  spec: SessionSpec,
  isBv: boolean,
) {
  let names = channelNames(info);
  if (isBv && spec.dropChannelRow) names = names.slice(0, -1);
  const types = new Map(info.channels.map((c) => [c.name, c.type]));
  await writeFile(
    join(folder, `${stem}_channels.tsv`),
    tsv(
      ['name', 'type', 'units'],
      names.map((n) => [n, (types.get(n) ?? 'misc').toUpperCase(), 'V']),
    ),
  );
  const events = info.events.map((e) => [e.onset, e.duration, e.type || 'n/a']);
  if (isBv && spec.badEventOnset) events.push(['soon', 0, 'broken']);
  await writeFile(join(folder, `${stem}_events.tsv`), tsv(['onset', 'duration', 'trial_type'], events));
  const sidecar = {
    TaskName: 'rest',
    SamplingFrequency: isBv && spec.wrongSidecarRate ? info.sfreq / 2 : info.sfreq,
    EEGChannelCount: info.channels.filter((c) => c.type === 'eeg').length,
    PowerLineFrequency: 50,
    SoftwareFilters: 'n/a',
    EEGReference: 'n/a',
  };
  await writeFile(join(folder, `${stem}_eeg.json`), JSON.stringify(sidecar, null, 2));
}

/** electrodes.tsv of the BrainVision recording only (`acq-bv`: it carries no task entity, so acq tells it apart). */
async function writeElectrodes(folder: string, prefix: string, info: RecordingInfo, spec: SessionSpec) {
  const eeg = info.channels.filter((c) => c.type === 'eeg');
  const rows = eeg.map((c) => [c.name, c.loc[0] ?? 'n/a', c.loc[1] ?? 'n/a', c.loc[2] ?? 'n/a']);
  if (spec.extraElectrode) rows.push(['NotAChannel', 0, 0, 0]);
  await writeFile(join(folder, `${prefix}_acq-bv_electrodes.tsv`), tsv(['name', 'x', 'y', 'z'], rows));
}

/** BrainVision files renamed: the header and marker files name their companions, so those lines follow. */
async function copyBrainVision(folder: string, stem: string): Promise<void> {
  const source = dirname(ORIGINALS.brainvision);
  const rename = (text: string) =>
    text
      .replace('DataFile=test.eeg', `DataFile=${stem}_eeg.eeg`)
      .replace('MarkerFile=test.vmrk', `MarkerFile=${stem}_eeg.vmrk`);
  await writeFile(
    join(folder, `${stem}_eeg.vhdr`),
    rename(await readFile(join(source, 'test.vhdr'), 'latin1')),
    'latin1',
  );
  await writeFile(
    join(folder, `${stem}_eeg.vmrk`),
    rename(await readFile(join(source, 'test.vmrk'), 'latin1')),
    'latin1',
  );
  await writeFile(join(folder, `${stem}_eeg.eeg`), await readFile(join(source, 'test.eeg')));
}

/** Writes the session's files under `dir`; answers the BIDS root (dir or its wrapper folder). */
export async function writeBidsSession(dir: string, spec: SessionSpec): Promise<string> {
  const root = join(dir, spec.wrapper ?? '');
  const prefix = `sub-${spec.subject}_ses-${spec.session}`;
  const folder = join(root, `sub-${spec.subject}`, `ses-${spec.session}`, 'eeg');
  await mkdir(folder, { recursive: true });
  if (!spec.noDatasetDescription) {
    await writeFile(
      join(root, 'dataset_description.json'),
      JSON.stringify({ Name: 'Upload check fixture', BIDSVersion: '1.8.0', DatasetType: 'raw' }),
    );
  }
  await writeFile(join(root, 'participants.tsv'), tsv(['participant_id'], [[`sub-${spec.subject}`]]));
  const bvStem = `${prefix}_task-rest_acq-bv`;
  await copyBrainVision(folder, bvStem);
  const bvInfo = await originalInfo(ORIGINALS.brainvision);
  await writeSidecars(folder, bvStem, bvInfo, spec, true);
  await writeElectrodes(folder, prefix, bvInfo, spec);
  const edfStem = `${prefix}_task-oddball`;
  const edfPath = join(folder, `${edfStem}_eeg.edf`);
  await writeFile(edfPath, await readFile(ORIGINALS.edf));
  if (spec.truncateEdfTo !== undefined) await truncate(edfPath, spec.truncateEdfTo);
  await writeSidecars(folder, edfStem, await originalInfo(ORIGINALS.edf), spec, false);
  return root;
}

/** Every path under `dir` (folders with a trailing slash), sorted, relative, `/`-separated. */
export async function listTree(dir: string, base = ''): Promise<string[]> {
  const out: string[] = [];
  for (const name of (await readdir(join(dir, base))).sort()) {
    const relative = base === '' ? name : `${base}/${name}`;
    if ((await stat(join(dir, relative))).isDirectory()) {
      out.push(`${relative}/`, ...(await listTree(dir, relative)));
    } else {
      out.push(relative);
    }
  }
  return out;
}

/** Packs `dir`'s content (folders included, as tar does) into a .tar.gz, streamed. */
export async function packTarGz(dir: string, out: string): Promise<void> {
  const pack = tar.pack();
  const writing = pipeline(pack, createGzip(), createWriteStream(out));
  for (const path of await listTree(dir)) {
    if (path.endsWith('/')) {
      pack.entry({ name: path, type: 'directory', mode: 0o755 });
      continue;
    }
    const content = await readFile(join(dir, path));
    await new Promise<void>((resolve, reject) =>
      pack.entry({ name: path, size: content.length, mode: 0o644 }, content, (e) =>
        e ? reject(e) : resolve(),
      ),
    );
  }
  pack.finalize();
  await writing;
}

/** Packs `dir`'s content into a .zip (deflated), folders included. */
export async function packZip(dir: string, out: string): Promise<void> {
  const zip = new ZipFile();
  for (const path of await listTree(dir)) {
    if (path.endsWith('/')) zip.addEmptyDirectory(path);
    else zip.addFile(join(dir, path), path);
  }
  zip.end();
  await pipeline(zip.outputStream, createWriteStream(out));
}

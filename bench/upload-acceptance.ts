/**
 * Issue 15's acceptance run: a valid EEG BIDS session of about --gb GB (gzip) for the uploads world's target
 * (MTL001 / 300001 / V1), generated and packed as a stream (one long 64-channel 1 kHz EDF, its channels.tsv and
 * _eeg.json written from what our reader says of the same header), uploaded THROUGH LORIS's PHP gateway (php -S)
 * by a tus-js-client process that is killed halfway and resumed by a new one, then checked and registered by the
 * real service (serverless-offline, LORIS mode, uploads on, a throw-away MariaDB). Prints the archive size, the
 * transfer rates, the service tree's RSS (start, peak, growth), the check + registration time, the final state and
 * the report; verifies the registered file (size, sha256) and the electrophysiology_uploader row.
 * Needs local MariaDB and php (as the tests) and about 4× --gb free in the temporary folder.
 * Run: npm run bench:upload-acceptance -- [--gb 5] [--chunk-mb 8] [--keep]
 */
import { spawn } from 'node:child_process';
import { createHash, type Hash } from 'node:crypto';
import { createReadStream, createWriteStream, statSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { deflateRawSync, createGzip } from 'node:zlib';
import * as tar from 'tar-stream';
import { openRecording, type RecordingInfo } from '../lib/readers';
import { localFs } from '../lib/readers/source';
import { freePort, startOffline } from '../test/helpers/offline';
import { applyGatewaySql, startPhpGateway } from '../test/helpers/php-gateway';
import { projectRoot } from '../test/helpers/testdata';
import { createUploadsWorld, EEG_TARGET, idOf, tusClient } from '../test/helpers/uploads-world';
import { mb, sampleTreeRss } from './proc-rss';

const MiB = 1024 * 1024;
const CLIENT = join(projectRoot, 'test', 'uploads', 'tus-client.cjs');
const N_CHANNELS = 64;
const SFREQ = 1000;
const RECORD_BYTES = N_CHANNELS * SFREQ * 2;
/** Distinct 1 s records cycled through the file: 128 KiB apart, beyond gzip's 32 KiB window, so each compresses alone. */
const POOL_RECORDS = 64;
/** Noise amplitude (int16 units) over each channel's sine: sets how far gzip can shrink the file. */
const NOISE = 1024;

const { values: args } = parseArgs({
  options: {
    gb: { type: 'string', default: '5' },
    'chunk-mb': { type: 'string', default: '8' },
    keep: { type: 'boolean', default: false },
  },
});
const targetBytes = Math.round(Number(args.gb) * 1e9);
const chunkBytes = Number(args['chunk-mb']) * MiB;
const round1 = (x: number): number => Math.round(x * 10) / 10;
const sinceS = (t: number): number => round1((Date.now() - t) / 1000);

// ---------------------------------------------------------------- the recording

const ascii = (text: string, width: number): string => text.padEnd(width, ' ').slice(0, width);

/** A plain EDF header: 64 EEG channels, 1 s records, `records` of them. */
function edfHeader(records: number): Buffer {
  const labels = Array.from({ length: N_CHANNELS }, (_, c) => `EEG${String(c + 1).padStart(3, '0')}`);
  const each = (value: string, width: number): string => labels.map(() => ascii(value, width)).join('');
  const fixed =
    ascii('0', 8) +
    ascii('X X X acceptance', 80) +
    ascii('Startdate 01-JAN-2024 X X generator', 80) +
    '01.01.24' +
    '10.00.00' +
    ascii(String(256 * (N_CHANNELS + 1)), 8) +
    ascii('', 44) +
    ascii(String(records), 8) +
    ascii('1', 8) +
    ascii(String(N_CHANNELS), 4);
  const signals =
    labels.map((l) => ascii(l, 16)).join('') +
    each('', 80) +
    each('uV', 8) +
    each('-3276.8', 8) +
    each('3276.7', 8) +
    each('-32768', 8) +
    each('32767', 8) +
    each('', 80) +
    each(String(SFREQ), 8) +
    each('', 32);
  return Buffer.from(fixed + signals, 'latin1');
}

/** POOL_RECORDS records: a slow channel-specific sine plus deterministic noise (xorshift). */
function recordPool(): Buffer[] {
  let state = 0x9e3779b9;
  const noise = (): number => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return ((state >>> 0) % (2 * NOISE)) - NOISE;
  };
  return Array.from({ length: POOL_RECORDS }, (_, r) => {
    const record = Buffer.alloc(RECORD_BYTES);
    for (let c = 0; c < N_CHANNELS; c++) {
      for (let s = 0; s < SFREQ; s++) {
        const t = (r * SFREQ + s) / SFREQ;
        const v = 8000 * Math.sin(2 * Math.PI * (1 + c / 8) * t) + noise();
        record.writeInt16LE(Math.round(v), (c * SFREQ + s) * 2);
      }
    }
    return record;
  });
}

/** What our reader says of the recording (its header, on one record), as the check will see it. */
async function probeInfo(dir: string, pool: Buffer[]): Promise<RecordingInfo> {
  const path = join(dir, 'probe.edf');
  writeFileSync(path, Buffer.concat([edfHeader(1), pool[0] ?? Buffer.alloc(RECORD_BYTES)]));
  const recording = await openRecording(path, localFs);
  try {
    return recording.info;
  } finally {
    await recording.close();
  }
}

// ---------------------------------------------------------------- the session archive

const tsv = (rows: (string | number)[][]): string => rows.map((r) => r.join('\t')).join('\n') + '\n';

/** The session's small files (path → content), written from the reader's view of the recording. */
function sidecars(stem: string, info: RecordingInfo): [string, string][] {
  const names = [
    ...info.channels.map((c) => [c.name, c.type]),
    ...info.excluded.map((e) => [e.name, 'misc']),
  ];
  const sidecar = {
    TaskName: 'rest',
    SamplingFrequency: info.sfreq,
    EEGChannelCount: info.channels.filter((c) => c.type === 'eeg').length,
    PowerLineFrequency: 50,
    SoftwareFilters: 'n/a',
    EEGReference: 'n/a',
    RecordingDuration: info.nSamples / info.sfreq,
  };
  return [
    [
      `${stem}_channels.tsv`,
      tsv([
        ['name', 'type', 'units'],
        ...names.map(([n, t]) => [n ?? '', (t ?? 'misc').toUpperCase(), 'uV']),
      ]),
    ],
    [`${stem}_eeg.json`, JSON.stringify(sidecar, null, 2)],
  ];
}

/** Counts and hashes the bytes flowing through. */
function tap(hashes: Hash[], counter: { bytes: number }): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      counter.bytes += chunk.length;
      for (const h of hashes) h.update(chunk);
      done(null, chunk);
    },
  });
}

/** tar-stream's entry stream (a streamx Writable). */
type EntrySink = ReturnType<tar.Pack['entry']>;

const write = (stream: EntrySink, chunk: Buffer): Promise<void> =>
  stream.write(chunk) ? Promise.resolve() : new Promise((r) => stream.once('drain', () => r()));

interface Archive {
  path: string;
  bytes: number;
  sha256: string;
  sha1: string;
  edfBytes: number;
  records: number;
  ratio: number;
  seconds: number;
}

/** Packs the session as {PSCID}_{CandID}_{Visit}_bids.tar.gz, streamed (tar-stream, gzip level 1). */
async function buildArchive(dir: string): Promise<Archive> {
  const started = Date.now();
  const pool = recordPool();
  const sample = Buffer.concat(pool);
  const ratio = sample.length / deflateRawSync(sample, { level: 1 }).length;
  const records = Math.max(10, Math.round((targetBytes * ratio) / RECORD_BYTES));
  const info = await probeInfo(dir, pool);
  const prefix = `sub-${EEG_TARGET.pscid}_ses-${EEG_TARGET.visit}`;
  const folder = `sub-${EEG_TARGET.pscid}/ses-${EEG_TARGET.visit}/eeg`;
  const stem = `${prefix}_task-rest`;
  const path = join(dir, EEG_TARGET.filename);
  const sha256 = createHash('sha256');
  const sha1 = createHash('sha1');
  const counter = { bytes: 0 };
  const pack = tar.pack();
  const writing = pipeline(
    pack,
    createGzip({ level: 1 }),
    tap([sha256, sha1], counter),
    createWriteStream(path),
  );
  const small = (name: string, content: string) =>
    new Promise<void>((resolve, reject) =>
      pack.entry({ name, mode: 0o644 }, content, (e) => (e ? reject(e) : resolve())),
    );
  for (const d of [
    `sub-${EEG_TARGET.pscid}/`,
    `sub-${EEG_TARGET.pscid}/ses-${EEG_TARGET.visit}/`,
    `${folder}/`,
  ])
    pack.entry({ name: d, type: 'directory', mode: 0o755 });
  await small(
    'dataset_description.json',
    JSON.stringify({ Name: 'Acceptance', BIDSVersion: '1.8.0', DatasetType: 'raw' }),
  );
  await small('participants.tsv', tsv([['participant_id'], [`sub-${EEG_TARGET.pscid}`]]));
  for (const [name, content] of sidecars(stem, info)) await small(`${folder}/${name}`, content);
  const header = edfHeader(records);
  const edfBytes = header.length + records * RECORD_BYTES;
  let edfSettled: (error?: Error | null) => void = () => undefined;
  const edfDone = new Promise<void>((resolve, reject) => {
    edfSettled = (error) => (error ? reject(error) : resolve());
  });
  const edf = pack.entry({ name: `${folder}/${stem}_eeg.edf`, size: edfBytes, mode: 0o644 }, (error) =>
    edfSettled(error),
  );
  await write(edf, header);
  for (let r = 0; r < records; r++) await write(edf, pool[r % POOL_RECORDS] ?? header);
  edf.end(undefined);
  await edfDone;
  pack.finalize();
  await writing;
  return {
    path,
    bytes: counter.bytes,
    sha256: sha256.digest('hex'),
    sha1: sha1.digest('hex'),
    edfBytes,
    records,
    ratio: Math.round(ratio * 1000) / 1000,
    seconds: sinceS(started),
  };
}

// ---------------------------------------------------------------- the transfer

interface ClientRun {
  code: number | null;
  url: string;
  done: boolean;
  lastAccepted: number;
  tail: string[];
  seconds: number;
}

/** Runs the tus client process; `killAt` (bytes) kills it once that much is acknowledged. */
function runClient(env: Record<string, string>, killAt?: number): Promise<ClientRun> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLIENT], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const tail: string[] = [];
    let url = '';
    let done = false;
    let lastAccepted = 0;
    let pending = '';
    child.stdout.on('data', (d: Buffer) => {
      pending += d.toString();
      const parts = pending.split('\n');
      pending = parts.pop() ?? '';
      for (const line of parts) {
        tail.push(line);
        if (tail.length > 20) tail.shift();
        if (line.startsWith('url ')) url = line.slice(4);
        if (line === 'done') done = true;
        if (line.startsWith('progress ')) lastAccepted = Number(line.slice(9));
        if (killAt !== undefined && lastAccepted >= killAt) child.kill('SIGKILL');
      }
    });
    child.stderr.on('data', (d: Buffer) => tail.push(`stderr ${d.toString().trim()}`));
    child.once('exit', (code) =>
      resolve({ code, url, done, lastAccepted, tail, seconds: (Date.now() - started) / 1000 }),
    );
  });
}

const mbps = (bytes: number, seconds: number): number => Math.round(bytes / 1e6 / Math.max(seconds, 1e-3));

// ---------------------------------------------------------------- the run

async function main(): Promise<void> {
  const world = await createUploadsWorld();
  const rssOf: { stop?: () => { peak: number; samples: number[] } } = {};
  try {
    console.log(
      `load average at start: ${loadavg()
        .map((x) => x.toFixed(2))
        .join(' ')}`,
    );
    await mkdir(join(world.tmp, 'gen'));
    const archive = await buildArchive(join(world.tmp, 'gen'));
    console.log(
      `archive ${archive.bytes} bytes (EDF ${archive.edfBytes} bytes, ${archive.records} s) in ${archive.seconds} s`,
    );
    const phpPort = await freePort();
    const lorisBaseUrl = `http://127.0.0.1:${phpPort}/loris`;
    const service = await startOffline(
      world.env({ LORIS_EPHYS_UPLOAD_MAX_CHUNK_BYTES: String(Math.max(chunkBytes, 8 * MiB)) }, lorisBaseUrl),
      60000,
    );
    const pid = service.process.pid ?? 0;
    await applyGatewaySql(world.db, service.baseUrl, { allow_uploads: 1 });
    const php = await startPhpGateway(world.db, phpPort, world.tmp);
    try {
      const token = await world.token('uploader', lorisBaseUrl);
      const direct = tusClient(service.baseUrl, token);
      const cookie = await php.login('uploader');
      // Warm-up: the upload routes load and the pool opens (a metadata-valid creation, then deleted).
      const warm = await direct.create(EEG_TARGET, 1);
      await direct.remove(warm.headers.get('location') ?? '');
      await new Promise((r) => setTimeout(r, 1000));

      const env = {
        TUS_ENDPOINT: `${php.gatewayUrl}/tus/upload`,
        TUS_HEADERS: JSON.stringify({ Cookie: cookie }),
        TUS_FILE: archive.path,
        TUS_METADATA: JSON.stringify({ ...EEG_TARGET, isPhantom: 'false' }),
        TUS_CHUNK_BYTES: String(chunkBytes),
      };
      const sampler = sampleTreeRss(pid, 100);
      rssOf.stop = () => sampler.stop();
      const started = Date.now();
      const first = await runClient(env, archive.bytes / 2);
      const id = idOf(first.url);
      if (!id) throw new Error(`no upload created:\n${first.tail.join('\n')}`);
      const offset = Number((await direct.head(`/tus/upload/${id}`)).headers.get('upload-offset'));
      const second = await runClient({ ...env, TUS_RESUME_URL: first.url });
      const transferS = (Date.now() - started) / 1000;
      const transferRss = sampler.stop();
      if (!second.done) throw new Error(`resumed upload failed:\n${second.tail.join('\n')}`);

      // The check and registration run in the service once the last byte arrived.
      const checkSampler = sampleTreeRss(pid, 100);
      rssOf.stop = () => checkSampler.stop();
      const checkStarted = Date.now();
      let status: Record<string, unknown> = {};
      for (;;) {
        status = (await direct.status(id)).json() as Record<string, unknown>;
        if (status.state !== 'receiving' && status.state !== 'checking') break;
        await new Promise((r) => setTimeout(r, 500));
      }
      const checkS = (Date.now() - checkStarted) / 1000;
      const checkRss = checkSampler.stop();
      delete rssOf.stop;

      const registered = join(world.eegIncoming, EEG_TARGET.filename);
      let fileCheck: Record<string, unknown> = { present: false };
      try {
        const size = statSync(registered).size;
        const hash = createHash('sha256');
        await pipeline(createReadStream(registered), hash);
        const digest = hash.digest('hex');
        fileCheck = {
          present: true,
          size,
          sizeEqual: size === archive.bytes,
          sha256Equal: digest === archive.sha256,
        };
      } catch (error) {
        fileCheck = { present: false, error: String(error) };
      }
      const lorisUpload = status.lorisUpload as { id?: number } | null;
      const [rows] = await world.db.root.query(
        'SELECT UploadID, UploadedBy, UploadLocation, Status, Checksum, MetaData FROM electrophysiology_uploader WHERE UploadID = ?',
        [lorisUpload?.id ?? -1],
      );
      const row = (rows as Record<string, unknown>[])[0];
      const report = status.report as {
        ok?: boolean;
        warnings?: unknown[];
        errors?: unknown[];
        recordings?: unknown[];
      } | null;
      const rowReport = row?.MetaData ? (JSON.parse(String(row.MetaData)) as Record<string, unknown>) : null;
      const samples = [...transferRss.samples, ...checkRss.samples];
      const rssStartB = transferRss.samples[0] ?? 0;
      const peakB = Math.max(...samples);
      const result = {
        archive: {
          bytes: archive.bytes,
          GB: round1(archive.bytes / 1e8) / 10,
          edfBytes: archive.edfBytes,
          gzipRatio: archive.ratio,
          generateSeconds: archive.seconds,
        },
        transfer: {
          route: 'php-gateway (php -S) → serverless-offline',
          chunkMiB: chunkBytes / MiB,
          seconds: round1(transferS),
          overallMBps: mbps(archive.bytes, transferS),
          client1: {
            killedAtAccepted: first.lastAccepted,
            serverOffsetAtKill: offset,
            seconds: round1(first.seconds),
            MBps: mbps(first.lastAccepted, first.seconds),
          },
          client2: {
            bytes: archive.bytes - offset,
            seconds: round1(second.seconds),
            MBps: mbps(archive.bytes - offset, second.seconds),
          },
        },
        serviceRss: {
          startMB: mb(rssStartB),
          peakTransferMB: mb(transferRss.peak),
          peakCheckMB: mb(checkRss.peak),
          peakMB: mb(peakB),
          growthMB: mb(peakB - rssStartB),
        },
        check: {
          secondsUntilSettled: round1(checkS),
          state: status.state,
          bytes: status.bytes,
          length: status.length,
        },
        report: report && {
          ok: report.ok,
          warnings: report.warnings,
          errors: report.errors,
          recordings: report.recordings,
        },
        registeredFile: fileCheck,
        lorisRow: row && {
          UploadID: row.UploadID,
          UploadedBy: row.UploadedBy,
          UploadLocation: row.UploadLocation,
          Status: row.Status,
          Checksum: row.Checksum,
          checksumIsArchiveSha1: row.Checksum === archive.sha1,
          metaDataReportOk: rowReport?.ok,
        },
        loadAverage: loadavg().map((x) => Math.round(x * 100) / 100),
      };
      console.log(JSON.stringify(result, null, 2));
    } finally {
      await php.stop();
      await service.stop();
    }
  } finally {
    rssOf.stop?.();
    if (args.keep) console.log(`kept: ${world.tmp} and database ${world.db.name}`);
    else await world.drop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

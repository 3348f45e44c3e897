/**
 * Reads an upload's archive (`.tar.gz`/`.tgz` or `.zip`) or an unpacked folder entry by entry, as a stream,
 * within `ArchiveLimits`. Every entry is admitted by one gate (count, path, type, duplicate, declared sizes);
 * refusals become report errors with stable codes, never exceptions. A visitor sees each admitted entry and may
 * ask for its bytes through a sink; the bytes it gets are counted, so a header lying about a size is caught.
 *
 * - tar.gz: file → gunzip → tar-stream, all streamed; compressed bytes in and inflated bytes out are counted as
 *   they flow, and the ratio is checked continuously (gzip bomb).
 * - zip: yauzl reads the central directory first (entry count, then every entry's declared sizes and the
 *   archive's ratio, all before anything is inflated); only the entries a visitor wants are inflated.
 * - folder: walked with lstat (symlinks and special files refused as in archives), files opened O_NOFOLLOW.
 */
import { constants, createReadStream, type Dirent } from 'node:fs';
import { open, opendir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import * as tar from 'tar-stream';
import * as yauzl from 'yauzl';
import { quoteValue, shortened } from '../../core/errors';
import { DEFAULT_MAX_DIRECTORY_BYTES, type ArchiveLimits } from '../types';
import { checkEntryPath } from './paths';
import type { ReportBuilder } from './report';

export type EntryKind = 'file' | 'directory';

export interface EntryHeader {
  /** Normalised relative path (see paths.ts); '' only for a root directory entry. */
  path: string;
  kind: EntryKind;
  /** Declared uncompressed size in bytes (0 for folders). */
  size: number;
}

/** Receives one file's bytes in order. `write` answers false when it needs no more of them. */
export interface EntrySink {
  write(chunk: Buffer): Promise<boolean>;
  /** Called once after the last chunk it received (all of them, or up to its `false`). */
  end(): Promise<void>;
  /** Called instead of `end` when the entry could not be read to the end. */
  abort(): Promise<void>;
}

/** Decides, from an admitted entry's header, whether its bytes are wanted (a sink) or not (null). */
export type EntryVisitor = (entry: EntryHeader) => Promise<EntrySink | null>;

export interface WalkOptions {
  limits: ArchiveLimits;
  report: ReportBuilder;
  signal?: AbortSignal;
}

export interface WalkTotals {
  /** Entries seen (files, folders, refused ones). */
  entries: number;
  /** Declared uncompressed bytes of the admitted files. */
  bytes: number;
  /** False when the walk stopped early (a limit, a corrupt archive): what was not seen was not checked. */
  complete: boolean;
}

export type ArchiveFormat = 'tar.gz' | 'zip';

/** Thrown inside a walk to stop it; the reason is already in the report. */
class StopWalk extends Error {
  constructor() {
    super('walk stopped');
  }
}

/** Inflated bytes before the ratio is judged: a tiny archive of zeros is not a bomb worth the name. */
const RATIO_GRACE_BYTES = 1024 * 1024;

const ROOT = '.';
const ABORTED_MESSAGE = 'the check was stopped before the end of the archive';

type RawKind = EntryKind | 'link' | 'special';

/** Admits entries one by one against the limits; see the file's comment. */
class EntryGate {
  entries = 0;
  bytes = 0;
  /** Bytes of names (and zip directory records) seen: what the walk holds in memory grows with them. */
  private directoryBytes = 0;
  private readonly files = new Set<string>();

  constructor(private readonly options: WalkOptions) {}

  private get report(): ReportBuilder {
    return this.options.report;
  }

  /** Stops the walk (the reason goes to the report first). */
  stop(code: string, message: string, item = ROOT): never {
    this.report.error(item, code, message);
    throw new StopWalk();
  }

  /** The header of an admissible entry, or null when it is refused (reported); throws StopWalk at a limit. */
  admit(rawName: string, kind: RawKind, size: number): EntryHeader | null {
    const { limits, signal } = this.options;
    if (signal?.aborted) this.stop('check_aborted', ABORTED_MESSAGE);
    this.entries += 1;
    if (this.entries > limits.maxEntries) {
      this.stop('too_many_entries', `the archive has more than ${limits.maxEntries} entries`);
    }
    this.chargeDirectory(rawName.length);
    const item = shortened(rawName);
    const checked = checkEntryPath(rawName);
    if (!checked.ok) {
      this.report.error(item, checked.code, checked.message);
      return null;
    }
    if (kind === 'link') {
      this.report.error(item, 'link_entry', `entry ${quoteValue(rawName)} is a symbolic or hard link`);
      return null;
    }
    if (kind === 'special') {
      this.report.error(item, 'special_entry', `entry ${quoteValue(rawName)} is a device, FIFO or socket`);
      return null;
    }
    if (kind === 'directory') return { path: checked.path, kind, size: 0 };
    return this.admitFile(rawName, checked.path, size);
  }

  /** Charges `bytes` of names or directory records; stops the walk past the limits' maxDirectoryBytes. */
  chargeDirectory(bytes: number): void {
    const max = this.options.limits.maxDirectoryBytes ?? DEFAULT_MAX_DIRECTORY_BYTES;
    this.directoryBytes += bytes;
    if (this.directoryBytes > max) {
      this.stop('directory_too_large', `the archive's entry names and directory records exceed ${max} bytes`);
    }
  }

  private admitFile(rawName: string, path: string, size: number): EntryHeader | null {
    const { limits } = this.options;
    const item = shortened(path || rawName);
    if (path === '') {
      this.report.error(item, 'unsafe_path', `file entry ${quoteValue(rawName)} has no name`);
      return null;
    }
    if (this.files.has(path)) {
      this.report.error(item, 'duplicate_entry', `entry ${quoteValue(path)} appears more than once`);
      return null;
    }
    this.files.add(path);
    if (!Number.isSafeInteger(size) || size < 0) {
      this.stop('corrupt_archive', `entry ${quoteValue(path)} declares an invalid size`, item);
    }
    if (size > limits.maxEntryBytes) {
      this.stop(
        'entry_too_large',
        `entry ${quoteValue(path)} is ${size} bytes, over ${limits.maxEntryBytes}`,
        item,
      );
    }
    this.bytes += size;
    if (this.bytes > limits.maxTotalBytes) {
      this.stop('archive_too_large', `the archive's files exceed ${limits.maxTotalBytes} bytes uncompressed`);
    }
    return { path, kind: 'file', size };
  }

  /** Hands `chunks` to `sink` (while it wants them), counting them against the declared size. */
  async pump(
    entry: EntryHeader,
    chunks: AsyncIterable<unknown>,
    sink: EntrySink | null,
    mayStopEarly: boolean,
  ): Promise<void> {
    let received = 0;
    let wanted = sink !== null;
    try {
      for await (const data of chunks) {
        // One entry can be 100 GiB: an abort is honoured between chunks, not only between entries.
        if (this.options.signal?.aborted) this.stop('check_aborted', ABORTED_MESSAGE);
        const chunk = Buffer.isBuffer(data) ? data : Buffer.from(data as Uint8Array);
        received += chunk.length;
        if (received > entry.size) {
          this.stop(
            'entry_size_mismatch',
            `entry ${quoteValue(entry.path)} holds more bytes than the ${entry.size} it declares`,
            entry.path,
          );
        }
        if (wanted && sink) wanted = await sink.write(chunk);
        // A tar stream must be read to the entry's end; a zip entry or a folder's file need not.
        if (!wanted && mayStopEarly) break;
      }
      if ((wanted || !mayStopEarly) && received < entry.size) {
        this.stop(
          'entry_size_mismatch',
          `entry ${quoteValue(entry.path)} holds ${received} bytes, not the ${entry.size} it declares`,
          entry.path,
        );
      }
    } catch (error) {
      await sink?.abort();
      throw error;
    }
    await sink?.end();
  }
}

/** The archive format from the first bytes (the name can lie, and a tus upload has none). */
export async function sniffFormat(path: string): Promise<ArchiveFormat | null> {
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(4);
    const { bytesRead } = await handle.read(head, 0, 4, 0);
    if (bytesRead >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'tar.gz';
    if (bytesRead === 4 && head[0] === 0x50 && head[1] === 0x4b && (head[2] === 3 || head[2] === 5))
      return 'zip';
    return null;
  } finally {
    await handle.close();
  }
}

/** Counts the bytes flowing through; `check` may throw to stop the stream. */
class Counter extends Transform {
  count = 0;
  constructor(private readonly check: () => void = () => undefined) {
    super();
  }
  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.count += chunk.length;
    try {
      this.check();
      callback(null, chunk);
    } catch (error) {
      callback(error as Error);
    }
  }
}

const TAR_KINDS: Record<tar.Header['type'], RawKind> = {
  file: 'file',
  'contiguous-file': 'file',
  directory: 'directory',
  link: 'link',
  symlink: 'link',
  'block-device': 'special',
  'character-device': 'special',
  fifo: 'special',
};

/** A system error (it has a syscall or path) by its code only: its message names a server path. */
const isSystemError = (error: unknown): error is { code: unknown } =>
  typeof error === 'object' && error !== null && 'code' in error && ('syscall' in error || 'path' in error);

const errorMessage = (error: unknown): string => {
  if (isSystemError(error)) return `file-system error ${shortened(String(error.code), 40)}`;
  return shortened(error instanceof Error ? error.message : String(error));
};

/** A failure that is not ours (zlib, tar-stream, yauzl, the file system) as a report line; StopWalk is already in. */
function reportFailure(report: ReportBuilder, error: unknown): void {
  if (error instanceof StopWalk) return;
  report.error(ROOT, 'corrupt_archive', `the archive cannot be read: ${errorMessage(error)}`);
}

async function walkTarGz(path: string, visit: EntryVisitor, options: WalkOptions): Promise<WalkTotals> {
  const gate = new EntryGate(options);
  const { maxRatio } = options.limits;
  const compressed = new Counter();
  let bomb = false;
  const inflated = new Counter(() => {
    if (inflated.count > RATIO_GRACE_BYTES && inflated.count > maxRatio * Math.max(compressed.count, 1)) {
      bomb = true;
      throw new StopWalk();
    }
  });
  const extract = tar.extract();
  const source = createReadStream(path);
  const flowing = pipeline(source, compressed, createGunzip(), inflated, extract).then(
    () => null,
    (error: unknown) => error,
  );
  let failure: unknown = null;
  try {
    for await (const stream of extract) {
      const header = stream.header;
      const entry = gate.admit(header.name, TAR_KINDS[header.type] ?? 'special', header.size);
      const sink = entry ? await visit(entry) : null;
      // Refused entries and folders are read through too: a tar stream goes on only past an entry's end.
      await gate.pump(entry ?? { path: header.name, kind: 'file', size: header.size }, stream, sink, false);
    }
  } catch (error) {
    failure = error;
    extract.destroy();
  }
  const flowFailure = await flowing;
  // A pipeline torn down early settles before its file is closed: the descriptor is released before returning.
  if (!source.closed) await new Promise<void>((resolve) => source.once('close', () => resolve()));
  if (bomb) {
    options.report.error(
      ROOT,
      'zip_bomb',
      `the archive inflates more than ${maxRatio} times its compressed size (${inflated.count} bytes from ${compressed.count})`,
    );
  } else if (failure) {
    reportFailure(options.report, failure);
  } else if (flowFailure) {
    reportFailure(options.report, flowFailure);
  }
  return { entries: gate.entries, bytes: gate.bytes, complete: !bomb && !failure && !flowFailure };
}

const S_IFMT = 0o170000;
const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;

/** The kind of a zip entry: Unix mode bits when the archiver wrote them (made by Unix), else the name. */
function zipKind(entry: yauzl.Entry, name: string): RawKind {
  const madeByUnix = entry.versionMadeBy >>> 8 === 3;
  const mode = (entry.externalFileAttributes >>> 16) & S_IFMT;
  if (madeByUnix && mode !== 0) {
    if (mode === S_IFLNK) return 'link';
    if (mode === S_IFDIR) return 'directory';
    if (mode !== S_IFREG) return 'special';
  }
  return name.endsWith('/') ? 'directory' : 'file';
}

async function walkZip(path: string, visit: EntryVisitor, options: WalkOptions): Promise<WalkTotals> {
  const gate = new EntryGate(options);
  const { limits, report } = options;
  let zip: yauzl.ZipFile;
  try {
    zip = await yauzl.openPromise(path, {
      lazyEntries: true,
      autoClose: false,
      decodeStrings: false, // names are checked by paths.ts, with our codes
      validateEntrySizes: false, // counted by the gate, with our code
    });
  } catch (error) {
    report.error(ROOT, 'corrupt_archive', `the zip archive cannot be read: ${errorMessage(error)}`);
    return { entries: 0, bytes: 0, complete: false };
  }
  let complete = true;
  try {
    if (zip.entryCount > limits.maxEntries) {
      gate.stop(
        'too_many_entries',
        `the archive has ${zip.entryCount} entries, more than ${limits.maxEntries}`,
      );
    }
    const admitted = await readCentralDirectory(zip, gate);
    const { size: fileSize } = await stat(path);
    if (gate.bytes > RATIO_GRACE_BYTES && gate.bytes > limits.maxRatio * Math.max(fileSize, 1)) {
      gate.stop(
        'zip_bomb',
        `the archive declares ${gate.bytes} bytes uncompressed from ${fileSize}, more than ${limits.maxRatio} times`,
      );
    }
    for (const [entry, header] of admitted) {
      if (options.signal?.aborted) gate.stop('check_aborted', ABORTED_MESSAGE);
      const sink = await visit(header);
      if (!sink || header.kind !== 'file') continue;
      const stream = await zip.openReadStreamPromise(entry);
      try {
        await gate.pump(header, stream, sink, true);
      } finally {
        stream.destroy();
      }
    }
  } catch (error) {
    complete = false;
    reportFailure(report, error);
  } finally {
    zip.close();
  }
  return { entries: gate.entries, bytes: gate.bytes, complete };
}

/** Every central-directory entry through the gate (nothing inflated yet): the admitted ones, in order. */
async function readCentralDirectory(
  zip: yauzl.ZipFile,
  gate: EntryGate,
): Promise<[yauzl.Entry, EntryHeader][]> {
  const admitted: [yauzl.Entry, EntryHeader][] = [];
  for await (const entry of zip.eachEntry()) {
    // Strict: backslashes are kept (and refused by paths.ts), not turned into separators.
    const name = yauzl.getFileNameLowLevel(
      entry.generalPurposeBitFlag,
      entry.fileNameRaw,
      entry.extraFields,
      true,
    );
    // The record's extra fields and comment are held with the entry: charged too (its name is, by admit).
    gate.chargeDirectory(entry.extraFieldLength + entry.fileCommentLength);
    const header = gate.admit(name, zipKind(entry, name), entry.uncompressedSize);
    if (header) admitted.push([slimmed(entry), header]);
  }
  return admitted;
}

const NO_BYTES = Buffer.alloc(0);

/** The entry without its raw name, extra fields and comment (reading it needs only offsets, sizes and flags). */
function slimmed(entry: yauzl.Entry): yauzl.Entry {
  entry.fileNameRaw = NO_BYTES;
  entry.extraFieldRaw = NO_BYTES;
  entry.fileCommentRaw = NO_BYTES;
  entry.extraFields = [];
  entry.fileComment = '';
  entry.comment = '';
  return entry;
}

const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

const direntKind = (d: Dirent): RawKind =>
  d.isSymbolicLink() ? 'link' : d.isDirectory() ? 'directory' : d.isFile() ? 'file' : 'special';

async function walkDirectory(root: string, visit: EntryVisitor, options: WalkOptions): Promise<WalkTotals> {
  const gate = new EntryGate(options);
  const pending: string[] = [''];
  let complete = true;
  try {
    for (let folder = pending.shift(); folder !== undefined; folder = pending.shift()) {
      const names: Dirent[] = [];
      // Bounded: the gate stops the walk past maxEntries, so a folder is never listed much beyond it.
      for await (const dirent of await opendir(join(root, folder))) {
        names.push(dirent);
        if (gate.entries + names.length > options.limits.maxEntries + 1) break;
      }
      names.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      for (const dirent of names) {
        const relative = folder === '' ? dirent.name : `${folder}/${dirent.name}`;
        await visitFolderEntry(root, relative, direntKind(dirent), gate, visit, pending);
      }
    }
  } catch (error) {
    complete = false;
    reportFailure(options.report, error);
  }
  return { entries: gate.entries, bytes: gate.bytes, complete };
}

async function visitFolderEntry(
  root: string,
  relative: string,
  kind: RawKind,
  gate: EntryGate,
  visit: EntryVisitor,
  pending: string[],
): Promise<void> {
  if (kind === 'directory') {
    const header = gate.admit(`${relative}/`, kind, 0);
    if (header) {
      await visit(header);
      pending.push(relative);
    }
    return;
  }
  if (kind !== 'file') {
    gate.admit(relative, kind, 0);
    return;
  }
  const handle = await open(join(root, relative), OPEN_FLAGS);
  try {
    const info = await handle.stat();
    const header = gate.admit(relative, info.isFile() ? 'file' : 'special', info.size);
    if (!header) return;
    const sink = await visit(header);
    if (!sink) return;
    const stream = handle.createReadStream({ autoClose: false, start: 0 });
    try {
      await gate.pump(header, stream, sink, true);
    } finally {
      stream.destroy();
    }
  } finally {
    await handle.close();
  }
}

/** Walks an archive file (format from its first bytes); a file that is neither format is refused. */
export async function walkArchive(
  path: string,
  visit: EntryVisitor,
  options: WalkOptions,
): Promise<WalkTotals> {
  const format = await sniffFormat(path);
  if (format === 'tar.gz') return walkTarGz(path, visit, options);
  if (format === 'zip') return walkZip(path, visit, options);
  options.report.error(
    ROOT,
    'not_an_archive',
    'the upload is neither a gzip-compressed tar archive nor a zip archive',
  );
  return { entries: 0, bytes: 0, complete: false };
}

/** Walks an unpacked folder with the same gate, as if it were an archive of its content. */
export const walkFolder = walkDirectory;

/**
 * The zip of a recording's MEEGqc files, streamed as it is built (yazl, entries stored uncompressed, so its
 * size is known before the first byte and memory stays constant whatever the total). Entries are laid out flat
 * by bare file name, as LORIS's server does, but never two with one name: files whose names collide get their
 * category as a prefix (`<category>_<name>`), and if that still collides, their id too (`<category>_<id>_<name>`).
 */
import { trimEndOf } from '../core/strings';
import { posix } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { ZipFile } from 'yazl';
import { byteSourceStream } from './byte-stream';
import type { CheckedFile } from './files';
import { reopen } from './files';

/** A category as a file-name part: letters, digits, `.`, `_` and `-` kept, anything else `_`. */
const safePart = (text: string): string => text.replace(/[^\w.-]/g, '_') || 'uncategorised';

/** Entry names for `files`, in order: bare names, prefixed where they collide (see the file's comment). */
export function entryNames(files: readonly { id: number; name: string; category: string }[]): string[] {
  const count = (names: readonly string[]) => {
    const counts = new Map<string, number>();
    for (const name of names) counts.set(name, (counts.get(name) ?? 0) + 1);
    return counts;
  };
  const bare = files.map((f) => f.name);
  const bareCounts = count(bare);
  const prefixed = files.map((f, i) =>
    (bareCounts.get(bare[i] ?? '') ?? 0) > 1 ? `${safePart(f.category)}_${f.name}` : f.name,
  );
  const prefixedCounts = count(prefixed);
  return files.map((f, i) => {
    const name = prefixed[i] ?? f.name;
    return (prefixedCounts.get(name) ?? 0) > 1 ? `${safePart(f.category)}_${f.id}_${f.name}` : name;
  });
}

/** `{stem}_meegqc[_{category}].zip`, stem = the recording's last path component without its last suffix. */
export function archiveName(recordingPath: string, category: string | undefined): string {
  const last = posix.basename(trimEndOf(recordingPath, '/'));
  const dot = last.lastIndexOf('.');
  const stem = dot > 0 ? last.slice(0, dot) : last;
  return `${stem || 'recording'}_meegqc${category === undefined ? '' : `_${safePart(category)}`}.zip`;
}

export interface MeegqcArchive {
  /** The zip's exact size in bytes. */
  size: number;
  /** Starts building: each file is opened (verified again) when its turn comes, and closed after it. */
  open: () => Readable;
}

type StreamCallback = (error: Error | null, stream?: Readable) => void;
type StreamGetter = (file: CheckedFile, callback: StreamCallback) => void;

/** Plans the archive of `files` (already checked) under the data directory's real path `root`. */
export function planArchive(root: string, files: readonly CheckedFile[]): MeegqcArchive {
  const names = entryNames(files.map((f) => ({ id: f.row.id, name: f.name, category: f.row.category })));
  const build = (getStream: StreamGetter): ZipFile => {
    const zip = new ZipFile();
    files.forEach((file, i) => {
      zip.addReadStreamLazy(
        names[i] ?? file.name,
        { size: file.size, compress: false, mtime: file.mtime, mode: 0o100644 },
        (callback) => getStream(file, callback as StreamCallback),
      );
    });
    return zip;
  };
  // yazl reports the total size synchronously in end(). The sizing zip never answers yazl's request for the
  // first file's stream, so it opens nothing and is dropped as it stands.
  let size = -1;
  const sizing = build(() => undefined);
  sizing.end(undefined, ((total: number) => (size = total)) as unknown as () => void);
  if (size < 0) throw new Error('the archive size could not be computed');
  return {
    size,
    open: () => {
      // A client that goes away stops the archive: the file being read is closed, no other is opened.
      let current: Readable | undefined;
      let stopped = false;
      const zip = build((file, callback) => {
        if (stopped) return callback(new Error('the archive was abandoned'));
        reopen(root, file).then(
          (source) => {
            current = byteSourceStream(source);
            if (stopped) current.destroy();
            callback(null, current);
          },
          (error: unknown) => callback(error instanceof Error ? error : new Error(String(error))),
        );
      });
      const output = new PassThrough({ highWaterMark: 256 * 1024 });
      output.on('close', () => {
        stopped = true;
        current?.destroy();
      });
      zip.on('error', (error: Error) => output.destroy(error));
      (zip.outputStream as Readable).pipe(output);
      zip.end();
      return output;
    },
  };
}

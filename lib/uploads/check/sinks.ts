/** What the checks do with an entry's bytes: extract it into the scratch folder, or keep its first bytes. */
import { constants } from 'node:fs';
import { mkdir, open, unlink, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { quoteValue } from '../../core/errors';
import type { EntryHeader, EntrySink } from './archive';
import type { ReportBuilder } from './report';

const codeOf = (error: unknown): string =>
  error instanceof Error && 'code' in error ? String(error.code) : 'file-system error';

/** New files only, never through a link (nothing but this writer creates anything in the scratch folder). */
const CREATE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0);

/**
 * Extracts entries into the scratch folder under their checked relative paths, each file's declared size
 * charged to the budget before a byte is written (the archive walk already refuses bytes beyond it).
 */
export class ScratchWriter {
  private used = 0;

  constructor(
    readonly root: string,
    private readonly budgetBytes: number,
    private readonly report: ReportBuilder,
  ) {}

  get bytesWritten(): number {
    return this.used;
  }

  /** A sink writing `entry` to `<root>/<entry.path>`, or null (reported) when it does not fit or cannot be made. */
  async sinkFor(entry: EntryHeader): Promise<EntrySink | null> {
    if (entry.size > this.budgetBytes - this.used) {
      this.report.error(
        entry.path,
        'extract_budget',
        `${quoteValue(entry.path)} (${entry.size} bytes) does not fit in the ${this.budgetBytes} bytes the check may extract`,
      );
      return null;
    }
    const destination = join(this.root, ...entry.path.split('/'));
    let handle;
    try {
      await mkdir(dirname(destination), { recursive: true });
      handle = await open(destination, CREATE_FLAGS, 0o600);
    } catch (error) {
      // The error's code only: its message would name the scratch folder.
      this.report.error(
        entry.path,
        'extract_failed',
        `${quoteValue(entry.path)} cannot be extracted (${codeOf(error)})`,
      );
      return null;
    }
    this.used += entry.size;
    return this.fileSink(entry, handle, destination);
  }

  /** Writes to the open file; a failed write (disk full) is reported and the partial file removed. */
  private fileSink(entry: EntryHeader, file: FileHandle, destination: string): EntrySink {
    let failed = false;
    const remove = async () => {
      await file.close();
      await unlink(destination).catch(() => undefined);
    };
    return {
      write: async (chunk) => {
        try {
          await file.write(chunk);
          return true;
        } catch (error) {
          failed = true;
          const code = error instanceof Error && 'code' in error ? String(error.code) : 'write error';
          this.report.error(
            entry.path,
            'extract_failed',
            `${quoteValue(entry.path)} cannot be extracted (${code})`,
          );
          return false;
        }
      },
      end: async () => (failed ? remove() : file.close()),
      abort: remove,
    };
  }
}

/** A sink keeping at most `maxBytes` first bytes of an entry, then handing them to `done` (with `whole`). */
export function headSink(
  entry: EntryHeader,
  maxBytes: number,
  done: (bytes: Uint8Array, whole: boolean) => void,
): EntrySink {
  const buffer = new Uint8Array(Math.min(entry.size, maxBytes));
  let filled = 0;
  return {
    write: async (chunk) => {
      const take = Math.min(chunk.length, buffer.length - filled);
      buffer.set(chunk.subarray(0, take), filled);
      filled += take;
      return filled < buffer.length;
    },
    end: async () => done(buffer.subarray(0, filled), filled === entry.size),
    abort: async () => undefined,
  };
}

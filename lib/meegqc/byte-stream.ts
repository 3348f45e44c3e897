/** A Readable over bytes [start, end) of an open ByteSource, read in bounded chunks; it closes the source. */
import { Readable } from 'node:stream';
import type { ByteSource } from '../readers/source';

export const CHUNK_BYTES = 256 * 1024;

export function byteSourceStream(source: ByteSource, start = 0, end = source.size): Readable {
  let position = start;
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await source.close();
  };
  return new Readable({
    highWaterMark: CHUNK_BYTES,
    read() {
      const length = Math.min(CHUNK_BYTES, end - position);
      if (length <= 0) {
        this.push(null);
        return;
      }
      source.read(position, length).then(
        (bytes) => {
          position += length;
          this.push(bytes);
        },
        (error: unknown) => this.destroy(error instanceof Error ? error : new Error(String(error))),
      );
    },
    destroy(error, callback) {
      close().then(
        () => callback(error),
        () => callback(error),
      );
    },
  });
}

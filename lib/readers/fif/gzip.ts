/**
 * .fif.gz support: gzip has no random access, so the file is inflated once, in a streaming way, into memory with a
 * hard cap on the decompressed size, and then read like any in-memory file.
 */
import { createGunzip } from 'node:zlib';
import { memorySource, type ByteSource } from '../source';
import { unreadableRecording } from '../../core/errors';

export const DEFAULT_MAX_DECOMPRESSED_BYTES = 512 * 1024 * 1024;
const READ_CHUNK = 1024 * 1024;

export async function gunzipSource(compressed: ByteSource, maxBytes: number): Promise<ByteSource> {
  const parts: Buffer[] = [];
  let total = 0;
  const gunzip = createGunzip();
  const done = new Promise<void>((resolve, reject) => {
    gunzip.on('data', (chunk: Buffer) => {
      total += chunk.length;
      if (total > maxBytes) {
        gunzip.destroy();
        reject(
          unreadableRecording(
            `${compressed.name} inflates to more than ${maxBytes} bytes (the decompression cap)`,
          ),
        );
        return;
      }
      parts.push(chunk);
    });
    gunzip.on('end', resolve);
    gunzip.on('error', (e: Error) =>
      reject(unreadableRecording(`${compressed.name} is not valid gzip: ${e.message}`)),
    );
  });
  done.catch(() => undefined); // rejection is observed below; avoid an unhandled rejection while feeding
  for (let offset = 0; offset < compressed.size && !gunzip.destroyed; offset += READ_CHUNK) {
    const chunk = await compressed.read(offset, Math.min(READ_CHUNK, compressed.size - offset));
    if (!gunzip.write(chunk)) await drainOrFail(gunzip, done);
  }
  if (!gunzip.destroyed) gunzip.end();
  await done;
  return memorySource(new Uint8Array(Buffer.concat(parts, total)), compressed.name.replace(/\.gz$/i, ''));
}

/** Waits for the stream to accept more input, or for it to fail. */
function drainOrFail(stream: NodeJS.WritableStream, done: Promise<void>): Promise<void> {
  return Promise.race([new Promise<void>((resolve) => stream.once('drain', () => resolve())), done]);
}

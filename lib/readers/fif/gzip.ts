/**
 * .fif.gz support: gzip has no random access, so the file is inflated once, in a streaming way, into memory
 * within the decoded-size budget, and then read like an in-memory file. The size the gzip trailer declares is
 * checked before inflating anything; the stream is then counted as it comes and stopped at the budget. The
 * inflated bytes are kept in fixed blocks (never concatenated), so memory stays the inflated size plus one block.
 */
import { createGunzip } from 'node:zlib';
import { checkRange, type ByteSource } from '../source';
import { unreadableRecording } from '../../core/errors';

const READ_CHUNK = 1024 * 1024;
const BLOCK_BYTES = 1024 * 1024;
/** zlib's output chunk: fewer, larger chunks than its 16 KiB default. */
const INFLATE_CHUNK = 256 * 1024;
/** A gzip member is at least a 10-byte header and an 8-byte trailer. */
const MIN_GZIP_BYTES = 18;

export async function gunzipSource(compressed: ByteSource, maxBytes: number): Promise<ByteSource> {
  const declared = await declaredSize(compressed);
  if (declared > maxBytes) throw overBudget(compressed.name, maxBytes, declared);
  const blocks = await inflateIntoBlocks(compressed, maxBytes);
  return blockSource(blocks, compressed.name.replace(/\.gz$/i, ''));
}

/** The trailer's ISIZE: the uncompressed size modulo 2^32 (of the last member); a hint, never trusted alone. */
async function declaredSize(compressed: ByteSource): Promise<number> {
  if (compressed.size < MIN_GZIP_BYTES) throw unreadableRecording(`${compressed.name} is too short for gzip`);
  const trailer = await compressed.read(compressed.size - 4, 4);
  return new DataView(trailer.buffer, trailer.byteOffset, 4).getUint32(0, true);
}

function overBudget(name: string, maxBytes: number, declared?: number): Error {
  const what =
    declared === undefined ? 'inflates to more than' : `declares ${declared} bytes inflated, more than`;
  return unreadableRecording(`${name} ${what} the decoded-size limit of ${maxBytes} bytes`);
}

/** Fixed-size blocks filled in order; `length` bytes are valid in total. */
interface Blocks {
  list: Uint8Array[];
  length: number;
}

/** Appends `chunk`, refusing before allocating when the total would pass `maxBytes`. */
function append(blocks: Blocks, chunk: Uint8Array, maxBytes: number, name: string): void {
  if (blocks.length + chunk.length > maxBytes) throw overBudget(name, maxBytes);
  let from = 0;
  while (from < chunk.length) {
    const at = blocks.length % BLOCK_BYTES;
    if (at === 0) blocks.list.push(new Uint8Array(Math.min(BLOCK_BYTES, maxBytes - blocks.length)));
    const block = blocks.list[blocks.list.length - 1] as Uint8Array;
    const n = Math.min(chunk.length - from, block.length - at);
    block.set(chunk.subarray(from, from + n), at);
    from += n;
    blocks.length += n;
  }
}

async function inflateIntoBlocks(compressed: ByteSource, maxBytes: number): Promise<Blocks> {
  const blocks: Blocks = { list: [], length: 0 };
  const gunzip = createGunzip({ chunkSize: INFLATE_CHUNK });
  const done = new Promise<void>((resolve, reject) => {
    gunzip.on('data', (chunk: Buffer) => {
      try {
        append(blocks, chunk, maxBytes, compressed.name);
      } catch (e) {
        gunzip.destroy();
        blocks.list = []; // let the partial output go at once
        reject(e);
      }
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
  return blocks;
}

/** Waits for the stream to accept more input, or for it to fail. */
function drainOrFail(stream: NodeJS.WritableStream, done: Promise<void>): Promise<void> {
  return Promise.race([new Promise<void>((resolve) => stream.once('drain', () => resolve())), done]);
}

/** A ByteSource over the blocks: reads inside one block are views, reads across blocks one copy. */
function blockSource(blocks: Blocks, name: string): ByteSource {
  const size = blocks.length;
  let bytesRead = 0;
  const read = async (offset: number, length: number): Promise<Uint8Array> => {
    checkRange(name, size, offset, length);
    bytesRead += length;
    const first = Math.floor(offset / BLOCK_BYTES);
    const at = offset % BLOCK_BYTES;
    const block = blocks.list[first] as Uint8Array;
    if (at + length <= BLOCK_BYTES) return block.subarray(at, at + length);
    const out = new Uint8Array(length);
    for (let done = 0, k = first; done < length; k++) {
      const from = k === first ? at : 0;
      const part = (blocks.list[k] as Uint8Array).subarray(
        from,
        from + Math.min(length - done, BLOCK_BYTES - from),
      );
      out.set(part, done);
      done += part.length;
    }
    return out;
  };
  return {
    name,
    size,
    get bytesRead() {
      return bytesRead;
    },
    read,
    async close() {
      blocks.list = [];
    },
  };
}

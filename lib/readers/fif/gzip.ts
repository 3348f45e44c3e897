/**
 * .fif.gz support: gzip has no random access, so the file is inflated once, in a streaming way, into memory
 * within the decoded-size budget, and then read like an in-memory file. The size the gzip trailer declares is
 * checked before inflating anything; the stream is then counted as it comes and stopped at the budget. The
 * inflated bytes are kept as zlib hands them over (views into its 1 MiB output buffers, neither copied nor
 * concatenated), so memory stays the inflated size plus at most one output buffer.
 */
import { createGunzip } from 'node:zlib';
import { checkRange, type ByteSource } from '../source';
import { unreadableRecording } from '../../core/errors';

const READ_CHUNK = 1024 * 1024;
/** zlib's output buffer: few, large chunks (its 16 KiB default costs a thread-pool round per chunk). */
const INFLATE_CHUNK = 1024 * 1024;
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

/** The inflated bytes in order: `list[k]` starts at offset `starts[k]`; `length` bytes in total. */
interface Blocks {
  list: Uint8Array[];
  starts: number[];
  length: number;
}

/** Keeps `chunk` (zlib's own output, not copied), refusing when the total would pass `maxBytes`. */
function append(blocks: Blocks, chunk: Uint8Array, maxBytes: number, name: string): void {
  if (blocks.length + chunk.length > maxBytes) throw overBudget(name, maxBytes);
  if (chunk.length === 0) return;
  // A plain view, so readers get Uint8Array semantics (a Buffer's slice() would not copy).
  blocks.list.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length));
  blocks.starts.push(blocks.length);
  blocks.length += chunk.length;
}

async function inflateIntoBlocks(compressed: ByteSource, maxBytes: number): Promise<Blocks> {
  const blocks: Blocks = { list: [], starts: [], length: 0 };
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

/** Index of the block holding byte `offset` (0 ≤ offset < blocks.length). */
function blockAt(blocks: Blocks, offset: number): number {
  let lo = 0;
  let hi = blocks.starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((blocks.starts[mid] as number) <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** A ByteSource over the blocks: reads inside one block are views, reads across blocks one copy. */
function blockSource(blocks: Blocks, name: string): ByteSource {
  const size = blocks.length;
  let bytesRead = 0;
  const read = async (offset: number, length: number): Promise<Uint8Array> => {
    checkRange(name, size, offset, length);
    bytesRead += length;
    if (length === 0) return new Uint8Array(0);
    const first = blockAt(blocks, offset);
    const block = blocks.list[first] as Uint8Array;
    const at = offset - (blocks.starts[first] as number);
    if (at + length <= block.length) return block.subarray(at, at + length);
    const out = new Uint8Array(length);
    for (let done = 0, k = first; done < length; k++) {
      const from = k === first ? at : 0;
      const part = (blocks.list[k] as Uint8Array).subarray(from, from + (length - done));
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
      blocks.starts = [];
    },
  };
}

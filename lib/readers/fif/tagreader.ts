/**
 * Reads tag headers and payloads from a ByteSource while the file is being opened. Small reads are served from
 * a few recent read-ahead chunks (headers and measurement-info tags sit close together, and payloads are read
 * after the scan that loaded their chunk), large payloads are read directly, so opening a file touches its header
 * region and the headers of its data buffers, not its data.
 */
import { LIMITS } from '../types';
import type { ByteSource } from '../source';
import { unreadableRecording } from '../../core/errors';
import { TAG_HEADER_BYTES, parseTagHeader, type TagHeader } from './tags';

export interface TagReader {
  readonly source: ByteSource;
  readonly size: number;
  /** Bytes [offset, offset+length); both must lie inside the file. */
  read(offset: number, length: number): Promise<Uint8Array>;
  /**
   * The tag header at `pos`, checked so that its payload lies inside the file. `readAhead` bounds the chunk loaded
   * on a cache miss (small after a large payload, whose neighbour is usually another large payload).
   */
  readHeader(pos: number, readAhead?: number): Promise<TagHeader>;
  /** The payload of a (header-region) tag, at most LIMITS.maxHeaderBytes. */
  readPayload(tag: TagHeader): Promise<Uint8Array>;
}

export const CHUNK_BYTES = 64 * 1024;
/** Read-ahead after a payload larger than a chunk. */
export const SMALL_READ_AHEAD = 4 * 1024;
/** Chunks kept (at most MAX_CHUNKS · CHUNK_BYTES of memory per open file). */
const MAX_CHUNKS = 16;

interface Chunk {
  offset: number;
  bytes: Uint8Array;
}

export function tagReader(source: ByteSource): TagReader {
  const size = source.size;
  const chunks: Chunk[] = []; // most recent last

  async function read(offset: number, length: number, readAhead = CHUNK_BYTES): Promise<Uint8Array> {
    if (offset < 0 || length < 0 || offset + length > size) {
      throw unreadableRecording(
        `${source.name}: ${length} bytes at offset ${offset} pass the end (${size} bytes)`,
      );
    }
    const hit = chunks.find((c) => offset >= c.offset && offset + length <= c.offset + c.bytes.length);
    if (hit) return hit.bytes.subarray(offset - hit.offset, offset - hit.offset + length);
    if (length > readAhead) return source.read(offset, length);
    const bytes = await source.read(offset, Math.min(readAhead, size - offset));
    chunks.push({ offset, bytes });
    if (chunks.length > MAX_CHUNKS) chunks.shift();
    return bytes.subarray(0, length);
  }

  async function readHeader(pos: number, readAhead = CHUNK_BYTES): Promise<TagHeader> {
    if (!Number.isSafeInteger(pos) || pos < 0 || pos + TAG_HEADER_BYTES > size) {
      throw unreadableRecording(
        `${source.name}: tag header at offset ${pos} passes the end of the file (${size} bytes)`,
      );
    }
    const header = parseTagHeader(await read(pos, TAG_HEADER_BYTES, readAhead), pos);
    checkTagFits(header, size, source.name);
    return header;
  }

  async function readPayload(tag: TagHeader): Promise<Uint8Array> {
    if (tag.size > LIMITS.maxHeaderBytes) {
      throw unreadableRecording(`${source.name}: tag ${tag.kind} at ${tag.pos} claims ${tag.size} bytes`);
    }
    checkTagFits(tag, size, source.name);
    return read(tag.pos + TAG_HEADER_BYTES, tag.size);
  }

  return { source, size, read: (offset, length) => read(offset, length), readHeader, readPayload };
}

/** A tag's payload must lie inside the file. */
export function checkTagFits(tag: TagHeader, fileSize: number, name: string): void {
  if (tag.size < 0 || tag.pos < 0 || tag.pos + TAG_HEADER_BYTES + tag.size > fileSize) {
    throw unreadableRecording(
      `${name}: tag ${tag.kind} at offset ${tag.pos} with ${tag.size} bytes passes the end of the file (${fileSize} bytes)`,
    );
  }
}

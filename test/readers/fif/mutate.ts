/** Helpers that locate tags in a FIF file's bytes (independently of the reader) and mutate copies in memory. */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { memoryFs, type SourceFs } from '../../../lib/readers/source';

export interface RawTag {
  kind: number;
  type: number;
  size: number;
  next: number;
  pos: number;
}

export function loadBytes(path: string): Uint8Array {
  const bytes = readFileSync(path);
  return new Uint8Array(path.endsWith('.gz') ? gunzipSync(bytes) : bytes);
}

/** Follows the tag chain from offset 0 until the tag whose next is negative. */
export function listTags(bytes: Uint8Array): RawTag[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tags: RawTag[] = [];
  let pos = 0;
  while (pos + 16 <= bytes.length && tags.length < 1_000_000) {
    const tag = {
      kind: view.getInt32(pos),
      type: view.getUint32(pos + 4),
      size: view.getInt32(pos + 8),
      next: view.getInt32(pos + 12),
      pos,
    };
    tags.push(tag);
    if (tag.next < 0) break;
    pos = tag.next === 0 ? pos + 16 + tag.size : tag.next;
  }
  return tags;
}

export function firstTag(bytes: Uint8Array, kind: number, nth = 0): RawTag {
  const tag = listTags(bytes).filter((t) => t.kind === kind)[nth];
  if (!tag) throw new Error(`no tag of kind ${kind}`);
  return tag;
}

/** A copy with the int32 at `offset` replaced. */
export function withInt32(bytes: Uint8Array, offset: number, value: number): Uint8Array {
  const copy = bytes.slice();
  new DataView(copy.buffer).setInt32(offset, value);
  return copy;
}

/** An in-memory file system holding one file. */
export function oneFileFs(path: string, bytes: Uint8Array): SourceFs {
  return memoryFs(new Map([[path, bytes]]));
}

export const TAG_KIND = {
  dirPointer: 101,
  nchan: 200,
  chInfo: 203,
  dataBuffer: 300,
  epoch: 302,
  blockStart: 104,
  nop: 108,
} as const;

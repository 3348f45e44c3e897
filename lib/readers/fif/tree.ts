/**
 * The tag directory and block tree of a FIF file (MNE's `io/open.py:_fiff_open` and `io/tree.py:make_dir_tree`).
 * The directory comes from the FIFF_DIR tag when the file has one, otherwise from a sequential scan that follows
 * `next` pointers with loop, count and bounds protection.
 */
import { LIMITS } from '../types';
import { unreadableRecording } from '../../core/errors';
import { TAG, TYPE } from './constants';
import { TAG_HEADER_BYTES, decodeDirEntries, decodeInt, type TagHeader } from './tags';
import { CHUNK_BYTES, SMALL_READ_AHEAD, checkTagFits, type TagReader } from './tagreader';

export interface FifNode {
  /** Block kind (0 for the root). */
  block: number;
  /** Tags directly inside this block, in file order (block start/end tags excluded). */
  entries: TagHeader[];
  children: FifNode[];
}

const MAX_BLOCK_DEPTH = 64;

/** Checks the file id and directory pointer, then returns the tag directory. */
export async function readDirectory(reader: TagReader): Promise<TagHeader[]> {
  const name = reader.source.name;
  const first = await readFirstHeader(reader);
  if (first.kind !== TAG.fileId || first.type !== TYPE.idStruct || first.size !== 20) {
    throw unreadableRecording(`${name} does not start with a FIF file id tag`);
  }
  const pointer = await reader.readHeader(TAG_HEADER_BYTES + first.size);
  if (pointer.kind !== TAG.dirPointer) throw unreadableRecording(`${name} has no FIF directory pointer`);
  const dirPos = decodeInt(await reader.readPayload(pointer), 'directory pointer');
  // Like MNE: a pointer > 0 is used when a tag can be read there; one past the end means "scan instead".
  if (dirPos > 0 && dirPos + TAG_HEADER_BYTES <= reader.size) return readDirTag(reader, dirPos);
  return scanTags(reader);
}

async function readFirstHeader(reader: TagReader): Promise<TagHeader> {
  if (reader.size < 2 * TAG_HEADER_BYTES + 24) {
    throw unreadableRecording(`${reader.source.name} is too short for a FIF file (${reader.size} bytes)`);
  }
  return reader.readHeader(0);
}

async function readDirTag(reader: TagReader, dirPos: number): Promise<TagHeader[]> {
  const name = reader.source.name;
  const tag = await reader.readHeader(dirPos);
  if (tag.kind !== TAG.dir || tag.type !== TYPE.dirEntryStruct) {
    throw unreadableRecording(`${name}: the directory pointer (${dirPos}) does not point at a FIF directory`);
  }
  if (tag.size / 16 > LIMITS.maxTags)
    throw unreadableRecording(`${name}: directory with ${tag.size / 16} entries`);
  const entries = decodeDirEntries(await reader.source.read(tag.pos + TAG_HEADER_BYTES, tag.size));
  for (const entry of entries) checkTagFits(entry, reader.size, name);
  return entries;
}

/** Sequential scan (MNE's "read_slow"): next 0 = following tag, > 0 = absolute offset, < 0 = last tag. */
export async function scanTags(reader: TagReader): Promise<TagHeader[]> {
  const name = reader.source.name;
  const tags: TagHeader[] = [];
  const visited = new Set<number>();
  let pos = 0;
  let readAhead: number | undefined;
  for (;;) {
    if (pos === reader.size)
      throw unreadableRecording(`${name} ends without the FIF end-of-file tag (truncated?)`);
    if (visited.has(pos)) throw unreadableRecording(`${name}: tag chain loops back to offset ${pos}`);
    if (tags.length >= LIMITS.maxTags)
      throw unreadableRecording(`${name} has more than ${LIMITS.maxTags} tags`);
    visited.add(pos);
    const tag = await reader.readHeader(pos, readAhead);
    tags.push(tag);
    if (tag.next < 0) return tags;
    readAhead = tag.size > CHUNK_BYTES ? SMALL_READ_AHEAD : undefined;
    pos = tag.next === 0 ? pos + TAG_HEADER_BYTES + tag.size : tag.next;
  }
}

/** Builds the block tree. As in MNE, a block end closes the innermost block and an unmatched end stops the tree. */
export async function buildTree(reader: TagReader, directory: readonly TagHeader[]): Promise<FifNode> {
  const root: FifNode = { block: 0, entries: [], children: [] };
  const stack: FifNode[] = [root];
  for (const entry of directory) {
    const current = stack[stack.length - 1] ?? root;
    if (entry.kind === TAG.blockStart) {
      if (stack.length > MAX_BLOCK_DEPTH)
        throw unreadableRecording(`blocks nested deeper than ${MAX_BLOCK_DEPTH}`);
      const child: FifNode = {
        block: decodeInt(await reader.readPayload(entry), 'block start'),
        entries: [],
        children: [],
      };
      current.children.push(child);
      stack.push(child);
    } else if (entry.kind === TAG.blockEnd) {
      if (stack.length === 1) break;
      stack.pop();
    } else {
      current.entries.push(entry);
    }
  }
  return root;
}

/** All blocks of `kind` in `node` and below, in pre-order (MNE's `dir_tree_find`). */
export function findBlocks(node: FifNode, kind: number): FifNode[] {
  const out: FifNode[] = [];
  const visit = (n: FifNode): void => {
    if (n.block === kind) out.push(n);
    for (const c of n.children) visit(c);
  };
  visit(node);
  return out;
}

/** The first tag of `kind` directly inside `node`. */
export function findEntry(node: FifNode, kind: number): TagHeader | undefined {
  return node.entries.find((e) => e.kind === kind);
}

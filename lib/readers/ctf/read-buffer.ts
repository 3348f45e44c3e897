/**
 * The buffer a CTF reader's large reads go into, kept between them (one per thread; a read while it is taken gets its
 * own): trial reads (a map of a short-trial recording reads whole channel runs, a few MB) and, at each open, the
 * `.res4` compensation records (2.7 MB in the shared test dataset). A new buffer each time made V8 run a full
 * collection every 15 or so CTF maps for the external memory alone (20 per 300 maps against 1 for BrainVision).
 * Buffers over MAX_KEPT_READ_BYTES are not kept.
 *
 * A buffer given back may say what it holds (`content`: `length` bytes of a source from `offset`): the next read of
 * the same bytes from the same source takes them from here (takeKeptBytes) instead of reading the file again, as a
 * viewer moving its window within one trial does. A source stands for one open file: a recording whose files changed
 * is opened anew (the recording cache checks their signatures on every use), with new sources.
 */
const MAX_KEPT_READ_BYTES = 16 * 1024 * 1024;
let keptRead: Uint8Array | undefined;

/** What the kept buffer holds: `length` bytes of `source` from `offset`, at the buffer's start. */
export interface KeptContent {
  source: object;
  offset: number;
  length: number;
}
let keptContent: KeptContent | undefined;

/** The kept buffer when it is free and large enough, else a new one of `bytes`. */
export function takeReadBuffer(bytes: number): Uint8Array {
  const kept = keptRead;
  if (kept && kept.length >= bytes) {
    keptRead = undefined;
    keptContent = undefined;
    return kept;
  }
  return new Uint8Array(bytes);
}

/**
 * Gives a buffer back to be kept, within the bound: the larger of it and the one kept, or it whatever its size when
 * it comes with what it holds (`content`, to be read again).
 */
export function giveReadBuffer(buffer: Uint8Array, content?: KeptContent): void {
  if (buffer.length > MAX_KEPT_READ_BYTES) return;
  if (keptRead !== undefined && keptRead.length >= buffer.length && !content) return;
  keptRead = buffer;
  keptContent = content && content.length <= buffer.length ? content : undefined;
}

/**
 * The kept buffer, taken, when it holds `length` bytes of `source` from `offset` (at the buffer's start); else
 * undefined. Given back with giveReadBuffer and the same content.
 */
export function takeKeptBytes(source: object, offset: number, length: number): Uint8Array | undefined {
  const c = keptContent;
  if (!keptRead || !c || c.source !== source || c.offset !== offset || c.length !== length) return undefined;
  const kept = keptRead;
  keptRead = undefined;
  keptContent = undefined;
  return kept;
}

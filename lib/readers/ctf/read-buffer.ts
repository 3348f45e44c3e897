/**
 * The buffer a CTF reader's large reads go into, kept between them (one per thread; a read while it is taken gets its
 * own): trial reads (a map of a short-trial recording reads whole channel runs, a few MB) and, at each open, the
 * `.res4` compensation records (2.7 MB in the shared test dataset). A new buffer each time made V8 run a full
 * collection every 15 or so CTF maps for the external memory alone (20 per 300 maps against 1 for BrainVision).
 * Buffers over MAX_KEPT_READ_BYTES are not kept.
 */
const MAX_KEPT_READ_BYTES = 16 * 1024 * 1024;
let keptRead: Uint8Array | undefined;

/** The kept buffer when it is free and large enough, else a new one of `bytes`. */
export function takeReadBuffer(bytes: number): Uint8Array {
  const kept = keptRead;
  if (kept && kept.length >= bytes) {
    keptRead = undefined;
    return kept;
  }
  return new Uint8Array(bytes);
}

/** Gives a buffer back to be kept (the larger of it and the one kept, within the bound). */
export function giveReadBuffer(buffer: Uint8Array): void {
  if (buffer.length <= MAX_KEPT_READ_BYTES && (keptRead === undefined || keptRead.length < buffer.length))
    keptRead = buffer;
}

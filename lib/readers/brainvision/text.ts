/**
 * Text decoding as MNE 1.3 does for .vhdr/.vmrk: the first `Codepage=` value found in the ASCII view of the
 * text ("ANSI" = cp1252), UTF-8 by default, and latin-1 when strict decoding fails. Python's codecs are strict:
 * cp1252 has five undefined bytes, which send the text to the latin-1 fallback too.
 */
import { quoteValue, unsupportedFormat } from '../../core/errors';

type Codec = 'utf-8' | 'cp1252' | 'latin-1' | 'ascii';

const CODEC_NAMES: Record<string, Codec> = {
  utf_8: 'utf-8',
  utf8: 'utf-8',
  u8: 'utf-8',
  utf: 'utf-8',
  cp65001: 'utf-8',
  cp1252: 'cp1252',
  windows_1252: 'cp1252',
  ansi: 'cp1252',
  latin_1: 'latin-1',
  latin1: 'latin-1',
  latin: 'latin-1',
  l1: 'latin-1',
  iso_8859_1: 'latin-1',
  iso8859_1: 'latin-1',
  '8859': 'latin-1',
  cp819: 'latin-1',
  iso_ir_100: 'latin-1',
  ascii: 'ascii',
  us_ascii: 'ascii',
  '646': 'ascii',
};
const CP1252_UNDEFINED = new Set([0x81, 0x8d, 0x8f, 0x90, 0x9d]);

/** Python's `bytes.decode('ascii', 'ignore')`. */
export function asciiIgnore(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) if (b < 0x80) out += String.fromCharCode(b);
  return out;
}

export function latin1(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 8192) out += String.fromCharCode(...bytes.subarray(i, i + 8192));
  return out;
}

function codecOf(name: string): Codec {
  // "ANSI" is matched exactly by MNE; other names go through Python's codec lookup (case and -/space insensitive).
  if (name === 'ANSI') return 'cp1252';
  const codec = CODEC_NAMES[name.toLowerCase().replace(/[-\s]/g, '_')];
  if (!codec || name.toLowerCase() === 'ansi')
    throw unsupportedFormat(`BrainVision code page ${quoteValue(name)} is not supported`);
  return codec;
}

function strictDecode(bytes: Uint8Array, codec: Codec): string | null {
  if (codec === 'latin-1') return latin1(bytes);
  if (codec === 'ascii') return bytes.every((b) => b < 0x80) ? latin1(bytes) : null;
  if (codec === 'cp1252' && bytes.some((b) => CP1252_UNDEFINED.has(b))) return null;
  try {
    return new TextDecoder(codec === 'cp1252' ? 'windows-1252' : 'utf-8', {
      fatal: true,
      ignoreBOM: true,
    }).decode(bytes);
  } catch {
    return null;
  }
}

/** Decodes `bytes`, taking the code page from the first "Codepage=" line of `searchIn` (ASCII view). */
export function decodeWithCodepage(bytes: Uint8Array, searchIn: string = asciiIgnore(bytes)): string {
  const setting = /Codepage=([^\n]+)/.exec(searchIn);
  const codec = setting ? codecOf((setting[1] ?? '').trim()) : 'utf-8';
  return strictDecode(bytes, codec) ?? latin1(bytes);
}

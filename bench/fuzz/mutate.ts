/**
 * Mutations of one file's bytes: bit flips, byte runs, truncation, extension, splices, 32-bit words set to
 * boundary values, known header fields set to 0, -1, huge or nonsense, and line edits of text headers.
 * Each returns a new array and a short description (for reports and regression tests).
 */
import type { Field } from './fields';
import type { Rng } from './rng';

export interface Mutation {
  bytes: Uint8Array;
  description: string;
}

export interface MutationTarget {
  bytes: Uint8Array;
  /** Bytes where headers live (mutations favour them). */
  headerBytes: number;
  fields: Field[];
  text: boolean;
}

const INTS = [
  0, -1, 1, 2, 3, 7, 255, 0x7fff, -0x8000, 0xffff, 0x7fffffff, -0x80000000, 1_000_000, 100_000_000,
];
const FLOATS = [0, -0, -1, 1e-300, 1e300, Number.NaN, Infinity, -Infinity, 5e-324, 1e9];
const STRINGS = [
  '0',
  '-1',
  '1',
  '',
  ' ',
  'NaN',
  'inf',
  '-inf',
  '1e308',
  '-1e308',
  '99999999',
  '2147483648',
  '1e-320',
  'abc',
  '0.0',
  '-0',
  '1,2',
  '%',
  '\u0000',
];

/** A position, half of the time inside the header region. */
const position = (rng: Rng, t: MutationTarget): number =>
  rng.chance(0.5)
    ? rng.int(Math.max(1, Math.min(t.headerBytes, t.bytes.length)))
    : rng.int(Math.max(1, t.bytes.length));

function bitFlips(rng: Rng, t: MutationTarget): Mutation {
  const bytes = t.bytes.slice();
  const n = 1 + rng.int(8);
  const at: number[] = [];
  for (let i = 0; i < n && bytes.length > 0; i++) {
    const p = position(rng, t);
    bytes[p] = (bytes[p] as number) ^ (1 << rng.int(8));
    at.push(p);
  }
  return { bytes, description: `bit flips at ${at.join(',')}` };
}

function byteRun(rng: Rng, t: MutationTarget): Mutation {
  const bytes = t.bytes.slice();
  const at = position(rng, t);
  const length = 1 + rng.int(rng.chance(0.8) ? 16 : 512);
  const fill = rng.pick(['zero', 'ff', 'random'] as const);
  for (let i = at; i < Math.min(bytes.length, at + length); i++)
    bytes[i] = fill === 'zero' ? 0 : fill === 'ff' ? 255 : rng.int(256);
  return { bytes, description: `${length} bytes of ${fill} at ${at}` };
}

function truncate(rng: Rng, t: MutationTarget): Mutation {
  const n = t.bytes.length;
  const length = rng.chance(0.1) ? 0 : rng.chance(0.5) ? rng.int(Math.min(n, t.headerBytes) + 1) : rng.int(n);
  return { bytes: t.bytes.slice(0, length), description: `truncated to ${length} of ${n} bytes` };
}

function extend(rng: Rng, t: MutationTarget): Mutation {
  const extra = 1 + rng.int(4096);
  const bytes = new Uint8Array(t.bytes.length + extra);
  bytes.set(t.bytes);
  if (rng.chance(0.5)) for (let i = t.bytes.length; i < bytes.length; i++) bytes[i] = rng.int(256);
  return { bytes, description: `extended by ${extra} bytes` };
}

function splice(rng: Rng, t: MutationTarget): Mutation {
  const bytes = t.bytes.slice();
  const from = position(rng, t);
  const to = position(rng, t);
  const length = Math.min(1 + rng.int(256), bytes.length - from, bytes.length - to);
  bytes.copyWithin(to, from, from + Math.max(0, length));
  return { bytes, description: `copied ${length} bytes from ${from} to ${to}` };
}

function word(rng: Rng, t: MutationTarget): Mutation {
  const bytes = t.bytes.slice();
  if (bytes.length < 4) return { bytes, description: 'word: file too short' };
  const at = Math.min(position(rng, t) & ~3, bytes.length - 4);
  const value = rng.chance(0.2) ? rng.int(2 * t.bytes.length) : rng.pick(INTS);
  const little = rng.chance(0.5);
  new DataView(bytes.buffer).setInt32(at, value | 0, little);
  return { bytes, description: `int32${little ? 'le' : 'be'} at ${at} = ${value | 0}` };
}

function writeField(bytes: Uint8Array, f: Field, rng: Rng, size: number): string {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const anInt = (): number =>
    rng.chance(0.15) ? rng.pick([size, size + 1, size - 1, 2 * size]) : rng.pick(INTS);
  switch (f.type) {
    case 'ascii': {
      const width = f.width ?? 8;
      const text = (rng.chance(0.8) ? rng.pick(STRINGS) : String(anInt())).slice(0, width).padEnd(width, ' ');
      for (let i = 0; i < width && f.at + i < bytes.length; i++) bytes[f.at + i] = text.charCodeAt(i) & 0xff;
      return JSON.stringify(text);
    }
    case 'u8': {
      const v = rng.int(256);
      bytes[f.at] = v;
      return String(v);
    }
    case 'f32be':
    case 'f64be':
    case 'f64le': {
      const v = rng.chance(0.7) ? rng.pick(FLOATS) : anInt();
      if (f.type === 'f32be') dv.setFloat32(f.at, v);
      else dv.setFloat64(f.at, v, f.type === 'f64le');
      return String(v);
    }
    case 'i16be': {
      const v = rng.pick([0, -1, 1, 0x7fff, -0x8000, 3, 10_000, 20_000]);
      dv.setInt16(f.at, v);
      return String(v);
    }
    default: {
      const v = anInt() | 0;
      dv.setInt32(f.at, v, f.type !== 'i32be');
      return String(v);
    }
  }
}

function fieldEdit(rng: Rng, t: MutationTarget): Mutation {
  const fields = t.fields.filter((f) => f.at >= 0 && f.at + (f.width ?? 8) <= t.bytes.length);
  if (fields.length === 0) return word(rng, t);
  const bytes = t.bytes.slice();
  const edits: string[] = [];
  const n = rng.chance(0.8) ? 1 : 2 + rng.int(3);
  for (let i = 0; i < n; i++) {
    const f = rng.pick(fields);
    edits.push(`${f.label} = ${writeField(bytes, f, rng, t.bytes.length)}`);
  }
  return { bytes, description: `fields: ${edits.join('; ')}` };
}

/** Text headers: a key's value replaced, a line deleted, duplicated or swapped, or garbage inserted. */
function textEdit(rng: Rng, t: MutationTarget): Mutation {
  const text = Buffer.from(t.bytes).toString('latin1');
  const lines = text.split('\n');
  const k = rng.int(lines.length);
  const line = lines[k] ?? '';
  let description: string;
  const op = rng.int(6);
  if (op <= 1 && /[=:]/.test(line)) {
    const sep = line.search(/[=:]/);
    const values = line.slice(sep + 1).split(',');
    const j = rng.int(values.length);
    values[j] = rng.chance(0.8) ? rng.pick(STRINGS) : String(rng.pick(INTS));
    lines[k] = `${line.slice(0, sep + 1)}${values.join(',')}`;
    description = `line ${k + 1} value ${j} = ${JSON.stringify(values[j])}`;
  } else if (op === 2) {
    lines.splice(k, 1);
    description = `line ${k + 1} deleted`;
  } else if (op === 3) {
    lines.splice(k, 0, line);
    description = `line ${k + 1} duplicated`;
  } else if (op === 4) {
    const other = rng.int(lines.length);
    [lines[k], lines[other]] = [lines[other] ?? '', line];
    description = `lines ${k + 1} and ${other + 1} swapped`;
  } else {
    lines[k] = rng.pick([
      '[',
      ']',
      '=',
      '[Common Infos]',
      'NumberOfChannels=-1',
      'x'.repeat(10_000),
      '\u0000\u00ff',
      'Ch1=,,,',
    ]);
    description = `line ${k + 1} replaced by garbage`;
  }
  return { bytes: new Uint8Array(Buffer.from(lines.join('\n'), 'latin1')), description };
}

const BINARY = [bitFlips, byteRun, truncate, extend, splice, word] as const;

/** One mutation: known fields most often, then the generic binary ones (and line edits for text). */
export function mutate(rng: Rng, t: MutationTarget): Mutation {
  const roll = rng.next();
  if (t.text && roll < 0.5) return textEdit(rng, t);
  if (!t.text && roll < 0.35) return fieldEdit(rng, t);
  return rng.pick(BINARY)(rng, t);
}

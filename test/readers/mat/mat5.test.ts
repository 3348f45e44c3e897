/** MATLAB v5 reader against files written and read back by scipy 1.10 (scripts/golden/make_mat_fixtures.py). */
import { readFileSync } from 'node:fs';
import zlib, { deflateSync } from 'node:zlib';
import fc from 'fast-check';
import { isApiError } from '../../../lib/core/errors';
import { matFileVersion, readMat5 } from '../../../lib/readers/mat/mat5';
import type { MatValue } from '../../../lib/readers/mat/types';
import { goldenPath } from '../../helpers/testdata';

type Expected =
  | { kind: 'numeric'; cls: string; dims: number[]; real: number[]; imag?: number[] }
  | { kind: 'char'; dims?: number[]; text: string }
  | { kind: 'cell'; dims: number[]; elements: Expected[] }
  | { kind: 'struct'; dims: number[]; fields: string[]; elements: Record<string, Expected>[] }
  | { kind: 'unsupported'; cls: string };

const expected = JSON.parse(readFileSync(goldenPath('mat', 'expected.json'), 'utf8')) as Record<
  string,
  Record<string, Expected>
>;
const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(goldenPath('mat', `${name}.mat`)));

/** scipy reports logical arrays as uint8 and complex ones as complex128; the MAT classes are logical and double. */
function scipyClass(name: string, cls: string): string {
  if (name === 'lgc') return 'logical';
  return cls === 'complex128' ? 'double' : cls;
}

function expectValue(actual: MatValue | undefined, exp: Expected, name: string): void {
  expect(actual?.kind).toBe(exp.kind);
  if (!actual) return;
  if (exp.kind === 'numeric' && actual.kind === 'numeric') {
    expect(actual.cls).toBe(scipyClass(name, exp.cls));
    expect(actual.dims).toEqual(exp.dims);
    expect([...actual.real]).toEqual(exp.real);
    if (exp.imag) expect([...(actual.imag ?? [])]).toEqual(exp.imag);
  } else if (exp.kind === 'char' && actual.kind === 'char') {
    expect(actual.text).toBe(exp.text);
    if (exp.dims) expect(actual.dims).toEqual(exp.dims);
  } else if (exp.kind === 'cell' && actual.kind === 'cell') {
    expect(actual.dims).toEqual(exp.dims);
    exp.elements.forEach((e, i) => expectValue(actual.elements[i], e, `${name}{${i}}`));
  } else if (exp.kind === 'struct' && actual.kind === 'struct') {
    expect(actual.dims).toEqual(exp.dims);
    expect(actual.fieldNames).toEqual(exp.fields);
    exp.elements.forEach((rec, i) => {
      for (const [f, e] of Object.entries(rec)) expectValue(actual.elements[i]?.get(f), e, `${name}.${f}`);
    });
  } else if (exp.kind === 'unsupported' && actual.kind === 'unsupported') {
    expect(actual.cls).toBe(exp.cls);
  }
}

describe.each(['plain', 'compressed'])('%s MAT-file written by scipy', (file) => {
  const vars = readMat5(fixture(file), `${file}.mat`);

  it('holds the variables scipy reads, and no others', () => {
    expect([...vars.keys()].sort()).toEqual(Object.keys(expected[file] ?? {}).sort());
  });

  it.each(Object.keys(expected.plain ?? {}))('decodes %s as scipy does', (name) => {
    expectValue(vars.get(name), (expected[file] ?? {})[name] as Expected, name);
  });
});

function apiErrorCode(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    if (isApiError(e)) return e.code;
    throw e;
  }
  return undefined;
}

describe('MAT v5 bad input', () => {
  it('recognises v5 and v7.3 headers only', () => {
    expect(matFileVersion(fixture('plain'))).toBe('v5');
    const v73 = new Uint8Array(128);
    v73.set(new TextEncoder().encode('MATLAB 7.3 MAT-file'));
    expect(matFileVersion(v73)).toBe('v7.3');
    expect(matFileVersion(new Uint8Array(128))).toBeNull();
  });

  it.each(['plain', 'compressed'])(
    'turns every truncation of %s into unreadable_recording or a shorter result',
    (file) => {
      const full = fixture(file);
      for (let len = 0; len < full.length; len++) {
        let code: string | undefined;
        try {
          readMat5(full.subarray(0, len), 't.mat');
        } catch (e) {
          if (!isApiError(e)) throw e;
          code = e.code;
        }
        if (code !== undefined) expect(code).toBe('unreadable_recording');
      }
    },
  );

  it('caps decompression (the decoded-size budget)', () => {
    expect(apiErrorCode(() => readMat5(fixture('compressed'), 'c.mat', { maxDecodedBytes: 100 }))).toBe(
      'unreadable_recording',
    );
  });

  it('caps nesting depth', () => {
    expect(apiErrorCode(() => readMat5(fixture('plain'), 'p.mat', { maxDepth: 0 }))).toBe(
      'unreadable_recording',
    );
  });

  it('refuses dimensions larger than the bytes present, before allocating', () => {
    // A double matrix claiming 100000 x 100000 elements with 8 bytes of data.
    const header = new Uint8Array(128);
    header.set(new TextEncoder().encode('MATLAB 5.0 MAT-file'));
    header[124] = 0;
    header[125] = 1;
    header[126] = 'I'.charCodeAt(0);
    header[127] = 'M'.charCodeAt(0);
    const body = new DataView(new ArrayBuffer(8 + 16 + 16 + 8 + 16));
    let o = 0;
    const u32 = (v: number): void => {
      body.setUint32(o, v, true);
      o += 4;
    };
    u32(14);
    u32(56); // miMATRIX, 56 bytes
    u32(6);
    u32(8);
    u32(6);
    u32(0); // flags: mxDOUBLE
    u32(5);
    u32(8);
    u32(100000);
    u32(100000); // dims
    u32((1 << 16) | 1);
    u32(0x78); // name 'x' (small element)
    u32(9);
    u32(8); // miDOUBLE, 8 bytes
    const file = new Uint8Array(128 + body.byteLength + 8);
    file.set(header);
    file.set(new Uint8Array(body.buffer), 128);
    expect(apiErrorCode(() => readMat5(file, 'big.mat'))).toBe('unreadable_recording');
  });

  // Found by `npm run fuzz` (format attacks): with a chunk of exactly the declared size, Node's inflateSync fills
  // it and allocates a second, unused chunk of that size before it sees the end: 2x the element in memory.
  it('inflates a compressed element into one chunk larger than the size its tag declares', () => {
    const spy = jest.spyOn(zlib, 'inflateSync');
    try {
      expect(readMat5(fixture('compressed'), 'c.mat').size).toBeGreaterThan(0);
      const whole = spy.mock.calls.flatMap(([, options]) =>
        options?.maxOutputLength === undefined ? [] : [options],
      );
      expect(whole.length).toBeGreaterThan(0);
      for (const options of whole) expect(options.chunkSize).toBeGreaterThan(options.maxOutputLength ?? 0);
    } finally {
      spy.mockRestore();
    }
  });

  it('reports a corrupt zlib stream as unreadable_recording', () => {
    const file = new Uint8Array(128 + 8 + 16);
    file.set(fixture('plain').subarray(0, 128));
    const v = new DataView(file.buffer);
    v.setUint32(128, 15, true);
    v.setUint32(132, 16, true);
    file.set(deflateSync(Buffer.from('abc')).subarray(0, 5), 136);
    expect(apiErrorCode(() => readMat5(file, 'z.mat'))).toBe('unreadable_recording');
  });
});

describe('MAT v5 corruption (fast-check)', () => {
  it('answers any byte corruption of an uncompressed file with a result or unreadable_recording', () => {
    const full = fixture('plain');
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 128, max: full.length - 1 }), fc.integer({ min: 0, max: 255 })), {
          minLength: 1,
          maxLength: 6,
        }),
        (edits) => {
          const bytes = full.slice();
          for (const [at, value] of edits) bytes[at] = value;
          const code = apiErrorCode(() => readMat5(bytes, 'f.mat', { maxDecodedBytes: 1 << 20 }));
          return code === undefined || code === 'unreadable_recording';
        },
      ),
      { numRuns: 500, seed: 42 },
    );
  });
});

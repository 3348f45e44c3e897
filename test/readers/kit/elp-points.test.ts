/**
 * The .elp point scanner finds exactly the matches of MNE's pattern (the one parseElp used to run), and stays
 * linear on the inputs that make that pattern backtrack polynomially (issue 17).
 */
import fc from 'fast-check';
import { elpPointTexts } from '../../../lib/readers/kit/elp-points';
import { expectLinearEnough } from '../../helpers/linear-time';

/** MNE 1.3 `_read_dig_points`' pattern for .elp, as the reader ran it: the reference, on short strings only. */
function formerElpPointTexts(text: string): string[][] {
  const value = String.raw`-?\d+\.?\d*e?-?\d*`;
  // eslint-disable-next-line regexp/no-super-linear-backtracking, regexp/no-super-linear-move -- the replaced pattern
  const line = new RegExp(String.raw`(${value})\s+(${value})\s+(${value})\s*$`, 'gm');
  return [...text.matchAll(line)].map((m) => [m[1] ?? '', m[2] ?? '', m[3] ?? '']);
}

const elpLike = fc
  .array(
    fc.constantFrom('1', '2', '0', '.', '-', 'e', ' ', ' ', '\t', '\n', '\r', '\u2028', 'x', '%', '1 2 3\n'),
    {
      maxLength: 16,
    },
  )
  .map((chars) => chars.join(''));

/** Longer text made of number-like tokens and whitespace, closer to real .elp files. */
const elpLines = fc
  .array(
    fc.tuple(
      fc.constantFrom('1', '-2.5', '3e-1', '1-', 'x1', '.', '12.e', '%F', '-', '0.001', '7e'),
      fc.constantFrom(' ', '\t', '\n', ' \n ', '\r\n', '  '),
    ),
    { maxLength: 16 },
  )
  .map((parts) => parts.flat().join(''));

describe('elpPointTexts', () => {
  it('reads points the way MNE does', () => {
    const text = '%N\t1.5 -2e-3\t3.\n%F 10 20 30  \nx12 4 5\n1 2 3 4\n  7 8\n9\n';
    expect(elpPointTexts(text)).toEqual([
      ['1.5', '-2e-3', '3.'],
      ['10', '20', '30'],
      ['12', '4', '5'],
      ['2', '3', '4'],
      ['7', '8', '9'],
    ]);
    expect(elpPointTexts(text)).toEqual(formerElpPointTexts(text));
  });

  it('agrees with the former pattern on generated text', () => {
    fc.assert(
      fc.property(elpLike, (text) => {
        expect(elpPointTexts(text)).toEqual(formerElpPointTexts(text));
      }),
      { numRuns: 5000 },
    );
    fc.assert(
      fc.property(elpLines, (text) => {
        expect(elpPointTexts(text)).toEqual(formerElpPointTexts(text));
      }),
      { numRuns: 3000 },
    );
  });

  it.each([
    ['one long number then a bad character', (n: number) => `${'1'.repeat(n)}x`],
    ['long numbers that almost end a line', (n: number) => `${'1'.repeat(n / 2)} ${'1'.repeat(n / 2)} 1x`],
    ['numbers with many dots and exponents', (n: number) => `${'1.1e-1 '.repeat(Math.ceil(n / 7))}x`],
    ['a long first token', (n: number) => `${'-1'.repeat(n / 2)} 2 3\n`],
  ])('is linear on %s', (_name, makeInput) => {
    expectLinearEnough(elpPointTexts, makeInput);
  });
});

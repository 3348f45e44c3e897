/**
 * The decimal scanner accepts exactly what the old BrainVision/EDF pattern accepted, and stays linear on the
 * inputs that made that pattern backtrack quadratically (issue 17).
 */
import fc from 'fast-check';
import { isDecimalLiteral } from '../../../lib/readers/eeg-shared/decimal';
import { expectLinearEnough } from '../../helpers/linear-time';

// The pattern the scanner replaces, kept here as the reference (only ever run on short strings).
// eslint-disable-next-line regexp/no-super-linear-backtracking, regexp/no-unused-capturing-group, regexp/use-ignore-case -- the old pattern, verbatim
const OLD_DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

const numberish = fc
  .array(fc.constantFrom('0', '1', '9', '.', '+', '-', 'e', 'E', ' ', 'x', '٣', ','), { maxLength: 14 })
  .map((chars) => chars.join(''));

describe('isDecimalLiteral', () => {
  it.each([
    ['1', true],
    ['-1', true],
    ['+1.', true],
    ['1.5', true],
    ['.5', true],
    ['-.5e-3', true],
    ['1E+10', true],
    ['007', true],
    ['', false],
    ['.', false],
    ['+', false],
    ['1e', false],
    ['1e+', false],
    ['e5', false],
    ['1.2.3', false],
    [' 1', false],
    ['1x', false],
    ['٣', false],
    ['Infinity', false],
    ['0x10', false],
  ])('%j → %s', (text, expected) => {
    expect(isDecimalLiteral(text)).toBe(expected);
    expect(OLD_DECIMAL.test(text)).toBe(expected);
  });

  it('agrees with the old pattern on generated strings', () => {
    fc.assert(
      fc.property(numberish, (text) => isDecimalLiteral(text) === OLD_DECIMAL.test(text)),
      { numRuns: 5000 },
    );
  });

  it('agrees with the old pattern on well-formed numbers and their one-character corruptions', () => {
    const literal = fc
      .tuple(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.nat(20), fc.string({ maxLength: 1 }))
      .map(([value, at, insert]) => {
        const text = String(value);
        return text.slice(0, at) + insert + text.slice(at);
      });
    fc.assert(fc.property(literal, (text) => isDecimalLiteral(text) === OLD_DECIMAL.test(text)));
  });

  it.each([
    ['digits then a bad character', (n: number) => `${'1'.repeat(n)}x`],
    ['a fraction then a bad character', (n: number) => `1.${'1'.repeat(n)}x`],
    ['an exponent then a bad character', (n: number) => `1e${'1'.repeat(n)}x`],
    ['alternating digits and dots', (n: number) => '1.'.repeat(n / 2)],
  ])('is linear on %s', (_name, makeInput) => {
    expectLinearEnough(isDecimalLiteral, makeInput);
  });
});

/**
 * Decimal literals as the BrainVision and EDF readers accept them: exactly the strings of the pattern
 * `^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$` (ASCII digits), recognised by a single left-to-right scan.
 * The pattern itself backtracks quadratically on a long run of digits followed by a bad character
 * (issue 17: 70 KB of digits in a .vhdr took seconds); this scanner reads each character once.
 */

const isDigit = (code: number): boolean => code >= 0x30 && code <= 0x39;

/** Index of the first character at or after `from` that is not an ASCII digit. */
function skipDigits(text: string, from: number): number {
  let i = from;
  while (i < text.length && isDigit(text.charCodeAt(i))) i++;
  return i;
}

const isSign = (ch: string | undefined): boolean => ch === '+' || ch === '-';

/** True when `text` is, in full, `[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?`. */
export function isDecimalLiteral(text: string): boolean {
  let i = isSign(text[0]) ? 1 : 0;
  const intEnd = skipDigits(text, i);
  const intDigits = intEnd - i;
  i = intEnd;
  let fracDigits = 0;
  if (text[i] === '.') {
    const fracEnd = skipDigits(text, i + 1);
    fracDigits = fracEnd - (i + 1);
    i = fracEnd;
  }
  // "5", "5.", "5.2" and ".2" are mantissas; "." and "" are not.
  if (intDigits === 0 && fracDigits === 0) return false;
  if (text[i] === 'e' || text[i] === 'E') {
    const expStart = isSign(text[i + 1]) ? i + 2 : i + 1;
    i = skipDigits(text, expStart);
    if (i === expStart) return false;
  }
  return i === text.length;
}

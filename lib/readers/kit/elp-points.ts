/**
 * The points of a Polhemus .elp file as MNE 1.3's `_read_dig_points` finds them: every match of
 * `(V)\s+(V)\s+(V)\s*$` (multiline, V = `-?\d+\.?\d*e?-?\d*`), scanned left to right. That pattern backtracks
 * polynomially (V's digit runs can be split many ways), so this module finds the same matches in linear time.
 *
 * A match is three whitespace-separated tokens on which V holds: the second and third in full, the first for
 * its leftmost suffix that matches V (the engine tries start positions left to right), and the third followed
 * by whitespace that holds a line break or reaches the end of the text (`\s*$`).
 */

type Repeat = 'one' | 'optional' | 'any';
interface Piece {
  test: (ch: string) => boolean;
  repeat: Repeat;
}

const digit: Piece['test'] = (ch) => ch >= '0' && ch <= '9';
const literal =
  (c: string): Piece['test'] =>
  (ch) =>
    ch === c;

/** V, `-?\d+\.?\d*e?-?\d*`, as a sequence of single-character pieces. */
const VALUE: readonly Piece[] = [
  { test: literal('-'), repeat: 'optional' },
  { test: digit, repeat: 'one' },
  { test: digit, repeat: 'any' },
  { test: literal('.'), repeat: 'optional' },
  { test: digit, repeat: 'any' },
  { test: literal('e'), repeat: 'optional' },
  { test: literal('-'), repeat: 'optional' },
  { test: digit, repeat: 'any' },
];
/** V read from right to left. */
const VALUE_REVERSED: readonly Piece[] = [...VALUE].reverse();

/**
 * A set of positions in a piece sequence, as a bit mask (bit i: the next piece to match is i), run one
 * character at a time: linear in the text, whatever the pieces.
 */
class PieceAutomaton {
  constructor(private readonly pieces: readonly Piece[]) {}

  /** Adds the positions reachable by skipping optional and repeated pieces. */
  private closure(states: number): number {
    let out = states;
    this.pieces.forEach((piece, i) => {
      if (out & (1 << i) && piece.repeat !== 'one') out |= 1 << (i + 1);
    });
    return out;
  }

  initial(): number {
    return this.closure(1);
  }

  step(states: number, ch: string): number {
    let next = 0;
    this.pieces.forEach((piece, i) => {
      if (!(states & (1 << i)) || !piece.test(ch)) return;
      next |= piece.repeat === 'any' ? 1 << i : 1 << (i + 1);
    });
    return this.closure(next);
  }

  accepts(states: number): boolean {
    return (states & (1 << this.pieces.length)) !== 0;
  }
}

const forward = new PieceAutomaton(VALUE);
const backward = new PieceAutomaton(VALUE_REVERSED);

/** True when text[start, end) is, in full, a V. */
function isValue(text: string, start: number, end: number): boolean {
  let states = forward.initial();
  for (let i = start; i < end && states !== 0; i++) states = forward.step(states, text.charAt(i));
  return forward.accepts(states);
}

/** The smallest s in [start, end) such that text[s, end) is a V, or -1. */
function leftmostValueSuffix(text: string, start: number, end: number): number {
  let states = backward.initial();
  let found = -1;
  for (let i = end - 1; i >= start && states !== 0; i--) {
    states = backward.step(states, text.charAt(i));
    if (backward.accepts(states)) found = i;
  }
  return found;
}

const isSpace = (ch: string): boolean => /\s/.test(ch);
/** The characters before which a multiline `$` matches. */
const isLineTerminator = (ch: string): boolean => '\n\r\u2028\u2029'.includes(ch);

interface Token {
  start: number;
  end: number;
  /** The whitespace after the token holds a line terminator or runs to the end of the text. */
  endsLine: boolean;
}

function tokens(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    while (i < text.length && isSpace(text.charAt(i))) i++;
    if (i >= text.length) break;
    const start = i;
    while (i < text.length && !isSpace(text.charAt(i))) i++;
    const end = i;
    let endsLine = false;
    for (; i < text.length && isSpace(text.charAt(i)); i++) {
      if (isLineTerminator(text.charAt(i))) endsLine = true;
    }
    out.push({ start, end, endsLine: endsLine || i === text.length });
  }
  return out;
}

/** The three number texts of each point, in file order. */
export function elpPointTexts(text: string): [string, string, string][] {
  const points: [string, string, string][] = [];
  const list = tokens(text);
  let k = 0;
  while (k + 2 < list.length) {
    const [a, b, c] = [list[k], list[k + 1], list[k + 2]] as [Token, Token, Token];
    const first = c.endsLine && isValue(text, b.start, b.end) && isValue(text, c.start, c.end);
    const start = first ? leftmostValueSuffix(text, a.start, a.end) : -1;
    if (start < 0) {
      k++;
      continue;
    }
    points.push([text.slice(start, a.end), text.slice(b.start, b.end), text.slice(c.start, c.end)]);
    k += 3;
  }
  return points;
}

/**
 * TAL parsing on hand-made annotation texts. Expected values were produced by MNE 1.3's own
 * `mne.io.edf.edf._read_annotations_edf` on the same bytes (malformed TALs included), before sorting/cropping.
 */
import { parseTals } from '../../../lib/readers/edf/annotations';
import { expectLinearEnough } from '../../helpers/linear-time';

const cases: [string, [number, number, string][]][] = [
  [
    '+0\x14\x14\x00+1\x14\x00+2\x14text\x14\x00',
    [
      [1, 0, '\x00+2'],
      [1, 0, 'text'],
    ],
  ],
  [
    '+0.25\x14\x14\x00+0.5\x151.\x14a\x14b\x14\x00-1\x14neg\x14\x00',
    [
      [0.25, 1, 'a'],
      [0.25, 1, 'b'],
      [-1.25, 0, 'neg'],
    ],
  ],
  ['+3\x14\x14\x00+4\x14line\nbreak\x14\x00+5\x14ok\x14\x00', [[2, 0, 'ok']]],
  [
    '+1\x14x\x14\x00\x00\x00+2.\x150\x14\x14y\x14\x00',
    [
      [1, 0, 'x'],
      [2, 0, 'y'],
    ],
  ],
];

describe('EDF+ TAL parsing (MNE 1.3 _read_annotations_edf)', () => {
  it.each(cases)('%j', (text, expected) => {
    const got = parseTals(text).map((e) => [e.onset, e.duration, e.value]);
    expect(got).toEqual(expected);
  });

  it('stays linear on hostile text (no terminators, long digit runs)', () => {
    const hostile = [
      '+1\x14'.repeat(200_000),
      `+${'9'.repeat(500_000)}`,
      `+1\x14${'a'.repeat(500_000)}\n`,
    ].join('');
    const t0 = performance.now();
    expect(parseTals(hostile)).toEqual([]);
    expect(performance.now() - t0).toBeLessThan(2000);
  });
});

describe('EDF+ TAL parsing on adversarial text (issue 17)', () => {
  it.each([
    ['a long onset that never reaches a separator', (n: number) => `+${'1'.repeat(n)}x\x14\x00`],
    ['a long fraction before a bad duration', (n: number) => `+1.${'1'.repeat(n)}\x15x\x14\x00`],
    ['many signs and digits', (n: number) => `${'+1'.repeat(n / 2)}\x14\x00`],
    ['an unterminated text part', (n: number) => `+1\x14${'a'.repeat(n)}\n+1\x14\x00`],
  ])('stays linear on %s', (_name, makeInput) => {
    expectLinearEnough(parseTals, makeInput);
  });
});

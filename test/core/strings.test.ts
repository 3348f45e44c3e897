/** Index-based trims: the results of the /[...]+$/ patterns they replace, in linear time. */
import fc from 'fast-check';
import { trimEndOf, trimOf } from '../../lib/core/strings';
import { expectLinearEnough } from '../helpers/linear-time';

const text = fc
  .array(fc.constantFrom('/', '\\', ' ', '\t', 'a', '\0'), { maxLength: 12 })
  .map((c) => c.join(''));

describe('trimEndOf / trimOf', () => {
  it('trimEndOf removes a trailing run, as /[\\\\/]+$/ did', () => {
    // eslint-disable-next-line regexp/no-super-linear-move -- the replaced pattern, as the reference on short strings
    fc.assert(fc.property(text, (s) => trimEndOf(s, '\\/') === s.replace(/[/\\]+$/, '')));
    expect(trimEndOf('/data/x.ds///', '/')).toBe('/data/x.ds');
    expect(trimEndOf('MEG41CP\0\0', '\0')).toBe('MEG41CP');
  });

  it('trimOf removes both runs, as /^[ \\t]+|[ \\t]+$/g did', () => {
    // eslint-disable-next-line regexp/no-super-linear-move -- the replaced pattern, as the reference on short strings
    fc.assert(fc.property(text, (s) => trimOf(s, ' \t') === s.replace(/^[ \t]+|[ \t]+$/g, '')));
    expect(trimOf('   ', ' ')).toBe('');
  });

  it('is linear on a long run followed by another character', () => {
    expectLinearEnough(
      (s) => trimEndOf(s, '/'),
      (n) => `${'/'.repeat(n)}x`,
    );
    expectLinearEnough(
      (s) => trimOf(s, ' \t'),
      (n) => `x${' '.repeat(n)}x`,
    );
  });
});

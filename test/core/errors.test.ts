/** Offending values in error messages are capped: 200 characters of the value, an ellipsis and its length. */
import {
  MAX_QUOTED_CHARS,
  quoteValue,
  shortened,
  unreadableRecording,
  unsupportedFormat,
} from '../../lib/core/errors';

describe('quoteValue', () => {
  it('quotes a short value whole', () => {
    expect(quoteValue('ASCII')).toBe('"ASCII"');
    expect(quoteValue('x'.repeat(MAX_QUOTED_CHARS))).toBe(`"${'x'.repeat(MAX_QUOTED_CHARS)}"`);
  });

  it('cuts a long value to 200 characters and gives its length', () => {
    const quoted = quoteValue(`${'1'.repeat(70000)}x`);
    expect(quoted).toBe(`"${'1'.repeat(200)}…" (70001 characters)`);
    expect(quoted.length).toBeLessThan(MAX_QUOTED_CHARS + 30);
  });

  it('does not cut a surrogate pair in half', () => {
    const quoted = quoteValue(`${'a'.repeat(199)}😀${'b'.repeat(10)}`);
    expect(quoted).toBe(`"${'a'.repeat(199)}…" (211 characters)`);
  });
});

describe('reader errors', () => {
  it('cap a reason that was built without quoteValue', () => {
    const long = 'z'.repeat(100000);
    expect(unreadableRecording(long).message.length).toBeLessThan(1100);
    expect(unsupportedFormat(long).message.length).toBeLessThan(1100);
    expect(unreadableRecording('short').message).toBe('The recording cannot be read: short');
  });
});

describe('shortened', () => {
  it('keeps a short value and cuts a long one to 200 characters and an ellipsis', () => {
    expect(shortened('Fz')).toBe('Fz');
    expect(shortened('y'.repeat(5000))).toBe(`${'y'.repeat(200)}…`);
  });
});

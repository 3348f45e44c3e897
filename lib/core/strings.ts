/**
 * Trimming given characters by index. The patterns `/[...]+$/` and `/^[...]+|[...]+$/g` look harmless but are
 * quadratic: on a long run of those characters followed by something else, the engine retries the run from
 * every starting position.
 */

/** `text` without the characters of `chars` at its end. */
export function trimEndOf(text: string, chars: string): string {
  let end = text.length;
  while (end > 0 && chars.includes(text.charAt(end - 1))) end--;
  return text.slice(0, end);
}

/** `text` without the characters of `chars` at either end. */
export function trimOf(text: string, chars: string): string {
  const trimmed = trimEndOf(text, chars);
  let start = 0;
  while (start < trimmed.length && chars.includes(trimmed.charAt(start))) start++;
  return trimmed.slice(start);
}

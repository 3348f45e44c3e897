/**
 * Archive entry names are hostile input: each is checked and normalised before it is used as a path (never
 * joined to a directory unchecked). The result is relative, `/`-separated, without `.` or empty segments.
 */
import { quoteValue } from '../../core/errors';

export type PathRefusalCode = 'absolute_path' | 'parent_path' | 'backslash_path' | 'unsafe_path';

export type CheckedPath = { ok: true; path: string } | { ok: false; code: PathRefusalCode; message: string };

const MAX_PATH_CHARS = 4096;
const MAX_SEGMENT_CHARS = 255;
const MAX_DEPTH = 64;

const hasControlCharacter = (text: string): boolean => {
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
};

const refuse = (code: PathRefusalCode, raw: string, why: string): CheckedPath => ({
  ok: false,
  code,
  message: `entry ${quoteValue(raw)} ${why}`,
});

/**
 * The entry's normalised relative path, or why it is refused. An empty result (`./`, the archive's own root)
 * is allowed here; callers decide (a directory entry for the root is harmless, a file named so is not).
 */
export function checkEntryPath(raw: string): CheckedPath {
  if (raw.length > MAX_PATH_CHARS)
    return refuse('unsafe_path', raw, `is longer than ${MAX_PATH_CHARS} characters`);
  if (hasControlCharacter(raw)) return refuse('unsafe_path', raw, 'contains control characters');
  if (raw.includes('\\')) return refuse('backslash_path', raw, 'contains a backslash');
  const driveLetter = raw.length >= 2 && raw[1] === ':' && /^[a-z]$/i.test(raw[0] ?? '');
  if (raw.startsWith('/') || driveLetter) return refuse('absolute_path', raw, 'is an absolute path');
  const segments = raw.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.includes('..')) return refuse('parent_path', raw, 'has a ".." segment');
  if (segments.length > MAX_DEPTH)
    return refuse('unsafe_path', raw, `is nested deeper than ${MAX_DEPTH} folders`);
  if (segments.some((s) => s.length > MAX_SEGMENT_CHARS)) {
    return refuse('unsafe_path', raw, `has a name longer than ${MAX_SEGMENT_CHARS} characters`);
  }
  return { ok: true, path: segments.join('/') };
}

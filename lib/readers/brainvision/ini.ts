/**
 * The INI dialect of Python's `configparser.ConfigParser()` with default settings, as MNE reads .vhdr files:
 * `[section]` names kept as written, option names lower-cased, `=` or `:` delimiters, full-line `#`/`;`
 * comments, indented continuation lines, duplicates rejected, `%%` interpolation.
 */
import { quoteValue, unreadableRecording } from '../../core/errors';

export type Ini = Map<string, Map<string, string>>;

const SECTION = /^\[(.+)\]/;

function interpolate(value: string, where: string): string {
  if (!value.includes('%')) return value;
  if (/%(?!%)/.test(value.replace(/%%/g, ''))) {
    throw unreadableRecording(`BrainVision header: "%" in ${where} (write "%%")`);
  }
  return value.replace(/%%/g, '%');
}

interface ParserState {
  sections: Map<string, Map<string, string[]>>;
  current: Map<string, string[]> | null;
  sectionName: string;
  option: string | null;
  indent: number;
}

function handleLine(state: ParserState, line: string, lineNo: number): void {
  const isComment = /^\s*[#;]/.test(line);
  const value = isComment ? '' : line.trim();
  if (!value) {
    if (!isComment && state.current && state.option) state.current.get(state.option)?.push('');
    return;
  }
  const indent = line.search(/\S/);
  if (state.current && state.option && indent > state.indent) {
    state.current.get(state.option)?.push(value);
    return;
  }
  state.indent = indent;
  const section = SECTION.exec(value);
  if (section) {
    const name = section[1] ?? '';
    if (state.sections.has(name))
      throw unreadableRecording(`BrainVision header: section ${quoteValue(`[${name}]`)} appears twice`);
    state.current = new Map();
    state.sections.set(name, state.current);
    state.sectionName = name;
    state.option = null;
    return;
  }
  if (!state.current)
    throw unreadableRecording(`BrainVision header: line ${lineNo} comes before any [section]`);
  // configparser's `(?P<option>.*?)\s*(=|:)\s*(?P<value>.*)$`, found without backtracking: the first delimiter.
  const delimiter = value.search(/[=:]/);
  const key = delimiter > 0 ? value.slice(0, delimiter).trimEnd().toLowerCase() : '';
  if (!key) throw unreadableRecording(`BrainVision header: cannot parse line ${lineNo}`);
  if (state.current.has(key))
    throw unreadableRecording(
      `BrainVision header: ${quoteValue(key)} appears twice in ${quoteValue(`[${state.sectionName}]`)}`,
    );
  state.current.set(key, [value.slice(delimiter + 1).trim()]);
  state.option = key;
}

/** Parses `text` (lines separated by "\n"; `firstLine` is the number of its first line, for messages). */
export function parseIni(text: string, firstLine = 1): Ini {
  const state: ParserState = { sections: new Map(), current: null, sectionName: '', option: null, indent: 0 };
  text.split('\n').forEach((line, i) => handleLine(state, line, firstLine + i));
  const defaults = state.sections.get('DEFAULT') ?? new Map<string, string[]>();
  const ini: Ini = new Map();
  for (const [name, options] of state.sections) {
    if (name === 'DEFAULT') continue;
    const joined = new Map<string, string>();
    for (const [key, lines] of [...defaults, ...options]) {
      joined.set(key, interpolate(lines.join('\n').trimEnd(), quoteValue(`[${name}] ${key}`)));
    }
    ini.set(name, joined);
  }
  return ini;
}

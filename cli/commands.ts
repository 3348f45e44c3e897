/**
 * The CLI's subcommands, each a small function over the shared library. Arguments are parsed with Node's
 * `util.parseArgs` (strict: unknown options and missing values are usage errors); every command answers `--help`.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { isApiError } from '../lib/core/errors';

export type OptionSpecs = NonNullable<ParseArgsConfig['options']>;

/** Parsed arguments: positionals and option values (strings, booleans, or arrays for `multiple` options). */
export interface ParsedArgs {
  positionals: string[];
  values: Record<string, string | boolean | (string | boolean)[] | undefined>;
}

export interface Command {
  usage: string;
  summary: string;
  options: OptionSpecs;
  /** `[flags, description]` lines shown by `--help` under "Options". */
  optionHelp?: [string, string][];
  /** Free text shown by `--help` after the options (exit codes, environment...). */
  details?: string;
  run(args: ParsedArgs): Promise<number>;
}

/** A wrong command line: exit code 2. */
export class UsageError extends Error {}

export const commands = new Map<string, Command>();

export function registerCommand(name: string, command: Command): void {
  commands.set(name, command);
}

export const stringOption = (args: ParsedArgs, name: string): string | undefined => {
  const value = args.values[name];
  return typeof value === 'string' ? value : undefined;
};

export const flagOption = (args: ParsedArgs, name: string): boolean => args.values[name] === true;

const HELP_FLAGS = new Set(['-h', '--help']);

/** `--help` or `-h` anywhere before a `--` asks for the command's help, whatever else the line holds. */
function asksForHelp(args: string[]): boolean {
  const end = args.indexOf('--');
  return (end < 0 ? args : args.slice(0, end)).some((arg) => HELP_FLAGS.has(arg));
}

/** Lets `--tmin -0.5` mean what it says: a negative number after a string option is that option's value. */
function foldNegativeNumbers(args: string[], options: OptionSpecs): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    const next = args[i + 1];
    const spec = arg.startsWith('--') ? options[arg.slice(2)] : undefined;
    if (spec?.type === 'string' && next !== undefined && /^-(?:\d|\.\d)/.test(next)) {
      out.push(`${arg}=${next}`);
      i++;
    } else out.push(arg);
  }
  return out;
}

export function commandHelp(command: Command): string {
  const lines = [`Usage: loris-ephys ${command.usage}`, '', command.summary];
  const options: [string, string][] = [...(command.optionHelp ?? []), ['-h, --help', 'show this help']];
  const width = Math.max(...options.map(([flags]) => flags.length)) + 2;
  lines.push('', 'Options:', ...options.map(([flags, text]) => `  ${flags.padEnd(width)}${text}`));
  if (command.details) lines.push('', command.details.trimEnd());
  return lines.join('\n') + '\n';
}

/** Parses `args` for `command` and runs it; usage errors exit 2, `--help` prints the usage on stdout (exit 0). */
export async function runNamedCommand(name: string, command: Command, args: string[]): Promise<number> {
  if (asksForHelp(args)) {
    process.stdout.write(commandHelp(command));
    return 0;
  }
  let parsed: ParsedArgs;
  try {
    parsed = parseArgs({
      args: foldNegativeNumbers(args, command.options),
      options: command.options,
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    const message = (error as Error).message.split('\n')[0] ?? String(error);
    process.stderr.write(`loris-ephys ${name}: ${message} (see loris-ephys ${name} --help)\n`);
    return 2;
  }
  return command.run(parsed);
}

/** Runs a command body, mapping errors to exit codes: 2 bad arguments, 3 unreadable/unsupported recording. */
export async function runCommand(body: () => Promise<void>): Promise<number> {
  try {
    await body();
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`loris-ephys: ${error.message}\n`);
      return 2;
    }
    if (isApiError(error)) {
      process.stderr.write(`loris-ephys: ${error.code}: ${error.message}\n`);
      return error.status === 400 ? 2 : 3;
    }
    process.stderr.write(`loris-ephys: ${(error as Error)?.message ?? String(error)}\n`);
    return 3;
  }
}

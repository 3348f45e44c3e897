/** Runs the built CLI (dist/cli/index.js, built by the test command) as a child process, as a user would. */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { projectRoot } from '../helpers/testdata';

export const CLI = join(projectRoot, 'dist', 'cli', 'index.js');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunningCli {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  done: Promise<CliResult>;
}

/** Starts the CLI with `env` added to a clean environment (no LORIS_* leaking from the caller). */
export function startCli(args: string[], env: Record<string, string> = {}): RunningCli {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: projectRoot,
    env: { ...cleanEnv(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return collected(child);
}

/** PATH, HOME, TMPDIR and LANG of this process, and nothing else. */
function cleanEnv(): Record<string, string> {
  const base: Record<string, string> = {};
  for (const name of ['PATH', 'HOME', 'TMPDIR', 'LANG']) {
    const value = process.env[name];
    if (value !== undefined) base[name] = value;
  }
  return base;
}

/** The child's output as it comes, and its end. */
function collected(child: ChildProcess): RunningCli {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<CliResult>((resolve) =>
    child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { child, stdout: () => stdout, stderr: () => stderr, done };
}

const shellQuote = (arg: string): string => `'${arg.replaceAll("'", `'\\''`)}'`;

/**
 * Starts the CLI on a pseudo-terminal (util-linux `script`): stdin, stdout and stderr are a TTY, as for a user at
 * a terminal. The output (stdout and stderr merged, with terminal line endings) is in `stdout()`.
 */
export function startCliInTerminal(args: string[], env: Record<string, string> = {}): RunningCli {
  const command = [process.execPath, CLI, ...args].map(shellQuote).join(' ');
  const child = spawn('script', ['-qfec', command, '/dev/null'], {
    cwd: projectRoot,
    env: { TERM: 'xterm', ...cleanEnv(), ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  return collected(child);
}

/** Resolves once the output contains `text` (or the process ended). */
export async function waitForOutput(running: RunningCli, text: string): Promise<void> {
  let ended = false;
  void running.done.then(() => (ended = true));
  while (!running.stdout().includes(text) && !ended) await new Promise((r) => setTimeout(r, 50));
}

export function runCli(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return startCli(args, env).done;
}

/** The user's own directories the upload client writes to (XDG base directories, ~/.config and ~/.cache otherwise). */
import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';

function base(variable: string, fallback: string, env: NodeJS.ProcessEnv): string {
  const value = env[variable];
  // The XDG spec: a relative path is invalid and ignored.
  return value && isAbsolute(value) ? value : join(homedir(), fallback);
}

/** `$XDG_CONFIG_HOME/loris-ephys` or `~/.config/loris-ephys`, created private (0700) when missing. */
export function configDir(env: NodeJS.ProcessEnv = process.env): string {
  const dir = join(base('XDG_CONFIG_HOME', '.config', env), 'loris-ephys');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return dir;
}

/** `$XDG_CACHE_HOME/loris-ephys` or `~/.cache/loris-ephys`, created private (0700) when missing. */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const dir = join(base('XDG_CACHE_HOME', '.cache', env), 'loris-ephys');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return dir;
}

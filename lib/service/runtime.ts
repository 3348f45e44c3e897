/** Process-level state of a handler: configuration parsed once per cold start, version, start time. */
import { version } from '../../package.json';
import { parseConfig, type Config } from '../core/config';

export const SERVICE_VERSION: string = version;
const startedAt = Date.now();
let cached: Config | undefined;

export function getConfig(): Config {
  cached ??= parseConfig(process.env);
  return cached;
}

/** For tests that change the environment between cases. */
export function resetConfigForTests(): void {
  cached = undefined;
}

export const uptimeSeconds = (): number => Math.round((Date.now() - startedAt) / 100) / 10;

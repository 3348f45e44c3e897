/**
 * Health checks reported by GET /health. Each concern registers a check; the service is 'ok' when all
 * pass, 'degraded' otherwise (status 503 so a load balancer or systemd watchdog can act on it).
 */
import type { Config } from '../core/config';

export interface CheckResult {
  ok: boolean;
  detail?: string;
  durationMs?: number;
}
export type HealthCheck = (config: Config) => Promise<CheckResult>;

const registry = new Map<string, HealthCheck>();

export function registerHealthCheck(name: string, check: HealthCheck): void {
  registry.set(name, check);
}

/** Runs the registered checks and `extra` (the checks of the modules switched on) side by side. */
export async function runHealthChecks(
  config: Config,
  extra: Record<string, HealthCheck> = {},
): Promise<Record<string, CheckResult>> {
  const entries = await Promise.all(
    [...registry.entries(), ...Object.entries(extra)].map(
      async ([name, check]): Promise<[string, CheckResult]> => {
        const started = Date.now();
        try {
          const result = await check(config);
          return [name, { ...result, durationMs: Date.now() - started }];
        } catch (error) {
          return [name, { ok: false, detail: (error as Error).message, durationMs: Date.now() - started }];
        }
      },
    ),
  );
  return Object.fromEntries(entries);
}

registerHealthCheck('config', async (config) => ({ ok: true, detail: `mode ${config.mode}` }));

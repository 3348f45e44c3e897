/**
 * The module registry: every module of the service, each described in its own lib/<module>/module.ts (routes
 * with their schemas, document tags, health checks). Adding a module is adding its folder, its functions in
 * serverless.yml, its line here and its README section; no other module changes (README "Adding a module").
 */
import type { ServiceModule } from './api/route-types';
import type { ModuleName } from './core/modules';
import type { HealthCheck } from './service/health';
import { ephysModule } from './ephys/module';
import { meegqcModule } from './meegqc/module';
import { uploadsModule } from './uploads/module';

export const SERVICE_MODULES: readonly ServiceModule[] = [ephysModule, meegqcModule, uploadsModule];

/** The health checks of the modules switched on, named `<module>.<check>`. */
export function moduleHealthChecks(modules: readonly ModuleName[]): Record<string, HealthCheck> {
  return Object.fromEntries(
    SERVICE_MODULES.filter((m) => modules.includes(m.name)).flatMap((m) =>
      Object.entries(m.healthChecks).map(([name, check]) => [`${m.name}.${name}`, check] as const),
    ),
  );
}

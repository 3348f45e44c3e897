/**
 * The HTTP wrapper of a module's route: httpHandler, plus the module switch. While the module is off
 * (LORIS_EPHYS_MODULES) the route answers 404 not_found before anything else happens, as an unknown route does.
 */
import { httpHandler, type HandlerOptions, type RouteHandler } from '../core/http';
import { isModuleEnabled, type ModuleName } from '../core/modules';
import { getConfig } from './runtime';

export function moduleHandler(
  module: ModuleName,
  route: string,
  fn: RouteHandler,
  options: HandlerOptions = {},
): ReturnType<typeof httpHandler> {
  return httpHandler(route, fn, { ...options, enabled: () => isModuleEnabled(getConfig().modules, module) });
}

/**
 * The `uploads` module: reserved for a later issue (uploads of recordings into LORIS). It has no routes yet; the
 * name is known so that LORIS_EPHYS_MODULES may already list it.
 */
import type { ServiceModule } from '../api/route-types';

export const uploadsModule: ServiceModule = {
  name: 'uploads',
  summary: 'Reserved: uploads of recordings (no routes yet)',
  tags: [],
  routes: [],
  healthChecks: {},
};

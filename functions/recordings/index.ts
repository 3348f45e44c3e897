/** GET /ephys/recordings: standalone mode's catalog `{id, path, fileType}`; 404 not_available in LORIS mode. */
import { ApiError } from '../../lib/core/errors';
import { json } from '../../lib/core/http';
import { assertStandaloneSafe, parseQuery, standaloneCatalog } from '../../lib/service/access';
import { realDataDir } from '../../lib/service/data-path';
import { moduleHandler } from '../../lib/service/module-handler';
import { getConfig } from '../../lib/service/runtime';

export const handler = moduleHandler('ephys', 'GET /ephys/recordings', async (event) => {
  parseQuery(event, {});
  const config = getConfig();
  if (config.mode !== 'standalone') {
    throw new ApiError(
      404,
      'not_available',
      'The recording list exists in standalone mode only; LORIS lists recordings itself.',
    );
  }
  assertStandaloneSafe(config);
  const catalog = await standaloneCatalog(await realDataDir(config.standaloneData));
  const recordings = catalog.entries.map(({ id, path, fileType }) => ({ id, path, fileType }));
  return json({ recordings, truncated: catalog.truncated }, 200, { 'Cache-Control': 'no-store' });
});

/** GET /ephys/{physio_file_id}/sensors?types=&frame=: sensor and electrode positions for the 3D view. */
import { parseWith, PRIVATE_REVALIDATE } from '../../lib/core/http';
import { sensorsQuerySchema } from '../../lib/core/sensors-params';
import { openRequestedRecording } from '../../lib/service/requested-recording';
import { moduleHandler } from '../../lib/service/module-handler';
import { getConfig } from '../../lib/service/runtime';
import { sensorsJson, sensorsResult } from '../../lib/service/sensors-answer';

export { sensorsQuerySchema };

export const handler = moduleHandler(
  'ephys',
  'GET /ephys/{physio_file_id}/sensors',
  async (event, ctx) => {
    const query = parseWith(sensorsQuerySchema, event.queryStringParameters ?? {});
    const { opened } = await openRequestedRecording(event, ctx, { events: false });
    const json = sensorsJson(opened, { frame: query.frame, types: query.types?.split(',') });
    return sensorsResult(json, PRIVATE_REVALIDATE);
  },
  { limits: () => getConfig().limits },
);

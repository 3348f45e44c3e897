/** GET /ephys/{physio_file_id}/sensors?types=&frame=: sensor and electrode positions for the 3D view. */
import { json, parseWith, PRIVATE_REVALIDATE } from '../../lib/core/http';
import { sensorsQuerySchema } from '../../lib/core/sensors-params';
import { sensorsResponse } from '../../lib/core/sensors';
import { openRequestedRecording } from '../../lib/service/requested-recording';
import { moduleHandler } from '../../lib/service/module-handler';
import { getConfig } from '../../lib/service/runtime';

export { sensorsQuerySchema };

export const handler = moduleHandler(
  'ephys',
  'GET /ephys/{physio_file_id}/sensors',
  async (event, ctx) => {
    const query = parseWith(sensorsQuerySchema, event.queryStringParameters ?? {});
    const { opened } = await openRequestedRecording(event, ctx);
    const body = sensorsResponse(opened.info, {
      frame: query.frame,
      types: query.types?.split(','),
      positionSource: opened.positionSource,
    });
    return json(body, 200, PRIVATE_REVALIDATE);
  },
  { limits: () => getConfig().limits },
);

/** GET /ephys/{physioFileId}/sensors?types=&frame=: sensor and electrode positions for the 3D view. */
import { z } from 'zod';
import { httpHandler, json, parseWith } from '../../lib/core/http';
import { sensorsResponse } from '../../lib/core/sensors';
import { openRequestedRecording } from '../../lib/service/requested-recording';
import { getConfig } from '../../lib/service/runtime';

export const sensorsQuerySchema = z
  .object({
    frame: z.enum(['head', 'device']).default('head'),
    types: z
      .string()
      .max(200)
      .regex(/^[a-z_]+(,[a-z_]+)*$/, 'types is a comma-separated list of channel types (mag,grad,eeg,...)')
      .optional(),
  })
  .strict();

// Heavy route: shares the process-wide concurrency cap with topomap and answers 504 past the request timeout.
export const handler = httpHandler(
  'GET /ephys/{physioFileId}/sensors',
  async (event, ctx) => {
    const query = parseWith(sensorsQuerySchema, event.queryStringParameters ?? {});
    const { opened } = await openRequestedRecording(event, ctx);
    const body = sensorsResponse(opened.info, {
      frame: query.frame,
      types: query.types?.split(','),
      positionSource: opened.positionSource,
    });
    return json(body, 200, { 'Cache-Control': 'private, max-age=300' });
  },
  { limits: () => getConfig().limits },
);

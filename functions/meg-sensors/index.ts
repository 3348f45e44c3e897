/** GET /ephys/{physio_file_id}/meg/sensors: the proof of concept's shape, for compatibility (head frame, metres). */
import { z } from 'zod';
import { notFound } from '../../lib/core/errors';
import { json, parseWith, PRIVATE_REVALIDATE } from '../../lib/core/http';
import { moduleHandler } from '../../lib/service/module-handler';
import { getConfig } from '../../lib/service/runtime';
import { pocSensors } from '../../lib/core/sensors';
import { openRequestedRecording } from '../../lib/service/requested-recording';

const MEG_TYPES = new Set(['mag', 'grad', 'ref_meg']);

export const handler = moduleHandler(
  'ephys',
  'GET /ephys/{physio_file_id}/meg/sensors',
  async (event, ctx) => {
    parseWith(z.object({}).strict(), event.queryStringParameters ?? {});
    const { opened } = await openRequestedRecording(event, ctx, { events: false });
    if (!opened.info.channels.some((c) => MEG_TYPES.has(c.type))) {
      throw notFound('not_meg', 'This recording has no MEG channels.');
    }
    return json(pocSensors(opened.info), 200, PRIVATE_REVALIDATE);
  },
  { limits: () => getConfig().limits },
);

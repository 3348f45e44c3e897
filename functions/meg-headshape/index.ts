/** GET /ephys/{physio_file_id}/meg/headshape: head-shape points in the head frame (metres). */
import { z } from 'zod';
import { notFound } from '../../lib/core/errors';
import { headShapeFromCtfPos, headShapeFromDig } from '../../lib/core/headshape';
import { json, parseWith, PRIVATE_REVALIDATE } from '../../lib/core/http';
import { storedHeadShape } from '../../lib/loris/headshape';
import { lorisRuntimeFor } from '../../lib/service/access';
import { openRequestedRecording } from '../../lib/service/requested-recording';
import { moduleHandler } from '../../lib/service/module-handler';
import { getConfig } from '../../lib/service/runtime';

export const handler = moduleHandler(
  'ephys',
  'GET /ephys/{physio_file_id}/meg/headshape',
  async (event, ctx) => {
    parseWith(z.object({}).strict(), event.queryStringParameters ?? {});
    const { access, opened } = await openRequestedRecording(event, ctx, { events: false });
    const config = getConfig();
    if (config.mode === 'loris' && access.file) {
      const stored = await storedHeadShape((await lorisRuntimeFor(config)).db, access.id);
      if (stored && stored.points.length > 0)
        return json(headShapeFromCtfPos(stored.points), 200, PRIVATE_REVALIDATE);
    }
    const fromFile = headShapeFromDig(opened.info);
    if (!fromFile) throw notFound('no_head_shape', 'This recording has no digitised head shape.');
    return json(fromFile, 200, PRIVATE_REVALIDATE);
  },
  { limits: () => getConfig().limits },
);

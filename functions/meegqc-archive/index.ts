/** GET /meegqc/{physio_file_id}/files/archive?category=: a zip of a recording's MEEGqc files, streamed. */
import { parseWith } from '../../lib/core/http';
import { meegqcArchiveAnswer } from '../../lib/meegqc/answers';
import { archiveQuerySchema } from '../../lib/meegqc/schemas';
import { authorizeRecording } from '../../lib/service/access';
import { moduleHandler } from '../../lib/service/module-handler';

export const handler = moduleHandler(
  'meegqc',
  'GET /meegqc/{physio_file_id}/files/archive',
  async (event, { log }) => {
    const query = parseWith(archiveQuerySchema, event.queryStringParameters ?? {});
    const recording = await authorizeRecording(event, event.pathParameters?.physio_file_id, { log });
    return meegqcArchiveAnswer(recording, query.category, log);
  },
);

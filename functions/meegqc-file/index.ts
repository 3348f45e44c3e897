/** GET /meegqc/{physio_file_id}/files/{meegqc_file_id}: one MEEGqc report file, inline (ETag, Range). */
import { header, parseWith } from '../../lib/core/http';
import { meegqcFileAnswer } from '../../lib/meegqc/answers';
import { meegqcFileIdSchema } from '../../lib/meegqc/schemas';
import { authorizeRecording, parsePhysioFileId, parseQuery } from '../../lib/service/access';
import { moduleHandler } from '../../lib/service/module-handler';
import { z } from 'zod';

export const handler = moduleHandler(
  'meegqc',
  'GET /meegqc/{physio_file_id}/files/{meegqc_file_id}',
  async (event, { log }) => {
    parseQuery(event, {});
    parsePhysioFileId(event.pathParameters?.physio_file_id);
    const { meegqc_file_id: fileId } = parseWith(z.object({ meegqc_file_id: meegqcFileIdSchema }), {
      meegqc_file_id: event.pathParameters?.meegqc_file_id,
    });
    const recording = await authorizeRecording(event, event.pathParameters?.physio_file_id, { log });
    return meegqcFileAnswer(
      recording,
      fileId,
      {
        ifNoneMatch: header(event, 'if-none-match'),
        range: header(event, 'range'),
        ifRange: header(event, 'if-range'),
      },
      log,
    );
  },
);

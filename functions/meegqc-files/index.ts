/** GET /meegqc/{physio_file_id}/files: the MEEGqc report files of a recording the caller may see. */
import { json, PRIVATE_REVALIDATE } from '../../lib/core/http';
import { listMeegqcFiles } from '../../lib/meegqc/files';
import { authorizeRecording, parseQuery } from '../../lib/service/access';
import { moduleHandler } from '../../lib/service/module-handler';

export const handler = moduleHandler(
  'meegqc',
  'GET /meegqc/{physio_file_id}/files',
  async (event, { log }) => {
    parseQuery(event, {});
    const recording = await authorizeRecording(event, event.pathParameters?.physio_file_id, { log });
    return json({ files: await listMeegqcFiles(recording) }, 200, PRIVATE_REVALIDATE);
  },
);

/** GET /ephys/{physioFileId}: the LORIS metadata of one recording, for a caller allowed to see it. */
import { httpHandler, json } from '../../lib/core/http';
import { authorizeRecording, parseQuery } from '../../lib/service/access';
import { recordingMetadata } from '../../lib/service/recording-metadata';

export const handler = httpHandler('GET /ephys/{physioFileId}', async (event, { log }) => {
  parseQuery(event, {});
  const recording = await authorizeRecording(event, event.pathParameters?.physioFileId, { log });
  return json(recordingMetadata(recording), 200, { 'Cache-Control': 'private, no-store' });
});

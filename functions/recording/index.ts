/**
 * GET /ephys/{physio_file_id}: the LORIS metadata of one recording, for a caller allowed to see it, and the
 * recording's own description (channels by type, rate, duration, position source) when its file is readable.
 */
import { describeRecording, type RecordingDescription } from '../../lib/core/describe';
import { isApiError } from '../../lib/core/errors';
import { json, PRIVATE_REVALIDATE } from '../../lib/core/http';
import { moduleHandler } from '../../lib/service/module-handler';
import { getConfig } from '../../lib/service/runtime';
import { authorizeRecording, parseQuery } from '../../lib/service/access';
import { recordingMetadata } from '../../lib/service/recording-metadata';
import { openAuthorized } from '../../lib/service/requested-recording';

type Description = {
  description: RecordingDescription | null;
  descriptionError?: { code: string; message: string };
};

export const handler = moduleHandler(
  'ephys',
  'GET /ephys/{physio_file_id}',
  async (event, { log }) => {
    parseQuery(event, {});
    const recording = await authorizeRecording(event, event.pathParameters?.physio_file_id, { log });
    let described: Description = { description: null };
    if (recording.presentOnDisk) {
      try {
        const opened = await openAuthorized(recording, { log });
        const events = await opened.readEvents();
        described = { description: describeRecording(opened.info, opened.positionSource, events.length) };
      } catch (error) {
        if (!isApiError(error) || error.status >= 500) throw error;
        described = { description: null, descriptionError: { code: error.code, message: error.message } };
      }
    }
    return json({ ...recordingMetadata(recording), ...described }, 200, PRIVATE_REVALIDATE);
  },
  { limits: () => getConfig().limits },
);

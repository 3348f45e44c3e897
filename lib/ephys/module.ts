/**
 * The `ephys` module: recordings, their sensor positions and topographic maps (functions recordings, recording,
 * sensors, meg-sensors, meg-headshape, topomap). Its code lives in lib/core, lib/readers, lib/service and
 * lib/loris, where it was before modules existed; this file is its entry in the module registry.
 */
import { z } from 'zod';
import {
  headShapeResponseSchema,
  megSensorsResponseSchema,
  recordingListSchema,
  recordingMetadataSchema,
  sensorsResponseSchema,
  topomapJsonSchema,
} from '../core/api-schemas';
import examples from '../api/openapi-examples.json';
import { sensorsQuerySchema } from '../core/sensors-params';
import { topomapQuerySchema } from '../core/topomap-params';
import { RECORDING_ERRORS, schemaRef, type ServiceModule } from '../api/route-types';

export const ephysModule: ServiceModule = {
  name: 'ephys',
  summary: 'EEG/MEG recordings: metadata, sensor positions, topographic maps',
  tags: [
    { name: 'recordings', description: 'Recordings, their metadata and sensor positions' },
    { name: 'maps', description: 'Topographic maps' },
  ],
  healthChecks: {},
  routes: [
    {
      module: 'ephys',
      functionName: 'recordings',
      path: '/ephys/recordings',
      operationId: 'listRecordings',
      summary: 'Recordings of the standalone data directory',
      description:
        'Standalone mode only (404 not_available in LORIS mode, where LORIS lists recordings itself).',
      tag: 'recordings',
      authenticated: false,
      query: z.object({}).strict(),
      content: [
        {
          mediaType: 'application/json',
          schema: schemaRef('RecordingList', recordingListSchema),
          example: examples.recordings,
        },
      ],
      errors: [400, 404, 500],
    },
    {
      module: 'ephys',
      functionName: 'recording',
      path: '/ephys/{physio_file_id}',
      operationId: 'getRecording',
      summary: 'Metadata of one recording',
      description:
        'The LORIS metadata of a recording the caller may see (session, site, project, file name).',
      tag: 'recordings',
      authenticated: true,
      query: z.object({}).strict(),
      content: [
        {
          mediaType: 'application/json',
          schema: schemaRef('RecordingMetadata', recordingMetadataSchema),
          example: examples.recording,
        },
      ],
      errors: RECORDING_ERRORS,
    },
    {
      module: 'ephys',
      functionName: 'sensors',
      path: '/ephys/{physio_file_id}/sensors',
      operationId: 'getSensors',
      summary: 'Sensor and electrode positions',
      description:
        'Positions (metres) and MEG coil frames in the head or device frame, fiducials and the device-to-head ' +
        'transform, for a 3D view.',
      tag: 'recordings',
      authenticated: true,
      query: sensorsQuerySchema,
      content: [
        {
          mediaType: 'application/json',
          schema: schemaRef('Sensors', sensorsResponseSchema),
          example: examples.sensors,
        },
      ],
      errors: RECORDING_ERRORS,
    },
    {
      module: 'ephys',
      functionName: 'meg-sensors',
      path: '/ephys/{physio_file_id}/meg/sensors',
      operationId: 'getMegSensors',
      summary: 'MEG sensor positions (proof-of-concept shape)',
      description:
        'MEG channel positions by name in the head frame (metres); 404 not_meg for recordings without MEG.',
      tag: 'recordings',
      authenticated: true,
      query: z.object({}).strict(),
      content: [
        {
          mediaType: 'application/json',
          schema: schemaRef('MegSensors', megSensorsResponseSchema),
          example: examples.megSensors,
        },
      ],
      errors: RECORDING_ERRORS,
    },
    {
      module: 'ephys',
      functionName: 'meg-headshape',
      path: '/ephys/{physio_file_id}/meg/headshape',
      operationId: 'getHeadShape',
      summary: 'Digitised head shape',
      description:
        'Head-shape points in the head frame (metres): from LORIS (CTF headshape.pos) or from the recording; ' +
        '404 no_head_shape when neither has any.',
      tag: 'recordings',
      authenticated: true,
      query: z.object({}).strict(),
      content: [
        {
          mediaType: 'application/json',
          schema: schemaRef('HeadShape', headShapeResponseSchema),
          example: examples.headshape,
        },
      ],
      errors: RECORDING_ERRORS,
    },
    {
      module: 'ephys',
      functionName: 'topomap',
      path: '/ephys/{physio_file_id}/topographic-map',
      operationId: 'getTopographicMap',
      summary: 'Topographic map of a time window, band or ERP',
      description:
        'The scalp map as MNE-Python 1.3 draws it (plot_topomap): mean, RMS, band power or ERP of a window, ' +
        'optionally band-pass filtered, as PNG, SVG or JSON (format=).',
      tag: 'maps',
      authenticated: true,
      query: topomapQuerySchema,
      content: [
        { mediaType: 'image/png', schema: null },
        { mediaType: 'image/svg+xml', schema: null },
        {
          mediaType: 'application/json',
          schema: schemaRef('TopographicMap', topomapJsonSchema),
          example: examples.topomap,
        },
      ],
      errors: RECORDING_ERRORS,
      etag: true,
    },
  ],
};

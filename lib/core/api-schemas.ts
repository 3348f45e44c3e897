/**
 * Response bodies of every JSON route, as zod schemas. They document the API (lib/api/openapi.ts turns them
 * into JSON Schema) and the tests check both the documented examples and live answers against them.
 */
import { z } from 'zod';

const vec2 = z.tuple([z.number(), z.number()]);
const vec3 = z.tuple([z.number(), z.number(), z.number()]);
const point = z.object({ x: z.number(), y: z.number(), z: z.number() });
const matrix4 = z.array(z.array(z.number()).length(4)).length(4);

export const errorEnvelopeSchema = z
  .object({
    error: z.object({
      code: z.string().describe('stable machine-readable code, e.g. invalid_request, recording_not_found'),
      message: z.string(),
      details: z
        .unknown()
        .optional()
        .describe('for invalid_request: the failing fields as [{path, message}]'),
      requestId: z.string().optional().describe('present on 5xx answers, for the logs'),
    }),
  })
  .describe('Every error answer');

const checkSchema = z.object({
  ok: z.boolean(),
  detail: z.string().optional(),
  durationMs: z.number().optional(),
});

export const healthResponseSchema = z.object({
  status: z.enum(['ok', 'degraded']),
  version: z.string(),
  uptimeSeconds: z
    .number()
    .optional()
    .describe('with the checks, for callers allowed the details (standalone, local, or with a LORIS token)'),
  checks: z.record(z.string(), checkSchema).optional(),
});

export const recordingListSchema = z.object({
  recordings: z.array(
    z.object({
      id: z.number().int().positive(),
      path: z.string().describe('relative to the standalone data directory'),
      fileType: z.string(),
    }),
  ),
  truncated: z.boolean(),
});

export const recordingMetadataSchema = z.object({
  id: z.number().int().positive(),
  fileType: z.string().nullable(),
  modality: z.string().nullable(),
  outputType: z.string().nullable(),
  session: z
    .object({
      id: z.number().int(),
      visitLabel: z.string(),
      site: z.object({ id: z.number().int(), name: z.string().nullable() }),
      project: z.object({ id: z.number().int(), name: z.string().nullable() }),
    })
    .nullable(),
  candidate: z.object({ pscid: z.string().nullable() }).nullable(),
  fileName: z.string(),
  presentOnDisk: z.boolean(),
  description: z
    .object({
      format: z.string(),
      kind: z.string().describe('raw, evoked or epochs'),
      sfreq: z.number(),
      nSamples: z.number().int(),
      durationSeconds: z.number(),
      firstSample: z.number().int(),
      tmin: z.number().describe('time of the first sample (s): the time axis of the topographic-map route'),
      channelCount: z.number().int(),
      channelCounts: z.record(z.string(), z.number().int()),
      bads: z.array(z.string()),
      excluded: z.array(z.object({ name: z.string(), reason: z.string() })),
      eventCount: z.number().int(),
      hasDevHeadTransform: z.boolean(),
      positionSource: z.string(),
      fileUnits: z
        .object({ unit: z.enum(['m', 'dm', 'cm', 'mm']), meanRadius: z.number(), rule: z.string() })
        .optional()
        .describe("unit inferred for the file's own positions (EEGLAB chanlocs, MNE montage_units=auto)"),
    })
    .nullable()
    .describe('the recording itself, when its file is present and readable'),
  descriptionError: z
    .object({ code: z.string(), message: z.string() })
    .optional()
    .describe('why the description is null (unreadable or unsupported file)'),
});

export const sensorsResponseSchema = z.object({
  coordinateFrame: z.enum(['head', 'device']),
  unit: z.literal('m'),
  devHeadTransform: matrix4.nullable(),
  fiducials: z.object({ nasion: vec3, lpa: vec3, rpa: vec3 }).nullable(),
  channels: z.array(
    z.object({
      name: z.string(),
      type: z.string().describe('MNE channel type: eeg, mag, grad, ref_meg, eog, ecg, emg, stim, misc, ...'),
      coilType: z.number().int(),
      unit: z.string(),
      position: vec3.nullable(),
      orientation: z.object({ ex: vec3, ey: vec3, ez: vec3 }).nullable(),
      status: z.enum(['good', 'bad']),
    }),
  ),
  positionSource: z.string(),
  fileUnits: z
    .object({ unit: z.enum(['m', 'dm', 'cm', 'mm']), meanRadius: z.number(), rule: z.string() })
    .optional()
    .describe("unit inferred for the file's own positions (EEGLAB chanlocs, MNE montage_units=auto)"),
});

export const megSensorsResponseSchema = z.object({
  sensors: z.record(
    z.string(),
    z.object({ x: z.number(), y: z.number(), z: z.number(), unit: z.string().nullable(), type: z.string() }),
  ),
});

export const headShapeResponseSchema = z.object({
  coordinateFrame: z.literal('head'),
  unit: z.literal('m'),
  source: z.enum(['file', 'database']),
  points: z.record(z.string(), point),
});

const clipSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('ellipse'), center: vec2, radii: vec2 }),
  z.object({ kind: z.literal('polygon'), points: z.array(vec2) }),
]);

export const topomapJsonSchema = z.object({
  unit: z.string(),
  displayUnit: z.string(),
  displayScale: z.number(),
  vmin: z.number(),
  vmax: z.number(),
  cmap: z.string(),
  res: z.number().int(),
  extent: z.tuple([z.number(), z.number(), z.number(), z.number()]),
  grid: z.array(z.array(z.number().nullable())).describe('res rows of res values (null outside the head)'),
  clip: clipSchema,
  sphere: z.tuple([z.number(), z.number(), z.number(), z.number()]),
  channels: z.array(z.string()),
  positions2d: z.array(vec2),
  values: z.array(z.number()),
  contourLevels: z.array(z.number()),
  excluded: z.array(z.string()),
  positionSource: z.string(),
  interp: z.string(),
  extrapolate: z.string(),
  times: z.array(z.number()),
});

/** The OpenAPI document itself, loosely: what a client needs to find its way. */
export const openApiDocumentSchema = z
  .object({
    openapi: z.string().regex(/^3\.1\.\d+$/),
    info: z.object({ title: z.string(), version: z.string() }).loose(),
    paths: z.record(z.string(), z.record(z.string(), z.unknown())),
  })
  .loose();

/** Response schemas of the uploads routes (the document shows them; the tests validate live answers). */
import { z } from 'zod';
import { UPLOAD_KINDS, UPLOAD_STATES } from './types';
import { UPLOAD_ID } from './records';

export const noQuerySchema = z.object({}).strict();

export const uploadIdSchema = z.string().regex(UPLOAD_ID, 'an upload id: 32 hex characters');

const reportLineSchema = z.object({
  item: z.string(),
  level: z.enum(['info', 'warning', 'error']),
  code: z.string(),
  message: z.string(),
});

export const uploadReportSchema = z.object({
  kind: z.enum(UPLOAD_KINDS),
  ok: z.boolean(),
  warnings: z.array(z.string()),
  errors: z.array(z.string()),
  lines: z.array(reportLineSchema),
  entries: z.number().int(),
  bytes: z.number(),
  recordings: z.array(
    z.object({
      path: z.string(),
      format: z.string(),
      channels: z.number(),
      samplingRate: z.number(),
      durationSeconds: z.number(),
      events: z.number(),
    }),
  ),
  series: z.array(
    z.object({
      studyInstanceUid: z.string(),
      seriesInstanceUid: z.string(),
      seriesNumber: z.number().nullable(),
      seriesDescription: z.string(),
      modality: z.string(),
      files: z.number(),
    }),
  ),
});

export const uploadStatusSchema = z.object({
  id: z.string().describe('The upload id (the last segment of its tus Location)'),
  kind: z.enum(UPLOAD_KINDS),
  filename: z.string(),
  state: z
    .enum(UPLOAD_STATES)
    .describe(
      'receiving → checking → refused | registered → processing → done | failed; registered uploads follow ' +
        "LORIS's rows (electrophysiology_uploader.Status, the pipeline's server_processes row)",
    ),
  bytes: z.number().int().describe('Bytes received so far'),
  length: z.number().int().nullable().describe('Upload-Length'),
  createdAt: z.string(),
  report: uploadReportSchema.nullable().describe('The check of the archive, once done'),
  lorisUpload: z
    .object({
      table: z.enum(['electrophysiology_uploader', 'mri_upload']),
      id: z.number().int(),
      status: z.string(),
    })
    .nullable(),
  process: z
    .object({
      id: z.number().int(),
      state: z.enum(['running', 'success', 'error', 'unknown']),
      exitCode: z.number().int().nullable(),
    })
    .nullable(),
  failure: z
    .string()
    .nullable()
    .optional()
    .describe('Why the upload failed before LORIS had it (the check or registration could not run)'),
});

export const uploadListSchema = z.object({ uploads: z.array(uploadStatusSchema) });

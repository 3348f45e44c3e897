/** Request and response schemas of the MEEGqc routes (the handlers validate with them; the document shows them). */
import { z } from 'zod';
import { MAX_RECORDING_ID } from '../service/catalog';

/** `{meegqc_file_id}`: a canonical positive decimal integer (digits only, so `archive` never matches it). */
export const meegqcFileIdSchema = z
  .string()
  .regex(/^[1-9]\d{0,9}$/, 'must be a positive integer')
  .transform(Number)
  .pipe(z.number().int().min(1).max(MAX_RECORDING_ID));

export const noQuerySchema = z.object({}).strict();

export const archiveQuerySchema = z
  .object({
    category: z
      .string()
      .min(1)
      .max(255)
      .optional()
      .describe('Only the files of this category (meegqc_file.Category; e.g. `root`, `reports`)'),
  })
  .strict();

export const meegqcFileSchema = z.object({
  id: z.number().int().positive().describe('meegqc_file.ID'),
  name: z.string().describe('The file name (last component of its path)'),
  category: z.string().describe('meegqc_file.Category (or Kind in the older table layout)'),
  blake2b_hash: z.string().nullable().describe('BLAKE2b of the file as LORIS recorded it (hex)'),
});

export const meegqcFileListSchema = z.object({ files: z.array(meegqcFileSchema) });

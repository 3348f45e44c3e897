/**
 * Query parameters of GET /ephys/{id}/sensors, validated with zod. The same schema documents the route in
 * the OpenAPI description.
 */
import { z } from 'zod';

export const sensorsQuerySchema = z
  .object({
    frame: z.enum(['head', 'device']).default('head').describe('coordinate frame of the positions'),
    types: z
      .string()
      .max(200)
      .regex(/^[a-z_]+(,[a-z_]+)*$/, 'types is a comma-separated list of channel types (mag,grad,eeg,...)')
      .optional()
      .describe('comma-separated channel types to keep (mag,grad,eeg,...)'),
  })
  .strict();

export type SensorsQuery = z.infer<typeof sensorsQuerySchema>;

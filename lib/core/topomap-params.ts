/**
 * Query parameters of GET /ephys/{id}/topographic-map (and `loris-ephys topomap`), validated with zod.
 * The same schema documents the route in the OpenAPI description.
 */
import { z } from 'zod';
import { BAND_NAMES } from './dsp/welch';
import { COLORMAP_NAMES } from './topomap/colormaps';

const num = z.coerce.number().refine(Number.isFinite, 'must be a finite number');
const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const list = z
  .string()
  .max(20000)
  .transform((v) =>
    v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );

/** The colour maps the renderer has (matplotlib's tables). */
export const CMAPS = COLORMAP_NAMES;

export const topomapQuerySchema = z
  .object({
    t: num.optional().describe('single time in seconds (nearest sample)'),
    tmin: num.optional().describe('window start in seconds (relative to each event for metric=erp)'),
    tmax: num.optional().describe('window end in seconds'),
    lfreq: num.positive().optional().describe('high-pass edge in Hz (band-pass before averaging)'),
    hfreq: num.positive().optional().describe('low-pass edge in Hz'),
    metric: z.enum(['mean', 'rms', 'power', 'erp']).default('mean'),
    fmin: num.min(0).optional(),
    fmax: num.positive().optional(),
    band: z.enum(BAND_NAMES).optional(),
    db: bool.default(false),
    event: z.string().max(255).optional().describe('event type or value for metric=erp'),
    baseline: z
      .string()
      .regex(
        /^(none|(-?\d+(\.\d+)?)?,(-?\d+(\.\d+)?)?)$/,
        'baseline is "a,b" in seconds (either may be empty) or none',
      )
      .optional(),
    type: z.enum(['eeg', 'mag', 'grad']).optional(),
    exclude: list.optional(),
    reference: z.enum(['average', 'none']).default('none'),
    condition: z.coerce.number().int().min(0).max(1000).default(0),
    interp: z.enum(['cubic', 'linear', 'nearest', 'spline']).default('cubic'),
    extrapolate: z.enum(['auto', 'local', 'head', 'box']).default('auto'),
    border: z.union([z.literal('mean'), num]).default('mean'),
    res: z.coerce.number().int().min(8).max(2048).default(64),
    size: z.coerce.number().int().min(32).max(8192).default(512),
    cmap: z.enum(CMAPS).optional(),
    vmin: num.optional(),
    vmax: num.optional(),
    contours: z.coerce.number().int().min(0).max(50).default(6),
    sensors: bool.default(true),
    names: bool.default(false),
    colorbar: bool.default(false),
    outlines: z.enum(['head', 'none']).default('head'),
    background: z.enum(['transparent', 'white']).default('transparent'),
    format: z.enum(['png', 'svg', 'json']).default('png'),
  })
  .strict();

export type TopomapQuery = z.infer<typeof topomapQuerySchema>;

/**
 * A canonical string of the parameters (sorted keys), for ETags and caches. Keys are lowercase ASCII names, so code
 * point order is the order localeCompare gave, without its collation (0.09 ms per map on the request's path).
 */
export function normaliseQuery(q: TopomapQuery): string {
  return JSON.stringify(
    Object.fromEntries(Object.entries(q).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
  );
}

/**
 * tus 1.0 uploads (module uploads): OPTIONS/POST /tus/upload, HEAD/PATCH/DELETE /tus/upload/{upload_id}
 * (lib/uploads/tus-front.ts). LORIS mode only; every request but OPTIONS needs a LORIS token.
 */
import { moduleHandler } from '../../lib/service/module-handler';
import { getConfig } from '../../lib/service/runtime';
import { tusRequest } from '../../lib/uploads/tus-front';

export const handler = moduleHandler('uploads', 'tus /tus/upload', (event, ctx) =>
  tusRequest(event, ctx, getConfig()),
);

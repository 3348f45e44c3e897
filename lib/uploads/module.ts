/**
 * The `uploads` module (off by default): resumable tus 1.0 uploads of EEG BIDS sessions and DICOM studies into
 * LORIS, checked by our readers before LORIS's pipeline sees them, and their state. LORIS mode only. Functions
 * tus-upload (lib/uploads/tus-front.ts), uploads-list, uploads-status; README "Uploads".
 */
import { schemaRef, type ApiRoute, type HeaderDoc, type ServiceModule } from '../api/route-types';
import { uploadsGrantsCheck } from './health';
import { noQuerySchema, uploadIdSchema, uploadListSchema, uploadStatusSchema } from './schemas';

const TAG = 'uploads';
const TUS_RESUMABLE: HeaderDoc = { name: 'Tus-Resumable', description: '`1.0.0`', required: true };
const UPLOAD_ID = {
  name: 'upload_id',
  description: 'The upload id: the last segment of the creation answer’s Location',
  schema: uploadIdSchema,
};
const TUS_ERRORS: Record<number, string> = {
  400: 'invalid_metadata, invalid_request, length_required, unsupported_checksum_algorithm, invalid_checksum, or a LORIS rule refusing the target',
  401: 'Missing, invalid or expired LORIS token',
  403: 'LORIS would not let this account upload for this candidate/site (a rule of validateUploadTarget)',
  404: 'upload_not_found: no such upload, or somebody else’s (the same answer), or a candidate/visit LORIS does not know',
  405: 'method_not_allowed',
  409: 'offset_conflict (Upload-Offset is not the server’s: HEAD for the right one), upload_complete',
  410: 'upload_expired: a partial upload past LORIS_EPHYS_UPLOAD_EXPIRY_HOURS',
  412: 'tus_version_unsupported: Tus-Resumable missing or not 1.0.0',
  413: 'upload_too_large (Upload-Length over LORIS_EPHYS_UPLOAD_MAX_BYTES), chunk_too_large (a body over LORIS_EPHYS_UPLOAD_MAX_CHUNK_BYTES: 8 MiB on premises, 4 MiB on AWS)',
  415: 'invalid_content_type: a PATCH must be application/offset+octet-stream',
  460: 'checksum_mismatch: the body does not match Upload-Checksum (nothing was written)',
  503: 'uploads_need_loris (standalone mode), upload_dir_unavailable, database_unavailable, auth_misconfigured',
  507: 'insufficient_storage: not enough free disk space for the upload',
};
const TUS_ERROR_CODES = Object.keys(TUS_ERRORS).map(Number);

const tusRoute = (
  route: Omit<ApiRoute, 'module' | 'functionName' | 'tag' | 'query' | 'content'>,
): ApiRoute => ({
  module: 'uploads',
  functionName: 'tus-upload',
  tag: TAG,
  query: null,
  content: [],
  errorDescriptions: TUS_ERRORS,
  ...route,
});

const OFFSET: HeaderDoc = { name: 'Upload-Offset', description: 'Bytes of the upload stored so far' };
const LENGTH: HeaderDoc = { name: 'Upload-Length', description: 'The upload’s total size in bytes' };

const ROUTES: ApiRoute[] = [
  tusRoute({
    method: 'options',
    path: '/tus/upload',
    operationId: 'tusOptions',
    summary: 'tus discovery',
    description:
      'tus 1.0 server capabilities; no token needed. Extensions creation, creation-with-upload, termination, ' +
      'expiration, checksum (sha256).',
    authenticated: false,
    success: {
      status: 204,
      description: 'Capabilities',
      headers: [
        { name: 'Tus-Version', description: '`1.0.0`' },
        {
          name: 'Tus-Extension',
          description: 'creation,creation-with-upload,termination,expiration,checksum',
        },
        { name: 'Tus-Max-Size', description: 'LORIS_EPHYS_UPLOAD_MAX_BYTES' },
        { name: 'Tus-Checksum-Algorithm', description: '`sha256`' },
      ],
    },
    errors: [503],
  }),
  tusRoute({
    method: 'post',
    path: '/tus/upload',
    operationId: 'createUpload',
    summary: 'Create an upload (tus creation, creation-with-upload)',
    description:
      'Upload-Metadata (tus: `key base64(value)` pairs) names the target: `kind` (`eeg-bids` | `dicom`), ' +
      '`filename`, `pscid`, `candid`, `visit`, `isPhantom` (DICOM). The token, the metadata, the size cap, ' +
      "LORIS's own rules for the kind (permission, candidate and visit, file name) and the free disk space are " +
      'checked before any byte is stored. No trailing slash. `Location` is path-absolute ' +
      '(`/tus/upload/<id>`) so LORIS’s gateway rewrites it under its public path.',
    authenticated: true,
    requestHeaders: [
      TUS_RESUMABLE,
      {
        name: 'Upload-Length',
        description: 'Total size in bytes (deferred lengths are refused)',
        required: true,
      },
      {
        name: 'Upload-Metadata',
        description: 'kind, filename, pscid, candid, visit, isPhantom',
        required: true,
      },
      { name: 'Upload-Checksum', description: '`sha256 <base64>` of a body sent with the creation' },
    ],
    success: {
      status: 201,
      description: 'Created',
      headers: [
        { name: 'Location', description: '`/tus/upload/<id>`' },
        { name: 'Upload-Expires', description: 'When the partial upload is removed' },
        OFFSET,
      ],
    },
    errors: TUS_ERROR_CODES,
  }),
  tusRoute({
    method: 'head',
    path: '/tus/upload/{upload_id}',
    operationId: 'uploadOffset',
    summary: 'Where to resume (tus core)',
    description: 'The offset of the caller’s own upload. A complete upload answers its length as offset.',
    authenticated: true,
    pathParameters: [UPLOAD_ID],
    requestHeaders: [TUS_RESUMABLE],
    success: { status: 200, description: 'Offset and length', headers: [OFFSET, LENGTH] },
    errors: TUS_ERROR_CODES,
  }),
  tusRoute({
    method: 'patch',
    path: '/tus/upload/{upload_id}',
    operationId: 'uploadChunk',
    summary: 'Send bytes (tus core, checksum)',
    description:
      'Content-Type `application/offset+octet-stream`, at most LORIS_EPHYS_UPLOAD_MAX_CHUNK_BYTES per request ' +
      '(8 MiB on premises, 4 MiB on AWS). After the last byte the archive is checked and registered in the ' +
      'background: follow it with GET /uploads/{upload_id}.',
    authenticated: true,
    pathParameters: [UPLOAD_ID],
    requestHeaders: [
      TUS_RESUMABLE,
      { name: 'Upload-Offset', description: 'Where these bytes go (the HEAD offset)', required: true },
      { name: 'Upload-Checksum', description: '`sha256 <base64>` of the body' },
    ],
    success: { status: 204, description: 'Stored', headers: [OFFSET] },
    errors: TUS_ERROR_CODES,
  }),
  tusRoute({
    method: 'delete',
    path: '/tus/upload/{upload_id}',
    operationId: 'deleteUpload',
    summary: 'Abandon an upload (tus termination)',
    description: 'Removes a partial upload of the caller. A complete upload cannot be deleted (409).',
    authenticated: true,
    pathParameters: [UPLOAD_ID],
    requestHeaders: [TUS_RESUMABLE],
    success: { status: 204, description: 'Deleted' },
    errors: TUS_ERROR_CODES,
  }),
  {
    module: 'uploads',
    functionName: 'uploads-list',
    path: '/uploads',
    operationId: 'listUploads',
    summary: 'The caller’s uploads',
    description: 'The caller’s own uploads, newest first, at most 100.',
    tag: TAG,
    authenticated: true,
    query: noQuerySchema,
    content: [
      {
        mediaType: 'application/json',
        schema: schemaRef('UploadList', uploadListSchema),
        example: { uploads: [] },
      },
    ],
    errors: [400, 401, 500, 503],
  },
  {
    module: 'uploads',
    functionName: 'uploads-status',
    path: '/uploads/{upload_id}',
    operationId: 'getUpload',
    summary: 'An upload’s state, report and LORIS registration',
    description:
      'State receiving | checking | refused | registered | processing | done | failed, the check’s report, ' +
      'LORIS’s row (electrophysiology_uploader or mri_upload) and the pipeline process, read again from LORIS ' +
      'on each request. 404 upload_not_found for an unknown id or somebody else’s.',
    tag: TAG,
    authenticated: true,
    query: noQuerySchema,
    pathParameters: [UPLOAD_ID],
    content: [
      {
        mediaType: 'application/json',
        schema: schemaRef('UploadStatus', uploadStatusSchema),
        example: {
          id: '3f9c2a7be0d14c55a1e2b3c4d5e6f708',
          kind: 'eeg-bids',
          filename: 'MTL001_300001_V1_bids.tar.gz',
          state: 'registered',
          bytes: 1048576,
          length: 1048576,
          createdAt: '2026-12-06T11:00:00.000Z',
          report: null,
          lorisUpload: { table: 'electrophysiology_uploader', id: 12, status: 'Not Started' },
          process: null,
          failure: null,
        },
      },
    ],
    errors: [400, 401, 404, 500, 503],
  },
];

export const uploadsModule: ServiceModule = {
  name: 'uploads',
  summary:
    'Resumable tus uploads of EEG BIDS sessions and DICOM studies into LORIS, checked before registering',
  tags: [{ name: TAG, description: 'tus uploads into LORIS and their state' }],
  routes: ROUTES,
  healthChecks: { grants: uploadsGrantsCheck },
};

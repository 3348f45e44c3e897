/**
 * The `meegqc` module: the MEEGqc quality-control reports of a recording (made by the MEEGqc tool, imported
 * with the BIDS dataset), as LORIS's own imaging server offers them and LORIS's viewer shows them in its MEEGqc
 * panel, which lights up when /openapi.json lists `/meegqc/{physio_file_id}/files`. Functions meegqc-files,
 * meegqc-file, meegqc-archive; SQL in lib/loris/meegqc.ts.
 */
import { RECORDING_ERRORS, schemaRef, type ServiceModule } from '../api/route-types';
import { meegqcLayoutCheck } from './health';
import { archiveQuerySchema, meegqcFileIdSchema, meegqcFileListSchema, noQuerySchema } from './schemas';

const FILE_ERRORS = [...RECORDING_ERRORS, 413, 416];

export const meegqcModule: ServiceModule = {
  name: 'meegqc',
  summary: 'MEEGqc quality-control reports of a recording: list, single files, zip archive',
  tags: [{ name: 'meegqc', description: 'MEEGqc quality-control reports of a recording' }],
  healthChecks: { layout: meegqcLayoutCheck },
  routes: [
    {
      module: 'meegqc',
      functionName: 'meegqc-files',
      path: '/meegqc/{physio_file_id}/files',
      operationId: 'listMeegqcFiles',
      summary: 'MEEGqc report files of a recording',
      description:
        'The files linked to the recording, ordered by category then path; `{"files":[]}` when it has none ' +
        '(or the site has no MEEGqc tables).',
      tag: 'meegqc',
      authenticated: true,
      query: noQuerySchema,
      content: [
        {
          mediaType: 'application/json',
          schema: schemaRef('MeegqcFileList', meegqcFileListSchema),
          example: {
            files: [
              {
                id: 12,
                name: 'sub-01_ses-1_task-rest_desc-report_meg.html',
                category: 'reports',
                blake2b_hash: 'a1b2c3',
              },
              {
                id: 13,
                name: 'sub-01_ses-1_task-rest_desc-STDs_meg.tsv',
                category: 'root',
                blake2b_hash: null,
              },
            ],
          },
        },
      ],
      errors: RECORDING_ERRORS,
    },
    {
      module: 'meegqc',
      functionName: 'meegqc-archive',
      path: '/meegqc/{physio_file_id}/files/archive',
      operationId: 'getMeegqcArchive',
      summary: 'A zip of the MEEGqc files of a recording',
      description:
        'Streamed as it is built (stored entries). Named `{recording stem}_meegqc[_{category}].zip`; entries by ' +
        'bare file name, prefixed with their category when two files share a name. 404 meegqc_files_not_found ' +
        'when no file matches. On AWS Lambda, answers over 4 MiB are 413 response_too_large.',
      tag: 'meegqc',
      authenticated: true,
      query: archiveQuerySchema,
      content: [{ mediaType: 'application/zip', schema: null, example: 'PK…' }],
      errors: [...RECORDING_ERRORS, 413],
    },
    {
      module: 'meegqc',
      functionName: 'meegqc-file',
      path: '/meegqc/{physio_file_id}/files/{meegqc_file_id}',
      operationId: 'getMeegqcFile',
      summary: 'One MEEGqc report file',
      description:
        'The file, inline, typed by its name (`.tsv` as text/plain; `.html` as text/html with ' +
        '`Content-Security-Policy: sandbox allow-scripts`). ETag and one byte range. 404 meegqc_file_not_found ' +
        'for a file not linked to the recording, 403 path_outside_data_dir for one stored outside the data ' +
        'directory. On AWS Lambda, files over 4 MiB are 413 response_too_large.',
      tag: 'meegqc',
      authenticated: true,
      query: noQuerySchema,
      pathParameters: [
        { name: 'meegqc_file_id', description: 'meegqc_file.ID, as listed', schema: meegqcFileIdSchema },
      ],
      content: [
        { mediaType: 'text/html', schema: null, example: '<!doctype html><html>…</html>' },
        { mediaType: 'text/plain', schema: null },
        { mediaType: 'application/json', schema: null },
        { mediaType: 'image/png', schema: null },
        { mediaType: 'application/octet-stream', schema: null },
      ],
      errors: FILE_ERRORS,
      etag: true,
      ranges: true,
    },
  ],
};

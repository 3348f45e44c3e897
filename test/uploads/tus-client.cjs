'use strict';
/**
 * A tus client in its own process (tus-js-client), so a test can kill it mid-upload: uploads FILE to ENDPOINT
 * with the given headers and Upload-Metadata, printing `url <location>` once the upload exists, `progress <bytes>`
 * as chunks are acknowledged and `done` at the end. With RESUME_URL it continues that upload instead.
 * Settings come from the environment: TUS_ENDPOINT, TUS_HEADERS (JSON object: Authorization, or a gateway
 * session Cookie), TUS_FILE, TUS_METADATA (JSON object), TUS_CHUNK_BYTES, TUS_RESUME_URL.
 */
const { createReadStream, statSync } = require('node:fs');
const tus = require('tus-js-client');

const env = process.env;
const size = statSync(env.TUS_FILE).size;
const upload = new tus.Upload(createReadStream(env.TUS_FILE), {
  endpoint: env.TUS_ENDPOINT,
  uploadUrl: env.TUS_RESUME_URL || null,
  uploadSize: size,
  chunkSize: Number(env.TUS_CHUNK_BYTES || 1048576),
  headers: JSON.parse(env.TUS_HEADERS || '{}'),
  metadata: JSON.parse(env.TUS_METADATA || '{}'),
  retryDelays: [],
  removeFingerprintOnSuccess: true,
  storeFingerprintForResuming: false,
  onUploadUrlAvailable: () => console.log(`url ${upload.url}`),
  onChunkComplete: (_chunk, accepted) => console.log(`progress ${accepted}`),
  onSuccess: () => console.log('done'),
  onError: (error) => {
    console.log(`error ${String(error && error.message).split('\n')[0]}`);
    process.exitCode = 1;
  },
});
upload.start();

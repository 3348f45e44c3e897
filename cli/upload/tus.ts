/**
 * Sends an archive with tus-js-client to `<loris>/imaging_gateway/tus/upload`, resumable: the upload URL is kept
 * under the user's config directory, keyed by a fingerprint of (LORIS URL, user, file path, size, mtime), so a
 * second run after an interruption asks the server for its offset and continues from there.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { ClientRequest } from 'node:http';
import { join } from 'node:path';
import * as tus from 'tus-js-client';
import {
  DefaultHttpStack,
  DetailedError,
  Upload,
  type HttpRequest,
  type HttpStack,
  type PreviousUpload,
  type UrlStorage,
} from 'tus-js-client';
import type { UploadTarget } from '../../lib/uploads/types';
import { errorMessageOf, NetworkError, RefusedError } from './errors';
import type { Progress } from './progress';

export const TUS_PATH = '/imaging_gateway/tus/upload';

export interface TusSend {
  lorisUrl: string;
  user: string;
  token: string;
  archivePath: string;
  target: UploadTarget;
  chunkBytes: number;
  retryDelaysMs: number[];
  idleTimeoutMs: number;
  /** Directory of the resume store (`uploads.json`). */
  stateDir: string;
  progress: Progress;
  log: (line: string) => void;
}

export interface TusResult {
  uploadUrl: string;
  /** The upload's id: the last segment of its URL (`GET /uploads/{id}`). */
  id: string;
  /** Bytes the server already had when this run started (0 for a new upload). */
  resumedAt: number;
}

// tus-js-client's Node build exports its file-backed URL store, which its type definitions leave out.
const { FileUrlStorage } = tus as unknown as { FileUrlStorage: new (path: string) => UrlStorage };

/** Waits `0, 1, 2, 4 … 60 s` between attempts: `retries` of them. */
export function backoffDelays(retries: number): number[] {
  return Array.from({ length: retries }, (_, i) => (i === 0 ? 0 : Math.min(1000 * 2 ** (i - 1), 60_000)));
}

/** tus-js-client's Node stack, with each request abandoned (and so retried) after `idleMs` without activity. */
class IdleTimeoutStack implements HttpStack {
  private readonly inner = new DefaultHttpStack({});
  constructor(private readonly idleMs: number) {}
  getName(): string {
    return 'loris-ephys-node';
  }
  createRequest(method: string, url: string): HttpRequest {
    const request = this.inner.createRequest(method, url);
    const send = request.send.bind(request);
    request.send = (body: unknown) => {
      const answer = send(body);
      const raw = request.getUnderlyingObject() as ClientRequest | null;
      raw?.setTimeout(this.idleMs, () =>
        raw.destroy(new Error(`no network activity for ${Math.round(this.idleMs / 1000)} s`)),
      );
      return answer;
    };
    return request;
  }
}

/** Upload-Metadata: the service checks these with LORIS's rules before storing a byte. */
export function tusMetadata(target: UploadTarget): Record<string, string> {
  return {
    kind: target.kind,
    filename: target.filename,
    pscid: target.pscid,
    candid: target.candid,
    visit: target.visit,
    isPhantom: String(target.isPhantom),
  };
}

export const uploadIdOf = (url: string): string =>
  decodeURIComponent(new URL(url).pathname.split('/').filter(Boolean).pop() ?? '');

/** Maps tus-js-client's failure to the CLI's: refusals (4xx) exit 3, no answer or 5xx after the retries exit 4. */
function classify(error: Error): Error {
  if (!(error instanceof DetailedError)) return error;
  const response = error.originalResponse;
  if (!response) {
    const cause = error.causingError?.message ?? error.message;
    return new NetworkError(`the upload could not reach the service after the retries: ${cause}`);
  }
  const status = response.getStatus();
  const said = errorMessageOf(response.getBody()) ?? '(no details in the answer)';
  if (status === 401 || status === 403)
    return new RefusedError(`the service refused the LORIS token (HTTP ${status}): ${said}`);
  if (status === 413)
    return new RefusedError(
      `the service refused the size (HTTP 413): ${said} (a smaller --chunk-size may help)`,
    );
  if (status >= 400 && status < 500)
    return new RefusedError(`the upload was refused (HTTP ${status}): ${said}`);
  return new NetworkError(`the service kept failing (HTTP ${status}) after the retries: ${said}`);
}

/**
 * tus-js-client's rule (retry unless a 4xx other than 409/423), except that a 409 answering the creation is LORIS's
 * duplicate-upload refusal, not an offset conflict.
 */
function shouldRetry(error: DetailedError): boolean {
  const status = error.originalResponse?.getStatus() ?? 0;
  if (status === 409 && error.originalRequest?.getMethod() === 'POST') return false;
  return status < 400 || status >= 500 || status === 409 || status === 423;
}

function newest(previous: PreviousUpload[]): PreviousUpload | undefined {
  return [...previous].sort((a, b) => b.creationTime.localeCompare(a.creationTime))[0];
}

export async function sendWithTus(send: TusSend): Promise<TusResult> {
  const { size, mtimeMs } = await stat(send.archivePath);
  const fingerprint = createHash('sha256')
    .update(JSON.stringify([send.lorisUrl, send.user, send.archivePath, size, mtimeMs]))
    .digest('hex');
  let resumedAt = 0;
  let started = false;
  const startProgress = (offset: number): void => {
    if (started) return;
    started = true;
    send.progress.start(size, offset);
  };
  return new Promise<TusResult>((resolve, reject) => {
    const file = createReadStream(send.archivePath);
    const upload = new Upload(file as unknown as Buffer, {
      endpoint: `${send.lorisUrl}${TUS_PATH}`,
      headers: { Authorization: `Bearer ${send.token}` },
      metadata: tusMetadata(send.target),
      chunkSize: send.chunkBytes,
      retryDelays: send.retryDelaysMs,
      onShouldRetry: shouldRetry,
      fingerprint: () => Promise.resolve(fingerprint),
      urlStorage: new FileUrlStorage(join(send.stateDir, 'uploads.json')),
      storeFingerprintForResuming: true,
      removeFingerprintOnSuccess: true,
      httpStack: new IdleTimeoutStack(send.idleTimeoutMs),
      onAfterResponse: (request, response) => {
        // A resumed upload starts with HEAD: the server's offset is where this run begins.
        if (request.getMethod() !== 'HEAD' || response.getStatus() !== 200 || started) return;
        resumedAt = Number(response.getHeader('Upload-Offset') ?? 0);
        send.log(`resuming at ${resumedAt} of ${size} bytes`);
        startProgress(resumedAt);
      },
      onProgress: (sent) => {
        startProgress(0);
        send.progress.update(sent);
      },
      onSuccess: () => {
        startProgress(0);
        send.progress.update(size);
        send.progress.stop();
        file.destroy();
        const url = upload.url ?? '';
        resolve({ uploadUrl: url, id: uploadIdOf(url), resumedAt });
      },
      onError: (error) => {
        send.progress.stop();
        file.destroy();
        reject(classify(error));
      },
    });
    upload
      .findPreviousUploads()
      .then((previous) => {
        const last = newest(previous);
        if (last) upload.resumeFromPreviousUpload(last);
        upload.start();
      })
      .catch((error: unknown) => {
        file.destroy();
        reject(error instanceof Error ? error : new Error(String(error)));
      });
  });
}

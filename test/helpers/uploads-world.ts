/**
 * A LORIS world for the uploads module's tests: a throw-away database with one site, project, candidate
 * (MTL001 / 300001) and visit V1; an `uploader` and an `other` account with the electrophysiology view
 * permission; LORIS's incoming paths and a staging directory in a temporary folder; and a raw tus client.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatUploadMetadata } from '../../lib/uploads/metadata';
import type { UploadTarget } from '../../lib/uploads/types';
import { createLorisTestDb, type LorisTestDb } from './loris-db';
import { bearer, lorisToken, STRONG_KEY, TEST_BASE_URL } from './tokens';

export interface UploadsWorld {
  db: LorisTestDb;
  tmp: string;
  stagingDir: string;
  eegIncoming: string;
  mriIncoming: string;
  site: number;
  project: number;
  /** A token for `user`, with LORIS's claims for `baseUrl`. */
  token: (user: string, baseUrl?: string) => Promise<string>;
  /** The service's environment (LORIS mode, uploads on, this database and staging directory). */
  env: (extra?: Record<string, string>, baseUrl?: string) => Record<string, string>;
  /** Every file under the staging directory (relative paths). */
  stagedFiles: () => string[];
  drop: () => Promise<void>;
}

export const EEG_TARGET: UploadTarget = {
  kind: 'eeg-bids',
  filename: 'MTL001_300001_V1_bids.tar.gz',
  pscid: 'MTL001',
  candid: '300001',
  visit: 'V1',
  isPhantom: false,
};

function listFiles(dir: string, prefix = ''): string[] {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((e) =>
    e.isDirectory() ? listFiles(join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`],
  );
}

export async function createUploadsWorld(): Promise<UploadsWorld> {
  const db = await createLorisTestDb({ uploadGrants: true });
  const tmp = mkdtempSync(join(tmpdir(), 'loris-ephys-uploads-'));
  const stagingDir = join(tmp, 'staging');
  const eegIncoming = join(tmp, 'incoming', 'eeg');
  const mriIncoming = join(tmp, 'incoming', 'mri');
  mkdirSync(eegIncoming, { recursive: true });
  mkdirSync(mriIncoming, { recursive: true });
  const { seed } = db;
  const project = await seed.project('Montreal');
  const site = await seed.site('Montreal Site');
  const candidate = await seed.candidate({ pscid: 'MTL001', candId: 300001, site, project });
  await seed.session({ candidate, site, project, visit: 'V1' });
  const eegViewer = {
    permissions: ['electrophysiology_browser_view_allsites'],
    sites: [site],
    projects: [project],
  };
  await seed.user({ username: 'uploader', ...eegViewer });
  await seed.user({ username: 'other', ...eegViewer });
  await seed.config('JWTKey', STRONG_KEY);
  await seed.config('dataDirBasepath', `${join(tmp, 'data')}/`);
  await seed.config('EEGUploadIncomingPath', `${eegIncoming}/`);
  await seed.config('MRIUploadIncomingPath', `${mriIncoming}/`);
  await seed.moduleActive(true);
  return {
    db,
    tmp,
    stagingDir,
    eegIncoming,
    mriIncoming,
    site,
    project,
    token: (user, baseUrl = TEST_BASE_URL) => lorisToken(STRONG_KEY, user, { iss: baseUrl, aud: baseUrl }),
    env: (extra = {}, baseUrl = TEST_BASE_URL) => ({
      LORIS_EPHYS_MODE: 'loris',
      LORIS_EPHYS_MODULES: 'ephys,meegqc,uploads',
      LORIS_BASE_URL: baseUrl,
      LORIS_EPHYS_UPLOAD_DIR: stagingDir,
      LORIS_EPHYS_LOG_LEVEL: 'warn',
      ...db.env(),
      ...extra,
    }),
    stagedFiles: () => listFiles(stagingDir),
    drop: async () => {
      await db.drop();
      rmSync(tmp, { recursive: true, force: true });
    },
  };
}

export interface TusAnswer {
  status: number;
  headers: Headers;
  text: string;
  json: () => unknown;
}

async function answer(response: Response): Promise<TusAnswer> {
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, json: () => JSON.parse(text) };
}

/** A raw tus 1.0 client (fetch), for the exact requests the tests need. */
export function tusClient(base: string, token: string, extra: Record<string, string> = {}) {
  const common = { 'Tus-Resumable': '1.0.0', ...bearer(token), ...extra };
  return {
    create: async (
      target: UploadTarget | string,
      length: number | string,
      headers: Record<string, string> = {},
      body?: Buffer,
    ) =>
      answer(
        await fetch(`${base}/tus/upload`, {
          method: 'POST',
          redirect: 'manual',
          headers: {
            ...common,
            'Upload-Length': String(length),
            'Upload-Metadata': typeof target === 'string' ? target : formatUploadMetadata(target),
            ...(body ? { 'Content-Type': 'application/offset+octet-stream' } : {}),
            ...headers,
          },
          ...(body ? { body } : {}),
        }),
      ),
    patch: async (location: string, offset: number, body: Buffer, headers: Record<string, string> = {}) =>
      answer(
        await fetch(new URL(location, base), {
          method: 'PATCH',
          headers: {
            ...common,
            'Upload-Offset': String(offset),
            'Content-Type': 'application/offset+octet-stream',
            ...headers,
          },
          body,
        }),
      ),
    head: async (location: string) =>
      answer(await fetch(new URL(location, base), { method: 'HEAD', headers: common })),
    remove: async (location: string) =>
      answer(await fetch(new URL(location, base), { method: 'DELETE', headers: common })),
    status: async (id: string) => answer(await fetch(`${base}/uploads/${id}`, { headers: common })),
    list: async () => answer(await fetch(`${base}/uploads`, { headers: common })),
  };
}

/** The upload id at the end of a Location. */
export const idOf = (location: string): string => location.split('/').pop() ?? '';

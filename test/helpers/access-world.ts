/**
 * A small LORIS world for access tests: two sites × two projects, one recording in each cell (plus recordings
 * of an inactive session and an inactive candidate), a temporary data directory holding their files, and a
 * sentinel file OUTSIDE the data directory that must never be served.
 */
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createLorisTestDb, type LorisTestDb } from './loris-db';
import { startOffline, type OfflineService } from './offline';
import { STRONG_KEY } from './tokens';

/** Setting up a world and a serverless-offline instance can be slow on a loaded machine. */
export const SETUP_TIMEOUT_MS = 120_000;

export interface AccessWorld {
  db: LorisTestDb;
  /** Temporary folder holding `data/` (the data directory) and `outside/` (the sentinel). */
  tmp: string;
  dataDir: string;
  sentinelPath: string;
  sentinelContent: string;
  sites: { A: number; B: number };
  projects: { P1: number; P2: number };
  /** Recordings by cell: site + project. */
  files: {
    A1: number;
    B1: number;
    A2: number;
    B2: number;
    inactiveSession: number;
    inactiveCandidate: number;
  };
  /** Sessions by cell, for adding more files. */
  sessions: { A1: number; B1: number; A2: number; B2: number };
  cleanup(): Promise<void>;
}

export function writeDataFile(dataDir: string, relative: string, content = 'recording bytes'): string {
  const path = join(dataDir, relative);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
  return path;
}

/**
 * A real recording (`source`, e.g. from ../shared/data) copied to `filePath` in the world's data directory and
 * registered in `session` (default the A1 cell's); returns its PhysiologicalFileID.
 */
export async function addRecording(
  world: AccessWorld,
  filePath: string,
  source: string,
  fileType: string,
  session = world.sessions.A1,
): Promise<number> {
  const target = join(world.dataDir, filePath);
  mkdirSync(dirname(target), { recursive: true });
  copyFileSync(source, target);
  return world.db.seed.file({ session, filePath, fileType });
}

export async function buildAccessWorld(): Promise<AccessWorld> {
  const db = await createLorisTestDb();
  const tmp = mkdtempSync(join(tmpdir(), 'loris-ephys-access-'));
  const dataDir = join(tmp, 'data');
  mkdirSync(dataDir);
  const sentinelContent = `SENTINEL-${randomBytes(8).toString('hex')}`;
  const sentinelPath = writeDataFile(join(tmp, 'outside'), 'secret.edf', sentinelContent);
  const { seed } = db;
  const sites = { A: await seed.site('Site Alpha'), B: await seed.site('Site Beta') };
  const projects = { P1: await seed.project('Project One'), P2: await seed.project('Project Two') };
  let candId = 100000;
  type Flag = 'Y' | 'N';
  const cell = async (
    name: string,
    site: number,
    project: number,
    active: { session: Flag; candidate: Flag } = { session: 'Y', candidate: 'Y' },
  ) => {
    const candidate = await seed.candidate({
      pscid: `PSC${name}`,
      candId: ++candId,
      site,
      project,
      active: active.candidate,
    });
    const session = await seed.session({
      candidate,
      site,
      project,
      visit: `V${name}`,
      active: active.session,
    });
    const filePath = `bids_imports/ds/sub-${name}/ses-V1/eeg/sub-${name}_task-rest_eeg.edf`;
    writeDataFile(dataDir, filePath);
    return { session, file: await seed.file({ session, filePath }) };
  };
  const A1 = await cell('A1', sites.A, projects.P1);
  const B1 = await cell('B1', sites.B, projects.P1);
  const A2 = await cell('A2', sites.A, projects.P2);
  const B2 = await cell('B2', sites.B, projects.P2);
  const inactiveSession = await cell('IS', sites.A, projects.P1, { session: 'N', candidate: 'Y' });
  const inactiveCandidate = await cell('IC', sites.A, projects.P1, { session: 'Y', candidate: 'N' });
  await seed.config('JWTKey', STRONG_KEY);
  await seed.config('dataDirBasepath', `${dataDir}/`);
  await seed.moduleActive(true);
  return {
    db,
    tmp,
    dataDir,
    sentinelPath,
    sentinelContent,
    sites,
    projects,
    files: {
      A1: A1.file,
      B1: B1.file,
      A2: A2.file,
      B2: B2.file,
      inactiveSession: inactiveSession.file,
      inactiveCandidate: inactiveCandidate.file,
    },
    sessions: { A1: A1.session, B1: B1.session, A2: A2.session, B2: B2.session },
    cleanup: async () => {
      await db.drop();
      rmSync(tmp, { recursive: true, force: true });
    },
  };
}

/**
 * startOffline, retried when serverless-offline exits during start-up (two instances starting at once can race
 * for the free ports they were given). Any other failure is not retried.
 */
export async function startService(env: Record<string, string>, attempts = 3): Promise<OfflineService> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOffline(env, SETUP_TIMEOUT_MS / 2);
    } catch (error) {
      if (attempt >= attempts || !String((error as Error).message).includes('exited early')) throw error;
      console.warn(`serverless-offline exited during start-up (attempt ${attempt}); retrying`);
    }
  }
}

/** Shared pieces of the HTTP benchmarks: a standalone service over copies of recordings, timing, MNE. */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { Agent, get } from 'node:http';
import { basename, join } from 'node:path';
import { startOffline, type OfflineService } from '../test/helpers/offline';
import { projectRoot } from '../test/helpers/testdata';

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)] ?? NaN;
};
export const percentile = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * (s.length - 1)))] ?? NaN;
};

const agent = new Agent({ keepAlive: true, maxSockets: 1 });

/**
 * Milliseconds of one GET over a keep-alive connection, body read fully; throws on a non-2xx answer. Plain
 * node:http without Accept-Encoding, so the figure is the service's latency, not gzip on both ends.
 */
export function timedGet(url: string): Promise<number> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    get(url, { agent }, (response) => {
      response.on('data', () => undefined);
      response.on('end', () => {
        const ms = performance.now() - t0;
        const status = response.statusCode ?? 0;
        if (status < 200 || status >= 300) reject(new Error(`${url}: HTTP ${status}`));
        else resolve(ms);
      });
    }).on('error', reject);
  });
}

export interface BenchService {
  service: OfflineService;
  /** id of copy k of recording `name`. */
  idOf(name: string, copy: number): number;
  close(): Promise<void>;
}

/** A standalone service over `copies` copies of each recording, so each copy's first request is a first open. */
export async function serveCopies(files: string[], copies: number): Promise<BenchService> {
  const dir = mkdtempSync(join(tmpdir(), 'loris-ephys-bench-'));
  for (const file of files) {
    for (let k = 0; k < copies; k++) cpSync(file, join(dir, `c${k}`, basename(file)), { recursive: true });
  }
  const service = await startOffline({
    LORIS_EPHYS_MODE: 'standalone',
    LORIS_EPHYS_DATA: dir,
    LORIS_EPHYS_LOG_LEVEL: 'warn',
  });
  const list = (await (await fetch(`${service.baseUrl}/ephys/recordings`)).json()) as {
    recordings: { id: number; path: string }[];
  };
  const ids = new Map(list.recordings.map((r) => [r.path, r.id]));
  return {
    service,
    idOf: (name, copy) => {
      const id = ids.get(`c${copy}/${basename(name)}`);
      if (id === undefined) throw new Error(`no recording c${copy}/${basename(name)}`);
      return id;
    },
    close: async () => {
      await service.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Runs bench/mne_reference.py with Debian's python3 (MNE 1.3); null when MNE is not installed. */
export function mne(args: string[]): unknown {
  try {
    const out = execFileSync('/usr/bin/python3', [join(projectRoot, 'bench', 'mne_reference.py'), ...args], {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    return JSON.parse(out);
  } catch (error) {
    console.error(`MNE reference not available: ${(error as Error).message.split('\n')[0]}`);
    return null;
  }
}

export const loadAverage = (): string => execFileSync('cat', ['/proc/loadavg'], { encoding: 'utf8' }).trim();

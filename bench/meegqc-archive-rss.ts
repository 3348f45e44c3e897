/**
 * Memory of a MEEGqc archive download (issue 14's acceptance): the real service under serverless-offline (LORIS
 * mode, a throw-away MariaDB database with the MEEGqc tables), MEEGQC_RSS_MB of generated report files (default
 * 1024, in files of 16 MiB, under a temporary data directory), one archive download read and discarded as it
 * arrives, while the serverless-offline process's VmRSS is sampled every 50 ms from /proc/<pid>/status.
 * Prints the RSS before (after a warm-up archive), the peak during the download, the growth, the bytes received
 * and the throughput. Needs local MariaDB (as the tests). Run: npm run build && node scripts/run-ts.mjs bench/meegqc-archive-rss.ts
 */
import { randomBytes } from 'node:crypto';
import { buildAccessWorld } from '../test/helpers/access-world';
import { loadLayout, seedCurrent, startLorisService, type ReportSeed } from '../test/helpers/meegqc-world';
import { get } from '../test/helpers/offline';
import { bearer, lorisToken, STRONG_KEY } from '../test/helpers/tokens';
import { mb, processRss } from './proc-rss';

const TOTAL_MB = Number(process.env.MEEGQC_RSS_MB ?? 1024);
const FILE_MB = 16;

async function main(): Promise<void> {
  const world = await buildAccessWorld();
  try {
    await loadLayout(world, 'current');
    await world.db.seed.user({
      username: 'admin',
      permissions: ['electrophysiology_browser_view_allsites'],
      projects: [world.projects.P1, world.projects.P2],
    });
    const headers = bearer(await lorisToken(STRONG_KEY, 'admin'));
    const block = randomBytes(FILE_MB * 1024 * 1024);
    const reports: ReportSeed[] = [];
    for (let i = 0; i < Math.ceil(TOTAL_MB / FILE_MB); i++) {
      block.writeUInt32LE(i, 0); // distinct files
      reports.push({
        path: `derivatives/MEEGqc/reports/sub-A1_run-${i}_desc-report_meg.html`,
        category: 'reports',
        recordings: [world.files.A1],
        content: Buffer.from(block),
      });
    }
    reports.push({
      path: 'derivatives/MEEGqc/root/warmup.tsv',
      category: 'root',
      recordings: [world.files.A1],
      content: 'a\tb\n',
    });
    await seedCurrent(world, reports);
    const service = await startLorisService(world, { LORIS_EPHYS_LOG_LEVEL: 'warn' });
    const pid = service.process.pid ?? 0;
    try {
      const archiveUrl = `${service.baseUrl}/meegqc/${world.files.A1}/files/archive`;
      const warm = await get(`${archiveUrl}?category=root`, headers);
      if (warm.status !== 200) throw new Error(`warm-up archive: ${warm.status} ${warm.text}`);
      await new Promise((r) => setTimeout(r, 1000));
      const before = processRss(pid);
      let peak = before;
      const sampler = setInterval(() => (peak = Math.max(peak, processRss(pid))), 50);
      const started = Date.now();
      const response = await fetch(`${archiveUrl}?category=reports`, { headers });
      if (response.status !== 200 || !response.body) throw new Error(`archive: ${response.status}`);
      let received = 0;
      const reader = response.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        received += value.length;
      }
      const seconds = (Date.now() - started) / 1000;
      clearInterval(sampler);
      peak = Math.max(peak, processRss(pid));
      const expected = Number(response.headers.get('content-length'));
      console.log(
        JSON.stringify(
          {
            reportFiles: reports.length - 1,
            reportMB: (reports.length - 1) * FILE_MB,
            contentLength: expected,
            receivedBytes: received,
            complete: received === expected,
            seconds: Math.round(seconds * 10) / 10,
            throughputMBps: Math.round(received / 1048576 / seconds),
            rssBeforeMB: mb(before),
            rssPeakMB: mb(peak),
            rssGrowthMB: mb(peak - before),
          },
          null,
          2,
        ),
      );
    } finally {
      await service.stop();
    }
  } finally {
    await world.cleanup();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

/**
 * Opens one recording the way the service does (openForHandler, default budgets), in a process of its own, and
 * prints what happened as one JSON line: the error code and status (or 'ok'), the CPU time of the open, and
 * the resident memory before it and at its peak (VmHWM, reset just before the call). Run with
 * `node scripts/run-ts.mjs test/helpers/open-crafted.ts <path> [maxDecodedBytes]` from the project root.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { isApiError } from '../../lib/core/errors';
import { openForHandler } from '../../lib/service/open-recording';

export interface CraftedOutcome {
  outcome: string;
  status?: number;
  message?: string;
  cpuMs: number;
  rssBeforeMb: number;
  peakMb: number;
  growthMb: number;
}

const mb = (bytes: number): number => Math.round((bytes / 2 ** 20) * 10) / 10;

/** Peak resident memory since the last reset, from /proc (Linux). */
function peakRssBytes(): number {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return match ? Number(match[1]) * 1024 : process.memoryUsage().rss;
}

/** Resets VmHWM to the current RSS (writing 5 to clear_refs), so the peak measured is the call's own. */
function resetPeak(): void {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
  } catch {
    // Kernels without it: the peak then includes start-up, which only overstates the growth.
  }
}

async function main(): Promise<void> {
  const [path, budget] = process.argv.slice(2);
  if (!path) throw new Error('usage: open-crafted.ts <path> [maxDecodedBytes]');
  const options = budget ? { maxDecodedBytes: Number(budget) } : {};
  const rssBefore = process.memoryUsage().rss;
  resetPeak();
  const cpu = process.cpuUsage();
  let result: Pick<CraftedOutcome, 'outcome' | 'status' | 'message'>;
  try {
    const opened = await openForHandler(path, options);
    await opened.recording.close();
    result = { outcome: 'ok' };
  } catch (e) {
    result = isApiError(e)
      ? { outcome: e.code, status: e.status, message: e.message }
      : { outcome: 'crash', message: String(e) };
  }
  const used = process.cpuUsage(cpu);
  const peak = Math.max(peakRssBytes(), process.memoryUsage().rss);
  const report: CraftedOutcome = {
    ...result,
    cpuMs: Math.round((used.user + used.system) / 1000),
    rssBeforeMb: mb(rssBefore),
    peakMb: mb(peak),
    growthMb: mb(peak - rssBefore),
  };
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

if (require.main === module) void main();

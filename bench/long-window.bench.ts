/**
 * Scale check: a 1 s window (all 64 channels) at 59 min of the one-hour recordings written by
 * scripts/make-long-recording.ts. Prints open time, window time, bytes read (ByteSource.bytesRead) and peak RSS.
 *   npx esbuild bench/long-window.bench.ts --bundle --platform=node --outfile=/tmp/long-window.js
 *   node /tmp/long-window.js [DIR] [edf|brainvision]     (one format per process, so peak RSS is its own)
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openBrainVision } from '../lib/readers/brainvision';
import { openEdf } from '../lib/readers/edf';
import { countingFs as countingLocalFs, localFs, type SourceFs } from '../lib/readers/source';
import type { Recording } from '../lib/readers/types';

const countingFs = (): { fs: SourceFs; bytesRead: () => number } => countingLocalFs(localFs);

const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(2)} MiB`;

async function main(): Promise<void> {
  const dir = process.argv[2] ?? join(tmpdir(), 'loris-long-recording');
  const format = process.argv[3] ?? 'edf';
  const { fs, bytesRead } = countingFs();
  const t0 = performance.now();
  const rec: Recording =
    format === 'edf'
      ? await openEdf(join(dir, 'long.edf'), fs)
      : await openBrainVision(join(dir, 'long.vhdr'), fs);
  const t1 = performance.now();
  const afterOpen = bytesRead();
  const start = 59 * 60 * rec.info.sfreq;
  const picks = rec.info.channels.map((_, i) => i);
  const data = await rec.readWindow(picks, start, start + rec.info.sfreq);
  const t2 = performance.now();
  const windowBytes = bytesRead() - afterOpen;
  const repeats: number[] = [];
  for (let minute = 1; minute <= 59; minute += 3) {
    const r0 = performance.now();
    await rec.readWindow(
      picks,
      minute * 60 * rec.info.sfreq + 123,
      minute * 60 * rec.info.sfreq + 123 + rec.info.sfreq,
    );
    repeats.push(performance.now() - r0);
  }
  repeats.sort((a, b) => a - b);
  await rec.close();
  const peak = process.resourceUsage().maxRSS * 1024;
  console.log(
    `${format}: ${rec.info.channels.length} ch × ${rec.info.nSamples} samples, ${(await rec.readEvents()).length} events; ` +
      `open ${(t1 - t0).toFixed(1)} ms (${mib(afterOpen)} read); ` +
      `1 s window at 59 min ${(t2 - t1).toFixed(1)} ms (${mib(windowBytes)} read, ${data.length}×${data[0]?.length ?? 0}); ` +
      `then ${repeats.length} more 1 s windows (minutes 1..58, unaligned): median ${(repeats[repeats.length >> 1] ?? NaN).toFixed(1)} ms; ` +
      `peak RSS ${mib(peak)}`,
  );
}

void main();

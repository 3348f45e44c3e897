/**
 * DSP timings: filterWindow (64 channels × 1 s at 1 kHz, several bands) and Welch over 64 channels × 2 s.
 * Run: npx tsx bench/dsp.bench.ts. Reports wall and CPU time (the machine may be shared).
 */
import { performance } from 'node:perf_hooks';
import { contextForBand, filterWindow } from '../lib/core/dsp/filter';
import { welchPsd } from '../lib/core/dsp/welch';

function measure(label: string, fn: () => void, repeats = 10): void {
  fn();
  let bestWall = Infinity;
  let bestCpu = Infinity;
  for (let r = 0; r < repeats; r++) {
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    fn();
    bestWall = Math.min(bestWall, performance.now() - t0);
    const cpu = process.cpuUsage(cpu0);
    bestCpu = Math.min(bestCpu, (cpu.user + cpu.system) / 1000);
  }
  console.log(`${label}: best wall ${bestWall.toFixed(1)} ms, best cpu ${bestCpu.toFixed(1)} ms`);
}

const sfreq = 1000;
const signal = (n: number, ch: number): Float64Array =>
  Float64Array.from({ length: n }, (_, i) => Math.sin((i + ch) / 17) * 1e-5 + Math.cos(i / 3.1) * 1e-6);

for (const [l, h] of [
  [0.5, null],
  [1, 40],
  [null, 30],
  [8, 12],
  [0.1, null],
] as const) {
  const c = contextForBand(sfreq, l, h);
  const chunk = Array.from({ length: 64 }, (_, ch) => signal(1000 + 2 * c, ch));
  measure(`filterWindow 64 ch × 1 s, l=${l} h=${h} (context ${c})`, () => {
    filterWindow(chunk, sfreq, l, h, c, c);
  });
}
const twoSeconds = Array.from({ length: 64 }, (_, ch) => signal(2000, ch));
measure('welchPsd 64 ch × 2 s (n_fft 256)', () => {
  welchPsd(twoSeconds, sfreq);
});

/**
 * Topomap route over HTTP (serverless-offline): a 60-channel EEG map (test-ave.fif.gz, t = 0.1 s) at 512 px with
 * contours and sensors — warm p50/p95, first map of a recording — against MNE 1.3's plot_topomap + PNG save of
 * the same data in the same run. Goals: warm ≤ 8 ms, first ≤ 25 ms, ratio ≤ 0.15. Also the demo's 64-channel raw
 * EDF (1 s window mean), a 32-channel BrainVision recording, a CTF .ds (275 magnetometers) and a raw Vectorview FIF
 * (102 magnetometers). Each case is also made by MNE in the same run (`mneSameMapMs`: the window read from the
 * open recording, plot_topomap, PNG; `warmRatioToMneSameMap` is ours over it), half of its maps just before the
 * case's steady warm maps and half just after. `warmRatioToMne` stays the first case's warm p50 over plot_topomap + PNG of
 * the evoked data alone, made after the service has stopped.
 * Mode (BENCH_MODE): 'loris' (default) as LORIS's gateway calls the service — a LORIS token checked against a real
 * MariaDB on every request, a new connection per request; 'standalone': no database, keep-alive.
 * "Warm" is the recording open and every request a new map (its window moved a little each time, auto-scaled, as the
 * viewer scrubs through time), so no answer repeats. `warmEarlyP50Ms`: the WARM maps right after the first maps, while
 * V8 still compiles the service's code (the HTTP front's request path is called once per request and is optimised only
 * after several hundred; the map workers' contour code is re-optimised as new branches appear); `warmP50Ms` (and the
 * ratio, the stages, the CPU per map): the same windows again, each moved by a microsecond per pass (the same
 * samples, a new answer), after STEADY_AFTER untimed passes over them: the service as it runs for most of its life;
 * "repeat" is one map asked for again and again (a reload, another user: the answer cache).
 * Run: npm run bench:topomap   (WARM=200, STEADY_AFTER=3, COPIES=9, FIRST_WARMUP=5)
 * Analysis (all optional): ONLY=<label substring> (some cases), BENCH_THREADS=1 (the service's CPU per thread over
 * the first and the warm maps, by thread id minus process id, 0 = main thread; RSS; the repeat path's CPU), SERVICE_NODE_ARGS
 * (node options for the service, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`, `--trace-gc` or
 * `--perf-basic-prof`), BENCH_LOGIN_HISTORY=<rows> (LORIS's login history as a site accumulates it, which the
 * lock-out check reads), BENCH_LORIS_EVENTS=<n> (n events per recording in LORIS's tables), BENCH_SERVICE_LOG=<prefix> (the service's output over each case's warm maps),
 * BENCH_PERF=<prefix> (`perf record -g` of the service over the warm maps and, `.repeat`, the repeated ones),
 * BENCH_SERVER_TIMING=1 (the service answers with Server-Timing: medians of its stages over the first and the warm maps;
 * `front`, the client's time less the handler's `auth` and `map`: the HTTP front and the connection; `handoff`, the
 * handler's `map` less the task's stages: the answer cache, the pool's hand-offs to and from the workers, the join).
 */
import { spawn } from 'node:child_process';
import type { IncomingHttpHeaders } from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeDemo } from '../cli/demo';
import { testDataPath } from '../test/helpers/testdata';
import {
  loadAverage,
  median,
  mne,
  mneMaps,
  percentile,
  serveCopies,
  serveCopiesLoris,
  timedGet,
} from './common';
import { mb, threadCpuSeconds, treeCpuSeconds, treeRss } from './proc-rss';

const COPIES = Number(process.env.COPIES ?? 9);
/**
 * New recordings opened before the timed first maps: a service just started compiles its open and hand-over code
 * on the first few (CTF, 2026-12-07: 58, 50, 38, 38, 38 ms, then 17–26), and a service that has run for a while
 * has it compiled. Their median is reported apart (`firstColdJitMedianMs`).
 */
const FIRST_WARMUP = Number(process.env.FIRST_WARMUP ?? 5);
const WARM = Number(process.env.WARM ?? 200);
/** Untimed passes over the warm windows between the early and the steady warm maps (see the header). */
const STEADY_AFTER = Number(process.env.STEADY_AFTER ?? 3);
const QUERY = 'size=512&contours=6&sensors=true';
const MODE = process.env.BENCH_MODE === 'standalone' ? 'standalone' : 'loris';
const ONLY = (process.env.ONLY ?? '').toLowerCase();
const NODE_ARGS = (process.env.SERVICE_NODE_ARGS ?? '').split(' ').filter((a) => a !== '');
const MNE_RUNS = 30;

interface Case {
  label: string;
  file: string;
  extra?: string[];
  query: string;
  /** The same map for MNE (bench/mne_reference.py map_maker): channel type, time or window, montage if any. */
  mne: { type: 'eeg' | 'mag'; t?: number; tmin?: number; tmax?: number; montage?: string };
}

/** Appends `ms` to the list of stage `name`. */
function addStage(stages: Map<string, number[]>, name: string, ms: number): void {
  const list = stages.get(name) ?? [];
  list.push(ms);
  stages.set(name, list);
}

/** Appends each `name;dur=ms` stage of a Server-Timing header to its list in `stages`. */
function addStages(stages: Map<string, number[]>, header: string | string[] | undefined): void {
  if (typeof header !== 'string') return;
  for (const entry of header.split(', ')) {
    const [name, dur] = entry.split(';dur=');
    if (name && dur !== undefined) addStage(stages, name, Number(dur));
  }
}

/** Prints the median of each stage (BENCH_SERVER_TIMING=1), when there are any. */
function printStages(label: string, maps: string, stages: Map<string, number[]>): void {
  if (stages.size === 0) return;
  const medians = [...stages].map(([name, ms]) => `${name} ${median(ms).toFixed(2)}`).join(', ');
  console.log(label, `${maps} stages p50 (ms):`, medians);
}

/**
 * The map URL with its window moved by `i` steps (t by 0.1 ms, tmin and tmax by 0.5 ms): a new map each time; and by
 * `pass` µs more, which reads the same samples but is a new answer (not from the answer cache).
 */
function windowUrl(mapUrl: string, i: number, pass = 0): string {
  const url = new URL(mapUrl);
  const shift = (name: string, step: number): void => {
    const value = url.searchParams.get(name);
    if (value !== null) url.searchParams.set(name, (Number(value) + i * step + pass * 1e-6).toFixed(6));
  };
  shift('t', 1e-4);
  shift('tmin', 5e-4);
  shift('tmax', 5e-4);
  return url.toString();
}

/**
 * BENCH_PERF=<file prefix>: `perf record -g` of the service into <prefix>.<suffix> (with
 * SERVICE_NODE_ARGS=--perf-basic-prof for JavaScript names); returns what stops it, or undefined without BENCH_PERF.
 */
async function perfRecord(pid: number, suffix: string): Promise<(() => Promise<void>) | undefined> {
  const prefix = process.env.BENCH_PERF;
  if (!prefix) return undefined;
  const perf = spawn('perf', ['record', '-F', '1999', '-g', '-p', String(pid), '-o', `${prefix}.${suffix}`], {
    stdio: 'ignore',
  });
  await new Promise((r) => setTimeout(r, 1000)); // perf attached before the maps start
  return async () => {
    perf.kill('SIGINT');
    await new Promise((r) => perf.on('exit', r));
  };
}

/** CPU ms per map of each thread since `before` (offset of its id from the process id: 0 is the main thread). */
function threadSplit(pid: number, before: Map<number, number>, maps: number): string {
  return [...threadCpuSeconds(pid)]
    .map(([tid, s]) => [tid - pid, ((s - (before.get(tid) ?? 0)) * 1000) / maps] as const)
    .filter(([, ms]) => ms > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([t, ms]) => `${t}:${ms.toFixed(2)}`)
    .join(' ');
}

async function main(): Promise<void> {
  const demoDir = mkdtempSync(join(tmpdir(), 'loris-ephys-demo-'));
  const [demo] = makeDemo(demoDir).files as [string];
  // `mne`: the same map made by MNE (bench/mne_reference.py map_maker), each run a new window as ours are.
  const all: Case[] = [
    {
      label: 'test-ave EEG 60 ch (evoked, t=0.1)',
      file: testDataPath('fif', 'test-ave.fif.gz'),
      query: `type=eeg&t=0.1&${QUERY}`,
      mne: { type: 'eeg', t: 0.1 },
    },
    {
      label: 'demo EEG 64 ch (raw EDF, 1 s mean)',
      file: demo,
      query: `tmin=30&tmax=31&${QUERY}`,
      // The demo's electrodes.tsv holds standard_1005's positions, which our route reads from the sidecar.
      mne: { type: 'eeg', tmin: 30, tmax: 31, montage: 'standard_1005' },
    },
    {
      label: 'BrainVision EEG 32 ch (raw, 0.1 s mean)',
      file: testDataPath('brainvision', 'test.vhdr'),
      extra: ['test.vmrk', 'test.eeg'].map((f) => testDataPath('brainvision', f)),
      query: `tmin=0.1&tmax=0.2&${QUERY}`,
      // No positions in the file: our route takes standard_1005's (26 of the 32 channels), as MNE does here.
      mne: { type: 'eeg', tmin: 0.1, tmax: 0.2, montage: 'standard_1005' },
    },
    {
      label: 'CTF 275 mag (.ds, 0.1 s mean)',
      file: testDataPath('ctf', 'testdata_ctf_short_discontinuous.ds'),
      query: `type=mag&tmin=0.1&tmax=0.2&${QUERY}`,
      mne: { type: 'mag', tmin: 0.1, tmax: 0.2 },
    },
    {
      label: 'FIF Vectorview 102 mag (raw, 0.1 s mean)',
      file: testDataPath('fif', 'sim_vectorview_raw.fif'),
      query: `type=mag&tmin=0.1&tmax=0.2&${QUERY}`,
      mne: { type: 'mag', tmin: 0.1, tmax: 0.2 },
    },
  ];
  const cases = all.filter((c) => c.label.toLowerCase().includes(ONLY));
  const serve = MODE === 'loris' ? serveCopiesLoris : serveCopies;
  const bench = await serve(
    cases.flatMap((c) => [c.file, ...(c.extra ?? [])]),
    FIRST_WARMUP + COPIES + 1,
    NODE_ARGS,
  );
  const request = { headers: bench.headers, fresh: MODE === 'loris' };
  const rows: Record<string, unknown>[] = [];
  try {
    for (const c of cases) {
      const url = (copy: number, t = ''): string =>
        `${bench.service.baseUrl}/ephys/${bench.idOf(c.file, copy)}/topographic-map?${c.query}${t}`;
      for (let i = 0; i < 5; i++) await timedGet(url(0), request);
      const coldJit: number[] = [];
      for (let k = 1; k <= FIRST_WARMUP; k++) coldJit.push(await timedGet(url(k), request));
      const first: number[] = [];
      const pid = bench.service.process.pid ?? 0;
      const firstCpuBefore = treeCpuSeconds(pid);
      const firstThreadsBefore = threadCpuSeconds(pid);
      const firstStages = new Map<string, number[]>(); // BENCH_SERVER_TIMING=1: the first maps' stages too
      const firstTimed = {
        ...request,
        onHeaders: (h: IncomingHttpHeaders) => addStages(firstStages, h['server-timing']),
      };
      for (let k = FIRST_WARMUP + 1; k <= FIRST_WARMUP + COPIES; k++)
        first.push(await timedGet(url(k), firstTimed));
      // The service's own CPU per first map (every thread; /proc ticks of 10 ms, so many copies are needed).
      const firstCpuMs = ((treeCpuSeconds(pid) - firstCpuBefore) * 1000) / COPIES;
      if (process.env.BENCH_THREADS === '1')
        console.log(c.label, 'first maps:', threadSplit(pid, firstThreadsBefore, COPIES));
      // Warm: the open recording, every map a new window (as the viewer scrubs through time), auto-scaled, so no
      // answer is a repeat and every map reads, computes and draws its own contours. Early maps first, then untimed
      // ones until V8 has compiled what the service runs.
      const early: number[] = [];
      for (let i = 1; i <= WARM; i++) early.push(await timedGet(windowUrl(url(0), i), request));
      for (let pass = 1; pass <= STEADY_AFTER; pass++)
        for (let i = 1; i <= WARM; i++) await timedGet(windowUrl(url(0), i, pass), request);
      const warm: number[] = [];
      // MNE's same map around ours: half of its MNE_RUNS maps just before our steady warm maps, half just after, so a
      // change of the machine's speed during the case weighs on both sides alike (MNE's imports and its reading of
      // the recording are not timed). Ours are not interrupted: after MNE's work the service's next maps were 2-4 ms
      // slower (cold cores, measured), so a few untimed maps follow it, as at the start.
      const sameMap = await mneMaps({ file: c.file, ...c.mne });
      const sameMapMs = sameMap ? await sameMap.make(MNE_RUNS / 2) : [];
      for (let i = 1; i <= 5; i++) await timedGet(windowUrl(url(0), -i), request);
      const cpuBefore = treeCpuSeconds(pid);
      const threadsBefore = threadCpuSeconds(pid);
      const logFrom = bench.service.output().length;
      // BENCH_PERF=<file prefix>: `perf record` the service over the warm maps (with SERVICE_NODE_ARGS=--perf-basic-prof).
      const perf = await perfRecord(pid, `${cases.indexOf(c)}`);
      const stages = new Map<string, number[]>(); // BENCH_SERVER_TIMING=1: the service's Server-Timing per map
      const timed = {
        ...request,
        onHeaders: (h: IncomingHttpHeaders) => addStages(stages, h['server-timing']),
      };
      for (let i = 1; i <= WARM; i++) {
        const ms = await timedGet(windowUrl(url(0), i, STEADY_AFTER + 1), timed);
        warm.push(ms);
        const last = (name: string): number => stages.get(name)?.at(-1) ?? NaN;
        const served = last('auth') + last('map');
        if (Number.isFinite(served)) addStage(stages, 'front', ms - served);
        const handoff = last('map') - last('open') - last('compute') - last('draw');
        if (Number.isFinite(handoff)) addStage(stages, 'handoff', handoff);
      }
      if (sameMap) sameMapMs.push(...(await sameMap.make(MNE_RUNS / 2)));
      sameMap?.close();
      // The service's own CPU per warm map (every thread): steadier than wall time on a busy machine.
      const cpuMs = ((treeCpuSeconds(pid) - cpuBefore) * 1000) / WARM;
      // BENCH_SERVICE_LOG=<file prefix>: the service's output over the warm maps (with SERVICE_NODE_ARGS=--trace-gc).
      if (process.env.BENCH_SERVICE_LOG)
        writeFileSync(
          `${process.env.BENCH_SERVICE_LOG}.${cases.indexOf(c)}`,
          bench.service.output().slice(logFrom),
        );
      await perf?.();
      // BENCH_THREADS=1: the same per thread (offset of its id from the process id: 0 is the main thread).
      if (process.env.BENCH_THREADS === '1')
        console.log(c.label, `rss ${mb(treeRss(pid))}`, threadSplit(pid, threadsBefore, WARM));
      // The same map asked for again (a reload, another user): answered from the answer cache.
      const repeat: number[] = [];
      const repeatPerf = await perfRecord(pid, `${cases.indexOf(c)}.repeat`);
      const repeatCpuBefore = treeCpuSeconds(pid);
      const mainBefore = threadCpuSeconds(pid).get(pid) ?? 0;
      for (let i = 0; i < WARM; i++) repeat.push(await timedGet(url(0), request));
      await repeatPerf?.();
      if (process.env.BENCH_THREADS === '1') {
        const all = ((treeCpuSeconds(pid) - repeatCpuBefore) * 1000) / WARM;
        const main = (((threadCpuSeconds(pid).get(pid) ?? 0) - mainBefore) * 1000) / WARM;
        console.log(
          c.label,
          `repeat: service ${all.toFixed(2)} ms, main thread ${main.toFixed(2)} ms per request`,
        );
      }
      printStages(c.label, 'first', firstStages);
      printStages(c.label, 'warm', stages);
      rows.push({
        case: c.label,
        warmEarlyP50Ms: +median(early).toFixed(2),
        warmP50Ms: +median(warm).toFixed(2),
        warmP95Ms: +percentile(warm, 0.95).toFixed(2),
        firstMedianMs: +median(first).toFixed(2),
        ...(coldJit.length > 0 ? { firstColdJitMedianMs: +median(coldJit).toFixed(2) } : {}),
        firstServiceCpuMs: +firstCpuMs.toFixed(2),
        warmServiceCpuMs: +cpuMs.toFixed(2),
        repeatP50Ms: +median(repeat).toFixed(2),
        ...(sameMapMs.length > 0 ? { mneSameMapMs: +median(sameMapMs).toFixed(2) } : {}),
      });
    }
  } finally {
    await bench.close();
  }
  for (const row of rows) {
    const same = row.mneSameMapMs;
    if (typeof same === 'number') {
      row.warmRatioToMneSameMap = +((row.warmP50Ms as number) / same).toFixed(3);
      row.warmEarlyRatioToMneSameMap = +((row.warmEarlyP50Ms as number) / same).toFixed(3);
    }
  }
  // As before: plot_topomap of the evoked file's data alone.
  const reference = mne(['topomap', testDataPath('fif', 'test-ave.fif.gz'), '0.1', String(MNE_RUNS)]) as {
    medianMs: number;
    p95Ms: number;
  } | null;
  const first = rows[0] as { warmP50Ms: number } | undefined;
  console.table(rows);
  console.log(
    JSON.stringify({
      bench: 'topomap',
      mode: MODE,
      loadAverage: loadAverage(),
      rows,
      mnePlotTopomapSavefigMs: reference,
      warmRatioToMne: reference && first ? +(first.warmP50Ms / reference.medianMs).toFixed(3) : null,
    }),
  );
}

void main();

/**
 * The PNG render path in process, per stage: CPU median (ms) over REPEAT warm renders of the demo EDF map
 * (64-ch EEG, tmin=7&tmax=8, 512 px, contours, sensors, head outline, colour bar, transparent) and of the CTF map
 * (275 magnetometers), with a warm plan cache as a map worker has; GC time and count per map from the 'gc'
 * performance entries during the whole-render loop. Stage functions are the renderer's own exports, so the same
 * file runs against an older checkout of lib/core/render. drawBelow is what a map pays for its contours, drawn from
 * their flat coordinates (drawFlatStrokes) since the contour-alloc branch; strokeOpsBelow and applyOpsBelow take them
 * as Stroke objects (flatStrokeList), as every stage did before.
 * Run: node scripts/run-ts.mjs bench/render.bench.ts   (REPEAT=100)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
import { makeDemo } from '../cli/demo';
import { colormapLut } from '../lib/core/topomap/colormaps';
import { createPlanCache, renderPng, toLut } from '../lib/core/render';
import { contourPaths } from '../lib/core/render/contours';
import { makeLayout } from '../lib/core/render/layout';
import { dataStrokes, flatStrokeList } from '../lib/core/render/overlay';
import { composeDirect, DEFAULT_PNG } from '../lib/core/render/png';
import { encodeRgbaPng } from '../lib/core/render/png-encode';
import { blankCanvas, paintColorbar, paintMap } from '../lib/core/render/raster';
import { buildScene, decorOps, type PlanCache } from '../lib/core/render/scene';
import { applyOps, drawFlatStrokes, drawStrokes, strokeOps } from '../lib/core/render/strokes';
import { topomapQuerySchema } from '../lib/core/topomap-params';
import type { RenderableMap, RenderOptions } from '../lib/core/topomap/types';
import { rootedSourceFs } from '../lib/readers/rooted-fs';
import { openCached } from '../lib/service/open-recording';
import { computeMap } from '../lib/service/topomap';
import { testDataPath } from '../test/helpers/testdata';
import { loadAverage, median } from './common';

const REPEAT = Number(process.env.REPEAT ?? 100);
const WARMUP = 10;
const LIMITS = { maxWindowSeconds: 60, maxImageSize: 1024, maxRes: 256 };
const OPTIONS: RenderOptions = {
  size: 512,
  contours: true,
  sensors: true,
  names: false,
  colorbar: true,
  outlines: 'head',
  background: 'transparent',
};

const cpuMs = (u0: NodeJS.CpuUsage): number => {
  const u = process.cpuUsage(u0);
  return (u.user + u.system) / 1000;
};

/** CPU median (ms) of `run` over REPEAT calls after WARMUP; `prepare` runs untimed before each call. */
function stage<T>(prepare: () => T, run: (input: T) => unknown): number {
  const cpu: number[] = [];
  for (let k = 0; k < WARMUP + REPEAT; k++) {
    const input = prepare();
    const u0 = process.cpuUsage();
    run(input);
    if (k >= WARMUP) cpu.push(cpuMs(u0));
  }
  return +median(cpu).toFixed(3);
}

async function mapOf(path: string, root: string, query: string): Promise<RenderableMap> {
  const opened = await openCached(path, { fs: rootedSourceFs(root) });
  const q = topomapQuerySchema.parse(Object.fromEntries(new URLSearchParams(query)));
  return (await computeMap(opened, q, LIMITS)).renderable;
}

/** Whole renders through renderPng (warm cache): CPU median and GC ms and count per map. */
async function wholeRender(m: RenderableMap, cache: PlanCache, sync: boolean) {
  const gc: number[] = [];
  const observer = new PerformanceObserver((list) => list.getEntries().forEach((e) => gc.push(e.duration)));
  const cpu: number[] = [];
  const png = { ...DEFAULT_PNG, sync };
  for (let k = 0; k < WARMUP + REPEAT; k++) {
    if (k === WARMUP) observer.observe({ entryTypes: ['gc'] });
    const u0 = process.cpuUsage();
    await renderPng(m, OPTIONS, { cache, png });
    if (k >= WARMUP) cpu.push(cpuMs(u0));
  }
  await new Promise((resolve) => setTimeout(resolve, 200)); // gc entries are delivered later
  observer.disconnect();
  return {
    cpu: +median(cpu).toFixed(3),
    gcMsPerMap: +(gc.reduce((a, b) => a + b, 0) / REPEAT).toFixed(3),
    gcPerMap: +(gc.length / REPEAT).toFixed(2),
  };
}

async function stages(label: string, m: RenderableMap): Promise<Record<string, number | string>> {
  const lut = toLut(colormapLut(m.scale.cmap as Parameters<typeof colormapLut>[0]));
  const cache = createPlanCache();
  const g = m.map.geometry;
  const layout = makeLayout(g, OPTIONS);
  const { vmin, vmax, contourLevels } = m.scale;
  const warm = buildScene(m, OPTIONS, lut, cache);
  decorOps(warm);
  const plan = warm.plan;
  const contours = contourPaths({ grid: m.map.grid, res: g.res, extent: g.extent }, contourLevels);
  const scene = () => buildScene(m, OPTIONS, lut, cache);
  const flatBelow = dataStrokes(layout, m, OPTIONS, contours).below;
  const below = flatStrokeList(flatBelow);
  const row: Record<string, number | string> = { map: label };
  row.buildScene = stage(
    () => 0,
    () => buildScene(m, OPTIONS, lut, cache),
  );
  row.blankCanvas = stage(
    () => 0,
    () => blankCanvas(layout.width, layout.height, 'transparent'),
  );
  row.paintMap = stage(
    () => blankCanvas(layout.width, layout.height, 'transparent'),
    (canvas) => paintMap(plan, { grid: m.map.grid, vmin, vmax, lut }, canvas),
  );
  row.paintColorbar = stage(
    () => blankCanvas(layout.width, layout.height, 'transparent'),
    (canvas) => paintColorbar(layout, lut, canvas),
  );
  row.contourLines = stage(
    () => 0,
    () => contourPaths({ grid: m.map.grid, res: g.res, extent: g.extent }, contourLevels),
  );
  row.dataStrokes = stage(
    () => 0,
    () => dataStrokes(layout, m, OPTIONS, contours),
  );
  row.composeDirect = stage(scene, (s) => composeDirect(s, true));
  row.strokeOpsBelow = stage(
    () => 0,
    () => strokeOps(layout, below, plan.strokeCoverage, warm.scratch),
  );
  const belowOps = strokeOps(layout, below, plan.strokeCoverage, warm.scratch);
  row.applyOpsBelow = stage(
    () => warm.canvas.slice(),
    (canvas) => applyOps(belowOps, canvas),
  );
  row.drawBelow = stage(
    () => warm.canvas.slice(),
    (canvas) => drawFlatStrokes(layout, flatBelow, plan.strokeCoverage, canvas, warm.scratch),
  );
  row.drawAbove = stage(
    () => warm.canvas.slice(),
    (canvas) => drawStrokes(layout, warm.above, plan.strokeCoverage, canvas, warm.scratch),
  );
  row.applyOpsDecor = stage(
    () => warm.canvas.slice(),
    (canvas) => applyOps(decorOps(warm), canvas),
  );
  const composed = composeDirect(warm);
  row.encodeSync = stage(
    () => 0,
    () => encodeRgbaPng(composed, layout.width, layout.height, 2),
  );
  const sync = await wholeRender(m, cache, true);
  const async = await wholeRender(m, cache, false);
  row.renderPngSync = sync.cpu;
  row.gcMsPerMapSync = sync.gcMsPerMap;
  row.gcPerMapSync = sync.gcPerMap;
  row.renderPngAsync = async.cpu;
  row.gcMsPerMapAsync = async.gcMsPerMap;
  row.strokesBelow = below.length;
  row.opsBelow = belowOps.length;
  row.strokesAbove = warm.above.length;
  return row;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'loris-ephys-render-bench-'));
  const loadBefore = loadAverage();
  try {
    const [demo] = makeDemo(join(dir, 'demo')).files as [string];
    const demoMap = await mapOf(demo, dir, 'tmin=7&tmax=8');
    const ctf = testDataPath('ctf', 'testdata_ctf_short_discontinuous.ds');
    const ctfMap = await mapOf(ctf, testDataPath(), 'tmin=0&tmax=0.05&type=mag');
    const rows = [
      await stages('demo EEG 64', demoMap),
      await stages(`CTF ${ctfMap.channelNames.length}`, ctfMap),
    ];
    const keys = Object.keys(rows[0] ?? {}).filter((k) => k !== 'map');
    console.table(
      Object.fromEntries(keys.map((k) => [k, Object.fromEntries(rows.map((r) => [r.map, r[k]]))])),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(
    JSON.stringify({ date: new Date().toISOString(), repeat: REPEAT, loadBefore, loadAfter: loadAverage() }),
  );
}

void main();

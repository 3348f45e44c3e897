/**
 * The demo page in a real headless Chromium (Debian's /usr/bin/chromium driven by playwright-core) against
 * the real service under serverless-offline in standalone mode, over a freshly generated demo sample:
 * the page loads under its Content-Security-Policy, moving the time slider changes the map (the page shows
 * exactly the PNG the route returns), band and filter controls reach the route, and the 3D view draws the
 * demo's 64 electrodes. A screenshot is kept in test/artifacts/demo-page.png.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { makeDemo } from '../../cli/demo';
import { get, startOffline, type OfflineService } from '../helpers/offline';
import { describeWithData, projectRoot, testDataDir } from '../helpers/testdata';

/** Debian's chromium; LORIS_EPHYS_CHROMIUM points elsewhere (the test fails, never skips, when it is missing). */
const CHROMIUM = process.env.LORIS_EPHYS_CHROMIUM ?? '/usr/bin/chromium';
const DEMO_CHANNELS = 64;
const artifacts = join(projectRoot, 'test', 'artifacts');

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

interface PageLog {
  errors: string[];
  requests: string[];
  /** `status url` of every answer that was not a 200. */
  failures: string[];
}

async function openPage(context: BrowserContext, url: string): Promise<{ page: Page; log: PageLog }> {
  const page = await context.newPage();
  const log: PageLog = { errors: [], requests: [], failures: [] };
  page.on('console', (m) => {
    // Failed answers are checked one by one through `failures`.
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) log.errors.push(m.text());
  });
  page.on('response', (r) => {
    if (r.status() !== 200) log.failures.push(`${r.status()} ${r.url()}`);
  });
  page.on('pageerror', (e) => log.errors.push(e.message));
  page.on('request', (r) => log.requests.push(r.url()));
  await page.goto(url);
  return { page, log };
}

/**
 * Polls until the page shows a map whose query passes `accept` (from the test side: the page's CSP rightly
 * refuses the string evaluation page.waitForFunction would need).
 */
async function mapWhere(page: Page, accept: (query: string) => boolean) {
  const deadline = Date.now() + 30000;
  for (;;) {
    const state = await page.locator('body').getAttribute('data-map-state');
    const query = (await page.locator('#map').getAttribute('data-query')) ?? '';
    if (state === 'ready' && accept(query)) break;
    if (state === 'error')
      throw new Error(`the page shows an error: ${await page.locator('#message').textContent()}`);
    if (Date.now() > deadline)
      throw new Error(`no map matching ${accept.toString()} (state ${state}, query ${query})`);
    await page.waitForTimeout(50);
  }
  const map = page.locator('#map');
  return {
    src: (await map.getAttribute('src')) ?? '',
    sha256: (await map.getAttribute('data-sha256')) ?? '',
    bytes: Number(await map.getAttribute('data-bytes')),
    query: (await map.getAttribute('data-query')) ?? '',
  };
}

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Debian's chromium with a fresh profile (`profileDir`); a clear failure when it is not installed. */
async function launchChromium(profileDir: string): Promise<BrowserContext> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium); .ci/run does`,
    );
  }
  return chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1440, height: 720 },
  });
}

describe('demo page in headless Chromium', () => {
  let service: OfflineService | undefined;
  let context: BrowserContext | undefined;
  let dataDir = '';
  let profileDir = '';

  beforeAll(async () => {
    if (!existsSync(join(projectRoot, 'dist', 'demo', 'index.js')))
      throw new Error('dist/ is missing: npm run build');
    profileDir = mkdtempSync(join(tmpdir(), 'loris-ephys-chromium-'));
    context = await launchChromium(profileDir);
    dataDir = mkdtempSync(join(tmpdir(), 'loris-ephys-demo-page-'));
    makeDemo(dataDir);
    service = await startOffline({
      LORIS_EPHYS_MODE: 'standalone',
      LORIS_EPHYS_DATA: dataDir,
      LORIS_EPHYS_LOG_LEVEL: 'warn',
    });
  }, 120000);

  afterAll(async () => {
    await context?.close();
    await service?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    if (profileDir) rmSync(profileDir, { recursive: true, force: true });
  });

  it('serves the page with a hash-based CSP and no external sources', async () => {
    const response = await get(`${service!.baseUrl}/demo`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toMatch(/default-src 'none'/);
    expect(csp).toMatch(/script-src 'sha256-[A-Za-z0-9+/]{43}='(;|$)/);
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|https?:/);
    expect(response.text).not.toMatch(/(src|href)="(https?:)?\/\//);
  });

  it('loads, draws the 64 sensors, and moving the slider changes the map', async () => {
    const base = service!.baseUrl;
    const { page, log } = await openPage(context!, `${base}/demo`);
    const first = await mapWhere(page, (q) => q !== '');
    expect(first.bytes).toBeGreaterThan(10000);
    expect(await page.locator('#recording option').count()).toBe(1);
    expect(await page.locator('body').getAttribute('data-start')).toBe('0');
    expect(await page.locator('body').getAttribute('data-end')).toBe(String(120 - 1 / 256));
    expect(await page.locator('#sensors').getAttribute('data-sensor-count')).toBe(String(DEMO_CHANNELS));

    // Dragging rotates the 3D view (0.01 rad per pixel) and stops its slow spin.
    const canvas = page.locator('#sensors');
    const area = await canvas.boundingBox();
    if (!area) throw new Error('canvas not laid out');
    await page.mouse.move(area.x + area.width / 2, area.y + area.height / 2);
    await page.mouse.down();
    const yaw0 = Number(await canvas.getAttribute('data-yaw'));
    const before = await canvas.screenshot();
    await page.mouse.move(area.x + area.width / 2 + 100, area.y + area.height / 2 - 40, { steps: 5 });
    await page.mouse.up();
    expect(Number(await canvas.getAttribute('data-yaw')) - yaw0).toBeCloseTo(1.0, 2);
    expect(Number(await canvas.getAttribute('data-pitch'))).toBeCloseTo(0.35 - 0.4, 2);
    expect((await canvas.screenshot()).equals(before)).toBe(false);

    // The page shows exactly what the route answers for the query it names.
    const id = await page.locator('#recording').inputValue();
    const direct = await get(`${base}/ephys/${id}/topographic-map?${first.query}`);
    expect(direct.headers.get('content-type')).toBe('image/png');
    expect(sha256(direct.bytes)).toBe(first.sha256);

    // Drag the slider thumb with the mouse to about three quarters of the range.
    const slider = page.locator('#time');
    const box = await slider.boundingBox();
    if (!box) throw new Error('slider not laid out');
    await page.mouse.click(box.x + box.width * 0.75, box.y + box.height / 2);
    const moved = await mapWhere(page, (q) => q !== first.query);
    const t = Number(await slider.inputValue());
    expect(t).toBeGreaterThan(60);
    expect(moved.query).toContain(`tmin=${t.toFixed(3)}`);
    expect(moved.src).not.toBe(first.src);
    expect(moved.sha256).not.toBe(first.sha256);
    expect(sha256((await get(`${base}/ephys/${id}/topographic-map?${moved.query}`)).bytes)).toBe(
      moved.sha256,
    );

    // Filter and band controls reach the route.
    await page.fill('#lfreq', '1');
    await page.fill('#hfreq', '30');
    const filtered = await mapWhere(page, (q) => /lfreq=1&hfreq=30/.test(q));
    expect(filtered.sha256).not.toBe(moved.sha256);
    await page.fill('#lfreq', '');
    await page.fill('#hfreq', '');
    await page.selectOption('#band', 'alpha');
    const alpha = await mapWhere(page, (q) => /metric=power&band=alpha/.test(q) && !/freq/.test(q));
    expect(alpha.sha256).not.toBe(moved.sha256);

    // Every request stayed on the service's origin, and the page raised no error (a CSP refusal would).
    // The only refused request may be the time-range probe (the metadata route reports no duration).
    expect(log.requests.filter((u) => !u.startsWith(base) && !u.startsWith('blob:'))).toEqual([]);
    expect(log.errors).toEqual([]);
    const probe = `400 ${base}/ephys/${id}/topographic-map?format=json&t=1e9`;
    expect(log.failures.filter((f) => f !== probe)).toEqual([]);

    mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: join(artifacts, 'demo-page.png'), fullPage: true });
    await page.close();
  }, 120000);

  it('preselects ?id= and says why when the recording does not exist', async () => {
    const { page } = await openPage(context!, `${service!.baseUrl}/demo?id=12345`);
    await page.locator('#message').waitFor({ state: 'visible', timeout: 30000 });
    expect(await page.locator('#recording').inputValue()).toBe('12345');
    expect(await page.locator('#message').textContent()).toContain('recording_not_found');
    await page.close();
  }, 60000);
});

describeWithData('demo page on the shared MEG recordings', () => {
  let service: OfflineService | undefined;
  let context: BrowserContext | undefined;
  let profileDir = '';

  beforeAll(async () => {
    profileDir = mkdtempSync(join(tmpdir(), 'loris-ephys-chromium-'));
    context = await launchChromium(profileDir);
    service = await startOffline({
      LORIS_EPHYS_MODE: 'standalone',
      LORIS_EPHYS_DATA: testDataDir(),
      LORIS_EPHYS_LOG_LEVEL: 'warn',
    });
  }, 120000);

  afterAll(async () => {
    await context?.close();
    await service?.stop();
    if (profileDir) rmSync(profileDir, { recursive: true, force: true });
  });

  it.each([['fif/sim_vectorview_raw.fif'], ['ctf/testdata_ctf_short_discontinuous.ds']])(
    '%s: the 3D view draws every positioned head sensor the sensors route gives, and a map',
    async (path) => {
      const base = service!.baseUrl;
      const list = (await get(`${base}/ephys/recordings`)).json() as {
        recordings: { id: number; path: string }[];
      };
      const id = list.recordings.find((r) => r.path === path)?.id;
      expect(id).toBeDefined();
      const sensors = (await get(`${base}/ephys/${id}/sensors`)).json() as {
        channels: { position: unknown; type: string }[];
      };
      // MEG reference sensors (CTF) are far from the head and not drawn.
      const positioned = sensors.channels.filter((c) => c.position !== null && c.type !== 'ref_meg').length;
      expect(positioned).toBeGreaterThan(100);
      const { page, log } = await openPage(context!, `${base}/demo?id=${id}`);
      await mapWhere(page, (q) => q !== '');
      expect(await page.locator('#recording').inputValue()).toBe(String(id));
      expect(await page.locator('#sensors').getAttribute('data-sensor-count')).toBe(String(positioned));
      expect(log.errors).toEqual([]);
      mkdirSync(artifacts, { recursive: true });
      await page.screenshot({ path: join(artifacts, `demo-page-${path.split('/')[0]}.png`), fullPage: true });
      await page.close();
    },
    60000,
  );
});

/** End to end: the real service under serverless-offline on a free loopback port, over real HTTP. */
import { join } from 'node:path';
import { get, startOffline, type OfflineService } from './helpers/offline';
import { projectRoot } from './helpers/testdata';

describe('serverless-offline end to end', () => {
  let service: OfflineService;
  beforeAll(async () => {
    // Standalone mode: health is 'ok' without a LORIS database (LORIS mode is covered in test/access).
    service = await startOffline({
      LORIS_EPHYS_MODE: 'standalone',
      LORIS_EPHYS_DATA: join(projectRoot, 'events'),
      LORIS_EPHYS_LOG_LEVEL: 'warn',
    });
  });
  afterAll(async () => {
    await service?.stop();
  });

  it('answers GET /health with 200 JSON on 127.0.0.1', async () => {
    const r = await get(`${service.baseUrl}/health`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^application\/json/);
    expect(r.json()).toMatchObject({
      status: 'ok',
      version: expect.any(String),
      uptimeSeconds: expect.any(Number),
    });
  });

  it('answers an unknown route with 404, not a crash', async () => {
    const r = await get(`${service.baseUrl}/ephys/nope/nope/nope`);
    expect(r.status).toBe(404);
  });

  it('stops cleanly on SIGTERM', async () => {
    const started = Date.now();
    await service.stop();
    expect(service.process.exitCode !== null || service.process.signalCode !== null).toBe(true);
    expect(Date.now() - started).toBeLessThan(6000);
  });
});

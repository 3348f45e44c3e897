/**
 * The front's Node options (deploy/offline/node-options.json, used by npm start and the tests' startOffline): this
 * Node accepts every one of them (an unknown V8 flag would stop the service at start), and the map workers' heap
 * may grow to twice its live size between full collections (--heap-growing-percent=100; see the file's description).
 */
import { spawnSync } from 'node:child_process';
import { serviceNodeOptions } from '../helpers/offline';

describe('deploy/offline/node-options.json', () => {
  it('lists options this Node accepts without a warning', () => {
    const options = serviceNodeOptions();
    expect(options.length).toBeGreaterThan(0);
    const run = spawnSync(process.execPath, [...options, '-e', ''], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });

  it('lets V8 heaps (the map workers included) grow to twice their live size between full collections', () => {
    expect(serviceNodeOptions()).toContain('--heap-growing-percent=100');
  });
});

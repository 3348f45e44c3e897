/**
 * Issue 17 regression: a crafted 70 KB .vhdr (written here, no fixture) whose values are long runs of digits
 * made the old number pattern backtrack for seconds and came back whole in a 70 KB error body. It is now
 * refused quickly, with a short message.
 */
import { errorResponse } from '../../../lib/core/http';
import { isApiError } from '../../../lib/core/errors';
import { openBrainVision } from '../../../lib/readers/brainvision';
import { memoryFs } from '../../../lib/readers/source';
import { parseVhdr } from '../../../lib/readers/brainvision/header';
import { expectLinearEnough, HANG_BOUND_MS } from '../../helpers/linear-time';

const LONG = `${'1'.repeat(70000)}x`;

interface Settings {
  samplingInterval?: string;
  resolution?: string;
  coordinates?: string;
  dataFormat?: string;
}

function craftedVhdr(s: Settings): string {
  return [
    'Brain Vision Data Exchange Header File Version 1.0',
    '[Common Infos]',
    'DataFile=crafted.eeg',
    'MarkerFile=crafted.vmrk',
    `DataFormat=${s.dataFormat ?? 'BINARY'}`,
    'DataOrientation=MULTIPLEXED',
    'NumberOfChannels=1',
    `SamplingInterval=${s.samplingInterval ?? '1000'}`,
    '[Binary Infos]',
    'BinaryFormat=INT_16',
    '[Channel Infos]',
    `Ch1=Fz,,${s.resolution ?? '0.1'},µV`,
    ...(s.coordinates ? ['[Coordinates]', `Ch1=${s.coordinates}`] : []),
    '',
  ].join('\n');
}

/** Opens the crafted recording (1 channel, 4 samples, no markers) and returns the error it fails with. */
async function openError(settings: Settings): Promise<unknown> {
  const files = new Map<string, Uint8Array>([
    ['/r/crafted.vhdr', new TextEncoder().encode(craftedVhdr(settings))],
    ['/r/crafted.eeg', new Uint8Array(8)],
    ['/r/crafted.vmrk', new TextEncoder().encode('Brain Vision Data Exchange Marker File, Version 1.0\n')],
  ]);
  return openBrainVision('/r/crafted.vhdr', memoryFs(files)).then(
    () => null,
    (e: unknown) => e,
  );
}

describe('BrainVision header with 70 KB values (issue 17)', () => {
  it.each<[string, Settings]>([
    ['SamplingInterval', { samplingInterval: LONG }],
    ['a channel resolution', { resolution: LONG }],
    ['a coordinate', { coordinates: `1,${LONG},0` }],
    ['DataFormat', { dataFormat: LONG }],
  ])('refuses a 70 KB %s quickly, with a short message and a small error body', async (_what, settings) => {
    expect(craftedVhdr(settings).length).toBeGreaterThan(70000);
    const start = performance.now();
    const error = await openError(settings);
    expect(performance.now() - start).toBeLessThan(HANG_BOUND_MS);
    if (!isApiError(error)) throw new Error(`expected an ApiError, got ${String(error)}`);
    expect(['unreadable_recording', 'unsupported_format']).toContain(error.code);
    expect(error.message).toContain('(70001 characters)');
    expect(error.message.length).toBeLessThan(400);
    expect(errorResponse(error, 'req-1').body?.length ?? Infinity).toBeLessThan(500);
  });

  it('still opens the same crafted header with ordinary values', async () => {
    expect(await openError({})).toBeNull();
  });

  it('parses the header in linear time whichever value is long', () => {
    const refuse = (text: string): void => {
      expect(() => parseVhdr(new TextEncoder().encode(text))).toThrow(/characters\)/);
    };
    const digits = (n: number): string => `${'1'.repeat(n)}x`;
    expectLinearEnough(refuse, (n) => craftedVhdr({ samplingInterval: digits(n) }), 70000);
    expectLinearEnough(refuse, (n) => craftedVhdr({ resolution: `1.${digits(n)}` }), 70000);
  });
});

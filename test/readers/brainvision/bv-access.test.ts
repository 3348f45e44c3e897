/** BrainVision windows read only their rows (multiplexed) or channel stretches (vectorized). */
import { openBrainVision } from '../../../lib/readers/brainvision';
import { localFs } from '../../../lib/readers/source';
import { describeWithData, testDataPath } from '../../helpers/testdata';
import { countingFs } from '../eeg-shared/counting-fs';

describeWithData('BrainVision window reads touch only what the window needs', () => {
  it('BrainVision multiplexed: a window reads its rows only; vectorized: the channel stretches only', async () => {
    const { fs, bytesRead } = countingFs(localFs);
    const rec = await openBrainVision(testDataPath('brainvision', 'test.vhdr'), fs);
    let before = bytesRead();
    await rec.readWindow([0, 31], 5000, 5100);
    expect(bytesRead() - before).toBe(100 * 32 * 2);
    const vec = await openBrainVision(
      testDataPath('brainvision', 'test_old_layout_latin1_software_filter.vhdr'),
      fs,
    );
    before = bytesRead();
    await vec.readWindow([3, 7], 10, 60);
    expect(bytesRead() - before).toBe(2 * 50 * 4);
    await rec.close();
    await vec.close();
  });

  it('opening reads the header and marker files, not the data', async () => {
    const { fs, bytesRead } = countingFs(localFs);
    const rec = await openBrainVision(testDataPath('brainvision', 'test.vhdr'), fs);
    expect(bytesRead()).toBe(5809 + 795);
    await rec.close();
  });
});

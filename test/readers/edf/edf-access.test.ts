/** Record-aligned access: a window reads only the bytes of the records (and channels) it covers. */
import { openEdf } from '../../../lib/readers/edf';
import { localFs } from '../../../lib/readers/source';
import { describeWithData, testDataPath } from '../../helpers/testdata';
import { countingFs } from '../eeg-shared/counting-fs';

describeWithData('window reads touch only what the window needs', () => {
  it('EDF: one channel inside one record reads exactly its samples', async () => {
    const { fs, bytesRead } = countingFs(localFs);
    const rec = await openEdf(testDataPath('edf', 'test.edf'), fs);
    const before = bytesRead();
    await rec.readWindow([5], 600, 700);
    expect(bytesRead() - before).toBe(100 * 2);
    await rec.close();
  });

  it('EDF: one channel across a record boundary reads its samples from both records only', async () => {
    const { fs, bytesRead } = countingFs(localFs);
    const rec = await openEdf(testDataPath('edf', 'test.edf'), fs);
    const before = bytesRead();
    await rec.readWindow([5], 1000, 1100); // records 1 and 2 (512 samples each)
    expect(bytesRead() - before).toBe(100 * 2);
    await rec.close();
  });

  it('EDF: opening reads the header only; the events read the annotation signal, not the data', async () => {
    const { fs, bytesRead } = countingFs(localFs);
    const rec = await openEdf(testDataPath('edf', 'test.edf'), fs);
    const header = 256 * 141;
    expect(bytesRead()).toBe(256 + header);
    await rec.readEvents();
    const talPerRecord = (896256 - header) / 6 - 139 * 512 * 2;
    expect(bytesRead()).toBe(256 + header + 6 * talPerRecord);
    await rec.readEvents(); // read once
    expect(bytesRead()).toBe(256 + header + 6 * talPerRecord);
    await rec.close();
  });

  it('BDF: all channels of a 0.1 s window read the span of one record, not the file', async () => {
    const { fs, bytesRead } = countingFs(localFs);
    const rec = await openEdf(testDataPath('edf', 'test.bdf'), fs);
    const before = bytesRead();
    const all = rec.info.channels.map((_, i) => i);
    await rec.readWindow(all, 1000, 1205);
    // From channel 0's sample 1000 to the last channel's sample 1204 inside the single 2048-sample record.
    expect(bytesRead() - before).toBe(((all.length - 1) * 2048 + 205) * 3);
    await rec.close();
  });
});

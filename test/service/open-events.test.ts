/**
 * Events of an opened recording (OpenedRecording.readEvents): the file's and LORIS's, by onset, read when first
 * asked for and then kept; the open itself reads no EDF+ annotation.
 */
import { openForHandler } from '../../lib/service/open-recording';
import { openEdf } from '../../lib/readers/edf';
import { localFs } from '../../lib/readers/source';
import { describeWithData, testDataPath } from '../helpers/testdata';

describeWithData('events of an opened recording', () => {
  const path = testDataPath('edf', 'test.edf');

  it("merge the file's annotations with LORIS's events by onset, once", async () => {
    const alone = await openEdf(path, localFs);
    const fileEvents = await alone.readEvents();
    await alone.close();
    expect(fileEvents.length).toBeGreaterThan(0);
    const stored = [
      { onset: 1e6, duration: 0, type: 'lorisLast', value: 'z' },
      { onset: -1, duration: 0, type: 'lorisFirst', value: 'a' },
    ];
    const opened = await openForHandler(path, { extras: { events: stored } });
    try {
      const events = await opened.readEvents();
      expect(events).toHaveLength(fileEvents.length + 2);
      expect(events[0]?.type).toBe('lorisFirst');
      expect(events[events.length - 1]?.type).toBe('lorisLast');
      expect(events.map((e) => e.onset)).toEqual([...events.map((e) => e.onset)].sort((a, b) => a - b));
      expect(opened.readEvents()).toBe(opened.readEvents());
    } finally {
      await opened.recording.close();
    }
  });
});

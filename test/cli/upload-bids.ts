/**
 * A small EEG BIDS dataset for one LORIS session, made from the shared recordings: `edf/test.edf` (EDF+, 139
 * channels, 512 Hz, 6 s) as `sub-<PSCID>/ses-<Visit>/eeg/…_eeg.edf`, with `channels.tsv`, `_eeg.json` and
 * `events.tsv` written from what our readers read in that file, and `dataset_description.json`.
 */
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openForHandler } from '../../lib/service/open-recording';
import { testDataPath } from '../helpers/testdata';

export interface BidsSession {
  root: string;
  recording: string;
  channels: number;
}

const BIDS_TYPES: Record<string, string> = {
  eeg: 'EEG',
  stim: 'TRIG',
  eog: 'EOG',
  ecg: 'ECG',
  emg: 'EMG',
  misc: 'MISC',
};

export async function makeBidsSession(root: string, pscid: string, visit: string): Promise<BidsSession> {
  const eegDir = join(root, `sub-${pscid}`, `ses-${visit}`, 'eeg');
  mkdirSync(eegDir, { recursive: true });
  const base = `sub-${pscid}_ses-${visit}_task-rest`;
  const recording = join(eegDir, `${base}_eeg.edf`);
  copyFileSync(testDataPath('edf', 'test.edf'), recording);
  const opened = await openForHandler(recording);
  try {
    const { info } = opened;
    const channels = [
      'name\ttype\tunits\tsampling_frequency',
      ...info.channels.map(
        (c) => `${c.name}\t${BIDS_TYPES[c.type] ?? 'MISC'}\t${c.unit === 'V' ? 'µV' : 'n/a'}\t${info.sfreq}`,
      ),
    ];
    writeFileSync(join(eegDir, `${base}_channels.tsv`), channels.join('\n') + '\n');
    const eegCount = info.channels.filter((c) => c.type === 'eeg').length;
    writeFileSync(
      join(eegDir, `${base}_eeg.json`),
      JSON.stringify(
        {
          TaskName: 'rest',
          SamplingFrequency: info.sfreq,
          EEGReference: 'n/a',
          PowerLineFrequency: 50,
          SoftwareFilters: 'n/a',
          EEGChannelCount: eegCount,
          RecordingDuration: info.nSamples / info.sfreq,
        },
        null,
        2,
      ),
    );
    const events = [
      'onset\tduration\ttrial_type',
      ...(await opened.readEvents()).map((e) => `${e.onset}\t${e.duration}\t${e.value || e.type || 'n/a'}`),
    ];
    writeFileSync(join(eegDir, `${base}_events.tsv`), events.join('\n') + '\n');
    writeFileSync(
      join(root, 'dataset_description.json'),
      JSON.stringify({ Name: 'loris-ephys CLI test', BIDSVersion: '1.8.0', DatasetType: 'raw' }, null, 2),
    );
    writeFileSync(join(root, 'participants.tsv'), `participant_id\nsub-${pscid}\n`);
    return { root, recording, channels: info.channels.length };
  } finally {
    await opened.recording.close();
  }
}

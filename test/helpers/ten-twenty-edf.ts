/**
 * A generated EDF+ recording whose 19 EEG channels carry 10-20 names, so the service places them with the
 * standard montage (issue 16: the shared test.edf's A1..I8 labels are not a complete cap and get no positions).
 * For tests that need any mappable EEG recording behind LORIS (access, faults, proxy).
 */
import { writeFileSync } from 'node:fs';
import { writeEdf } from '../../cli/edf-writer';

export const TEN_TWENTY = [
  'Fp1',
  'Fp2',
  'F7',
  'F3',
  'Fz',
  'F4',
  'F8',
  'T7',
  'C3',
  'Cz',
  'C4',
  'T8',
  'P7',
  'P3',
  'Pz',
  'P4',
  'P8',
  'O1',
  'O2',
];

/** Writes `seconds` s at 256 Hz of smooth, channel-dependent signals to `path`. */
export function writeTenTwentyEdf(path: string, seconds = 6): void {
  const sfreq = 256;
  const data = TEN_TWENTY.map((_, c) =>
    Float64Array.from(
      { length: sfreq * seconds },
      (_, s) => 40 * Math.sin((2 * Math.PI * (s + 13 * c)) / 97) + c,
    ),
  );
  writeFileSync(
    path,
    writeEdf(
      TEN_TWENTY.map((label) => ({ label, unit: 'uV', physMax: 500 })),
      data,
      sfreq,
    ),
  );
}

/** FIF channel records → the reader's ChannelInfo, with types exactly as MNE's `io/pick.py:channel_type`. */
import type { ChannelInfo, ChannelType, CoordFrame } from '../types';
import { quoteValue, unreadableRecording } from '../../core/errors';
import type { ChInfoStruct } from './tags';

const KIND = { meg: 1, eeg: 2, refMeg: 301 } as const;
const UNIT = { volt: 107, tesla: 112, teslaPerMetre: 201 } as const;
const EEG_COILS = new Set([0, 1, 5]); // none, EEG, bipolar EEG

/**
 * MNE's first rule (kind → type), restricted to the types this service knows; kinds MNE names otherwise
 * (exci, ias, dipole, gof, fnirs, temperature, gsr) and unknown kinds are offered as 'misc'.
 */
const KIND_TYPES: Record<number, ChannelType> = {
  301: 'ref_meg',
  3: 'stim',
  202: 'eog',
  302: 'emg',
  402: 'ecg',
  602: 'resp',
  502: 'misc',
  900: 'syst',
  802: 'seeg',
  803: 'dbs',
  102: 'bio',
  902: 'ecog',
  700: 'chpi',
  701: 'chpi',
  702: 'chpi',
  703: 'chpi',
  704: 'chpi',
  705: 'chpi',
  706: 'chpi',
  707: 'chpi',
  708: 'chpi',
  709: 'chpi',
};

export function channelType(ch: ChInfoStruct): ChannelType {
  if (ch.kind === KIND.meg) {
    if (ch.unit === UNIT.teslaPerMetre) return 'grad';
    if (ch.unit === UNIT.tesla) return 'mag';
    throw unreadableRecording(
      `MEG channel ${quoteValue(ch.name)} has unit code ${ch.unit} (neither T nor T/m)`,
    );
  }
  // EEG with a CSD coil (6) is MNE's 'csd', which this service does not map; other coils are a KeyError in MNE.
  if (ch.kind === KIND.eeg) return EEG_COILS.has(ch.coilType) ? 'eeg' : 'misc';
  return KIND_TYPES[ch.kind] ?? 'misc';
}

const UNIT_NAMES: Record<number, string> = {
  [UNIT.volt]: 'V',
  [UNIT.tesla]: 'T',
  [UNIT.teslaPerMetre]: 'T/m',
};

/** MNE's `_ch_coord_dict`: MEG and reference MEG in the device frame; EEG-like kinds in the head frame. */
function coordFrame(kind: number): CoordFrame {
  if (kind === KIND.meg || kind === KIND.refMeg) return 'device';
  if ([KIND.eeg, 902, 802, 803, 1100].includes(kind)) return 'head';
  return 'unknown';
}

export function toChannelInfo(ch: ChInfoStruct): ChannelInfo {
  return {
    name: ch.name,
    type: channelType(ch),
    unit: UNIT_NAMES[ch.unit] ?? '',
    coilType: ch.coilType & 0xffff,
    loc: [...ch.loc],
    coordFrame: coordFrame(ch.kind),
  };
}

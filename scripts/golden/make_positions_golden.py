"""Golden values for the positions layer, from MNE-Python 1.3.

Run with Debian's python: /usr/bin/python3 scripts/golden/make_positions_golden.py
Writes test/golden/positions/*.json:
- set_montage.json: head-frame loc[:3] that `raw.set_montage(name, on_missing='ignore')` gives the EEG channels of
  edf/test.bdf (standard_1005) and brainvision/test.vhdr (standard_1020); NaN (null) where not in the montage;
  `positions_nocase` with match_case=False (names matched case-insensitively, as matchMontage does).
- fiducial_transform.json: standard_1020's native (MRI-frame) positions and fiducials in mm, and MNE's
  `transform_to_head` result in metres, and `get_ras_to_neuromag_trans` of the fiducials as float64.
"""
import json
import os

import numpy as np
import mne
from mne.channels.montage import transform_to_head

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, '..', '..'))
DATA = os.environ.get('LORIS_EPHYS_TESTDATA', os.path.join(ROOT, '..', 'shared', 'data'))
OUT = os.path.join(ROOT, 'test', 'golden', 'positions')


def clean(x):
    if isinstance(x, dict):
        return {k: clean(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [clean(v) for v in x]
    if isinstance(x, np.ndarray):
        return clean(x.tolist())
    if isinstance(x, (float, np.floating)):
        return None if np.isnan(x) else float(x)
    return x


def set_montage_case(raw, montage):
    picks = mne.pick_types(raw.info, eeg=True)
    out = {'montage': montage, 'names': [raw.ch_names[i] for i in picks]}
    for key, match_case in (('positions', True), ('positions_nocase', False)):
        raw.set_montage(montage, on_missing='ignore', match_case=match_case)
        out[key] = [raw.info['chs'][i]['loc'][:3] for i in picks]
    return out


def fiducial_case():
    mnt = mne.channels.make_standard_montage('standard_1020')
    native = mnt.get_positions()
    head = transform_to_head(mnt).get_positions()
    names = list(native['ch_pos'].keys())
    return {
        'unit': 'mm',
        'names': names,
        'native_mm': [np.asarray(native['ch_pos'][n]) * 1000 for n in names],
        'fiducials_mm': {k: np.asarray(native[k], float) * 1000 for k in ('nasion', 'lpa', 'rpa')},
        'head_m': [head['ch_pos'][n] for n in names],
        # MNE's fsaverage fiducials are float32, which limits transform_to_head's own precision to ~1e-8 m;
        # the matrix here is MNE's function on the same fiducials as float64.
        'trans': mne.transforms.get_ras_to_neuromag_trans(
            *(np.asarray(native[k], float) for k in ('nasion', 'lpa', 'rpa'))),
    }


def main():
    mne.set_log_level('ERROR')
    os.makedirs(OUT, exist_ok=True)
    cases = {
        'test.bdf': set_montage_case(mne.io.read_raw_bdf(os.path.join(DATA, 'edf', 'test.bdf')), 'standard_1005'),
        'test.vhdr': set_montage_case(
            mne.io.read_raw_brainvision(os.path.join(DATA, 'brainvision', 'test.vhdr')), 'standard_1020'),
    }
    out = {'mne_version': mne.__version__, 'cases': cases}
    with open(os.path.join(OUT, 'set_montage.json'), 'w') as fh:
        json.dump(clean(out), fh, separators=(',', ':'))
    with open(os.path.join(OUT, 'fiducial_transform.json'), 'w') as fh:
        json.dump(clean(fiducial_case()), fh, separators=(',', ':'))
    for f in sorted(os.listdir(OUT)):
        print(f, os.path.getsize(os.path.join(OUT, f)))


if __name__ == '__main__':
    main()

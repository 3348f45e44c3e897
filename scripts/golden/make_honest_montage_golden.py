"""Positions MNE 1.3 gives the 64 channels of a BioSemi 64 cap (10-20/10-10 names) with set_montage, for the
honest-montage tests (issue 16). Usage: /usr/bin/python3 scripts/golden/make_honest_montage_golden.py
Writes test/golden/positions/honest_montage.json: names, and head-frame positions under standard_1005,
standard_1020 and biosemi64 (metres)."""
import json
import os

import mne

mne.set_log_level('ERROR')
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, '..', '..', 'test', 'golden', 'positions', 'honest_montage.json')

names = mne.channels.make_standard_montage('biosemi64').ch_names
out = dict(names=names, positions={})
for montage in ('standard_1005', 'standard_1020', 'biosemi64'):
    info = mne.create_info(names, 512.0, 'eeg')
    info.set_montage(montage)
    out['positions'][montage] = [[float(v) for v in ch['loc'][:3]] for ch in info['chs']]
with open(OUT, 'w') as f:
    json.dump(out, f, separators=(',', ':'))

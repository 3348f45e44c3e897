"""Golden values for the KIT .sqd reader: what MNE-Python 1.3's read_raw_kit (defaults: stim='>', slope='-',
stimthresh=1, stim_code='binary', no coregistration) returns for kit/test.sqd.

Run with Debian's python (has mne 1.3):  /usr/bin/python3 scripts/golden/make_kit_golden.py
Writes test/golden/kit/test_sqd.json, and test/golden/kit/test_sqd_coreg.json: dev_head_t and dig when the
marker (test_mrk.sqd), digitiser (test.elp) and head-shape (test.hsp) files are passed as mrk/elp/hsp.
"""
import json
import os

import mne
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DATA = os.environ.get('LORIS_EPHYS_TESTDATA', os.path.join(ROOT, '..', 'shared', 'data'))
SQD = os.path.join(DATA, 'kit', 'test.sqd')
OUT = os.path.join(ROOT, 'test', 'golden', 'kit')

WINDOWS = [[0, 40], [700, 760], [1500, 1530], [1960, 2000]]
PER_TYPE = 10
FRAME_NAMES = {0: 'unknown', 1: 'device', 4: 'head'}


def finite_or_none(values):
    return [float(v) if np.isfinite(v) else None for v in values]


def stim_windows(raw):
    """Windows where the synthesized STI 014 changes, so the test sees real trigger values."""
    stim = raw.get_data(picks=['STI 014'])[0]
    changes = np.flatnonzero(np.diff(stim)) + 1
    return [[int(max(c - 5, 0)), int(min(c + 5, raw.n_times))] for c in changes[:3]]


def main():
    os.makedirs(OUT, exist_ok=True)
    raw = mne.io.read_raw_kit(SQD, verbose='error')
    types = raw.get_channel_types()
    picks = []
    for kind in ('mag', 'ref_meg', 'misc', 'stim'):
        idx = [i for i, t in enumerate(types) if t == kind]
        sel = np.unique(np.linspace(0, len(idx) - 1, min(PER_TYPE, len(idx))).round().astype(int))
        picks += [idx[i] for i in sel]
    windows = WINDOWS + stim_windows(raw)
    out = dict(
        generator='scripts/golden/make_kit_golden.py (mne %s)' % mne.__version__,
        sfreq=float(raw.info['sfreq']), n_times=int(raw.n_times), first_samp=int(raw.first_samp),
        dev_head_t=None if raw.info['dev_head_t'] is None else raw.info['dev_head_t']['trans'].tolist(),
        bads=list(raw.info['bads']), dig=len(raw.info['dig'] or []),
        lowpass=float(raw.info['lowpass']), highpass=float(raw.info['highpass']),
        kit_system_id=int(raw.info['kit_system_id']),
        channels=[dict(name=ch['ch_name'], type=types[i], kind=int(ch['kind']), coil_type=int(ch['coil_type']),
                       unit=int(ch['unit']), coord_frame=FRAME_NAMES.get(int(ch['coord_frame']), 'unknown'),
                       loc=finite_or_none(ch['loc']))
                  for i, ch in enumerate(raw.info['chs'])],
        picks=[int(p) for p in picks], pick_names=[raw.ch_names[p] for p in picks],
        windows=[dict(start=s, stop=e, data=raw.get_data(picks=picks, start=s, stop=e).tolist())
                 for s, e in windows])
    with open(os.path.join(OUT, 'test_sqd.json'), 'w') as f:
        json.dump(out, f, separators=(',', ':'))
    kit = os.path.join(DATA, 'kit')
    co = mne.io.read_raw_kit(SQD, mrk=os.path.join(kit, 'test_mrk.sqd'), elp=os.path.join(kit, 'test.elp'),
                             hsp=os.path.join(kit, 'test.hsp'), verbose='error')
    kinds = {1: 'cardinal', 2: 'hpi', 3: 'eeg', 4: 'extra'}
    coreg = dict(
        generator=out['generator'],
        dev_head_t=co.info['dev_head_t']['trans'].tolist(),
        mrk=mne.io.kit.read_mrk(os.path.join(kit, 'test_mrk.sqd')).tolist(),
        dig=[dict(kind=kinds[int(d['kind'])], ident=int(d['ident']), r=[float(x) for x in d['r']],
                  coord_frame=FRAME_NAMES.get(int(d['coord_frame']), 'unknown')) for d in co.info['dig']])
    with open(os.path.join(OUT, 'test_sqd_coreg.json'), 'w') as f:
        json.dump(coreg, f, separators=(',', ':'))


if __name__ == '__main__':
    main()

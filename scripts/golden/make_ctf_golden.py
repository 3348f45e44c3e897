"""Golden values for the CTF .ds reader: what MNE-Python 1.3 reads from testdata_ctf_short_discontinuous.ds
(read_raw_ctf defaults) and from its FIF conversion (read_raw_fif).

Run with Debian's python (has mne 1.3):  /usr/bin/python3 scripts/golden/make_ctf_golden.py
Writes test/golden/ctf/ds.json, test/golden/ctf/ds_raw_fif.json, and two files from synthetic extra files added
to a temporary copy of the dataset (the texts are stored in the JSON so the tests can add the same files to an
in-memory copy): ds_markers.json (annotations from MarkerFile.mrk and bad.segments) and ds_eeg_pos.json (EEG
channel positions and dig points from a .eeg electrode file and a .pos Polhemus file).
"""
import json
import os
import shutil
import sys
import tempfile

import mne
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DATA = os.environ.get('LORIS_EPHYS_TESTDATA', os.path.join(ROOT, '..', 'shared', 'data'))
DS = os.path.join(DATA, 'ctf', 'testdata_ctf_short_discontinuous.ds')
FIF = os.path.join(DATA, 'ctf', 'testdata_ctf_short_discontinuous.ds_raw.fif')
OUT = os.path.join(ROOT, 'test', 'golden', 'ctf')

# [start, stop) windows: start, middle, across the trial boundary (1201 samples per trial), end.
WINDOWS = [[0, 40], [590, 630], [1180, 1225], [1195, 1201], [1201, 1210], [2362, 2402]]
PER_TYPE = 10

KIND_NAMES = {1: 'cardinal', 2: 'hpi', 3: 'eeg', 4: 'extra'}
FRAME_NAMES = {0: 'unknown', 1: 'device', 4: 'head'}


def finite_or_none(values):
    return [float(v) if np.isfinite(v) else None for v in values]


def head_frame(ch, dev_head_t):
    """Position and orientation (ez) of a channel in the head frame, as MNE's layout code sees them."""
    loc = ch['loc']
    if ch['kind'] in (mne.io.constants.FIFF.FIFFV_MEG_CH, mne.io.constants.FIFF.FIFFV_REF_MEG_CH):
        pos = mne.transforms.apply_trans(dev_head_t, loc[:3])
        ori = mne.transforms.apply_trans(dev_head_t, loc[9:12], move=False)
        return finite_or_none(pos), finite_or_none(ori)
    return finite_or_none(loc[:3]), None


def pick_channels(raw):
    types = raw.get_channel_types()
    picks = []
    for kind in ('mag', 'ref_meg', 'eeg', 'misc', 'stim'):
        idx = [i for i, t in enumerate(types) if t == kind]
        # spread the picks over the channels of this type
        sel = np.unique(np.linspace(0, len(idx) - 1, min(PER_TYPE, len(idx))).round().astype(int))
        picks += [idx[i] for i in sel]
    return picks


def describe(raw, picks):
    info = raw.info
    dev_head_t = info['dev_head_t']['trans']
    types = raw.get_channel_types()
    chans = []
    for i, ch in enumerate(info['chs']):
        pos, ori = head_frame(ch, dev_head_t)
        chans.append(dict(
            name=ch['ch_name'], type=types[i], kind=int(ch['kind']), coil_type_raw=int(ch['coil_type']),
            coil_type=int(ch['coil_type']) & 0xFFFF, unit=int(ch['unit']), unit_mul=int(ch['unit_mul']),
            cal=float(ch['cal']), range=float(ch['range']),
            coord_frame=int(ch['coord_frame']), loc=finite_or_none(ch['loc']), head_pos=pos, head_ori=ori))
    dig = [dict(kind=KIND_NAMES.get(int(d['kind']), str(int(d['kind']))), ident=int(d['ident']),
                r=[float(x) for x in d['r']], coord_frame=FRAME_NAMES.get(int(d['coord_frame']), 'unknown'))
           for d in (info['dig'] or [])]
    windows = []
    for start, stop in WINDOWS:
        data = raw.get_data(picks=picks, start=start, stop=stop)
        windows.append(dict(start=start, stop=stop, data=[[float(v) for v in row] for row in data]))
    return dict(
        sfreq=float(info['sfreq']), n_times=int(raw.n_times), first_samp=int(raw.first_samp),
        compensation_grade=int(raw.compensation_grade), bads=list(info['bads']),
        dev_head_t=[[float(v) for v in row] for row in dev_head_t],
        ctf_head_t=[[float(v) for v in row] for row in info['ctf_head_t']['trans']],
        channels=chans, dig=dig, picks=[int(p) for p in picks],
        pick_names=[raw.ch_names[p] for p in picks], windows=windows,
        annotations=[dict(onset=float(a['onset']), duration=float(a['duration']),
                          description=str(a['description'])) for a in raw.annotations])


MARKER_FILE = """PATH OF DATASET:
testdata_ctf_short_discontinuous.ds


NUMBER OF MARKERS:
2


CLASSGROUPID:
3
NAME:
stim_on
COMMENT:

COLOR:
blue
EDITABLE:
Yes
CLASSID:
1
NUMBER OF SAMPLES:
4
LIST OF SAMPLES:
TRIAL NUMBER\t\tTIME FROM SYNC POINT (in seconds)
                  +0\t\t\t\t     +2.5000000000000e+00
                  +1\t\t\t\t     +2.3000000000000e+00
                  +0\t\t\t\t     +1.0000000000000e+00
                  +1\t\t\t\t     +5.0000000000000e+00


CLASSGROUPID:
3
NAME:
resp
COMMENT:

COLOR:
red
EDITABLE:
Yes
CLASSID:
2
NUMBER OF SAMPLES:
2
LIST OF SAMPLES:
TRIAL NUMBER\t\tTIME FROM SYNC POINT (in seconds)
                  +0\t\t\t\t     +2.5000000000000e+00
                  +1\t\t\t\t     +2.0041666666667e+00


"""

BAD_SEGMENTS = "1\t2.2\t2.4\n2\t3.9\t4.5\n"


EEG_FILE = """1 EEG057 -2.0 8.5 7.0
2 eeg058 3.5 -8.0 7.5
3 nasion 10.5 0.0 0.0
4 Cz 0.5 0.2 11.0
5 EEG060 0.0 0.05 0.0
6 EEG061 -6.0 -4.0 3.0
"""

POS_FILE = """4
1\t-6.2\t3.1\t4.0
2\tCz\t0.5\t0.2\t10.1
nasion\t10.1\t0.0\t0.0
0\t0.01\t0.0\t0.0
abc\t1.0\t2.0\t3.0
"""


def read_with_extra_files(extra):
    """MNE's read_raw_ctf on a temporary copy of the dataset with extra files written into it."""
    tmp = tempfile.mkdtemp()
    try:
        ds = os.path.join(tmp, os.path.basename(DS))
        shutil.copytree(DS, ds)
        for root, _, files in os.walk(ds):
            for f in files:
                os.chmod(os.path.join(root, f), 0o644)
        for name, text in extra.items():
            with open(os.path.join(ds, name), 'w') as f:
                f.write(text)
        return mne.io.read_raw_ctf(ds, verbose='error', preload=False)
    finally:
        shutil.rmtree(tmp)


def eeg_pos_golden():
    """EEG channel loc and dig MNE makes from a .eeg file and a .pos file."""
    stem = os.path.basename(DS)[:-3]
    raw = read_with_extra_files({stem + '.eeg': EEG_FILE, 'points.pos': POS_FILE})
    types = raw.get_channel_types()
    return dict(
        eeg_file=EEG_FILE, eeg_file_name=stem + '.eeg', pos_file=POS_FILE, pos_file_name='points.pos',
        channels=[dict(name=ch['ch_name'], loc=finite_or_none(ch['loc']),
                       coord_frame=FRAME_NAMES.get(int(ch['coord_frame']), 'unknown'))
                  for ch, t in zip(raw.info['chs'], types) if t == 'eeg'],
        dig=[dict(kind=KIND_NAMES.get(int(d['kind']), str(int(d['kind']))), ident=int(d['ident']),
                  r=[float(x) for x in d['r']], coord_frame=FRAME_NAMES.get(int(d['coord_frame']), 'unknown'))
             for d in raw.info['dig']])


def marker_golden():
    """Annotations MNE makes from MarkerFile.mrk and bad.segments."""
    raw = read_with_extra_files({'MarkerFile.mrk': MARKER_FILE, 'bad.segments': BAD_SEGMENTS})
    return dict(
        marker_file=MARKER_FILE, bad_segments=BAD_SEGMENTS,
        annotations=[dict(onset=float(a['onset']), duration=float(a['duration']),
                          description=str(a['description'])) for a in raw.annotations])


def main():
    os.makedirs(OUT, exist_ok=True)
    ds = mne.io.read_raw_ctf(DS, verbose='error')
    fif = mne.io.read_raw_fif(FIF, verbose='error')
    picks = pick_channels(ds)
    assert [fif.ch_names[p] for p in picks] == [ds.ch_names[p] for p in picks]
    for name, raw in (('ds.json', ds), ('ds_raw_fif.json', fif)):
        out = describe(raw, picks)
        out['generator'] = 'scripts/golden/make_ctf_golden.py (mne %s)' % mne.__version__
        with open(os.path.join(OUT, name), 'w') as f:
            json.dump(out, f, separators=(',', ':'))
    markers = marker_golden()
    markers['generator'] = 'scripts/golden/make_ctf_golden.py (mne %s)' % mne.__version__
    with open(os.path.join(OUT, 'ds_markers.json'), 'w') as f:
        json.dump(markers, f, indent=1)
    eeg_pos = eeg_pos_golden()
    eeg_pos['generator'] = markers['generator']
    with open(os.path.join(OUT, 'ds_eeg_pos.json'), 'w') as f:
        json.dump(eeg_pos, f, indent=1)
    print('wrote', OUT, file=sys.stderr)


if __name__ == '__main__':
    main()

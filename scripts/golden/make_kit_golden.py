"""Golden values for the KIT .sqd reader: what MNE-Python 1.3's read_raw_kit (defaults: stim='>', slope='-',
stimthresh=1, stim_code='binary', no coregistration) returns for kit/test.sqd.

Run with Debian's python (has mne 1.3):  /usr/bin/python3 scripts/golden/make_kit_golden.py
Writes test/golden/kit/test_sqd.json, and test/golden/kit/test_sqd_coreg.json: dev_head_t and dig when the
marker (test_mrk.sqd), digitiser (test.elp) and head-shape (test.hsp) files are passed as mrk/elp/hsp, and
test/golden/kit/test_sqd_internal_dig.json: two synthetic variants of test.sqd that carry the same coregistration
inside the file (digitiser points section and a completed marker section; variant "eeg" also turns channel 160 into
an EEG channel "E001" with a digitised position; variant "one_marker_missing" marks marker 4 as not measured). The
byte patches are stored in the JSON so the tests rebuild the same files in memory.
"""
import json
import os
import struct
import tempfile

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


def internal_dig_variant(name, elp, hsp, mrk, eeg, missing_marker):
    """Patches making test.sqd carry its own digitisation, and what MNE reads from the patched file."""
    original = open(SQD, 'rb').read()
    b = bytearray(original)
    patches = []

    def patch(offset, data):
        b[offset:offset + len(data)] = data
        patches.append(dict(offset=offset, hex=data.hex()))

    dirs = np.frombuffer(original, '<u4', 32 * 4).reshape(32, 4)
    coreg_off = int(dirs[12][0])
    patch(coreg_off, struct.pack('<i', 1))  # match_done
    for k in range(5):
        rec = coreg_off + 4 + 256 + 4 + 64 * k
        patch(rec + 12, struct.pack('<i', 0 if k == missing_marker else 1))  # meg_done
        patch(rec + 40, struct.pack('<3d', *mrk[k]))  # meg_pos
    points = [(n, p) for n, p in zip(('fidnz', 'fidt9', 'fidt10', 'hpi_1', 'hpi_2', 'hpi_3', 'hpi_4', 'hpi_5'), elp)]
    points += [('', p) for p in hsp]
    points += list(eeg.items())
    appended = b''.join(n.encode().ljust(8, b'\0') + struct.pack('<3d', *p) for n, p in points)
    patch(26 * 16, struct.pack('<Iiii', len(original), 32, len(points), len(points)))
    if eeg:
        ch_off = int(dirs[4][0]) + int(dirs[4][1]) * 160
        patch(ch_off, struct.pack('<ii4x', -2, 161) + b'E001'.ljust(8, b'\0') + b'\0' * 6 + struct.pack('<d', 1.0))
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, 'synthetic.sqd')
        with open(path, 'wb') as f:
            f.write(bytes(b) + appended)
        raw = mne.io.read_raw_kit(path, verbose='error')
        types = raw.get_channel_types()
        kinds = {1: 'cardinal', 2: 'hpi', 3: 'eeg', 4: 'extra'}
        picks = [0, 100, 157, 160, 161, 170, len(raw.ch_names) - 1]
        return dict(
            name=name, patches=patches, appended_hex=appended.hex(),
            dev_head_t=raw.info['dev_head_t']['trans'].tolist(),
            dig=[dict(kind=kinds[int(d['kind'])], ident=int(d['ident']), r=[float(x) for x in d['r']],
                      coord_frame=FRAME_NAMES.get(int(d['coord_frame']), 'unknown')) for d in raw.info['dig']],
            channels=[dict(name=raw.ch_names[i], type=types[i], coil_type=int(raw.info['chs'][i]['coil_type']),
                           loc=finite_or_none(raw.info['chs'][i]['loc'])) for i in picks],
            picks=picks, window=dict(start=250, stop=300,
                                     data=raw.get_data(picks=picks, start=250, stop=300).tolist()))


def internal_dig_golden():
    kit = os.path.join(DATA, 'kit')
    elp = mne.io.kit.coreg._read_dig_kit(os.path.join(kit, 'test.elp'))
    hsp = mne.io.kit.coreg._read_dig_kit(os.path.join(kit, 'test.hsp'))[::10]
    mrk = mne.io.kit.read_mrk(os.path.join(kit, 'test_mrk.sqd'))
    eeg = {'E001': elp[3] + np.array([0.01, 0.02, 0.03])}
    return [internal_dig_variant('eeg', elp, hsp, mrk, eeg, None),
            internal_dig_variant('one_marker_missing', elp, hsp, mrk, {}, 3)]


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
    internal = dict(generator=out['generator'], variants=internal_dig_golden())
    with open(os.path.join(OUT, 'test_sqd_internal_dig.json'), 'w') as f:
        json.dump(internal, f, separators=(',', ':'))


if __name__ == '__main__':
    main()

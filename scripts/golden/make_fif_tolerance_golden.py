"""What MNE-Python 1.3's read_raw_fif does with mutated copies of shared FIF files whose measurement-info fields are
out of the ordinary (issue 12, "reader tolerance = MNE's tolerance").

Each mutation is a list of in-place big-endian edits of one file at offsets found through MNE's own FIF directory
(stored in the JSON, so the TypeScript test applies exactly the same edits). For each, MNE runs read_raw_fif on a
mutated copy; the JSON records whether it opened and, if it did, sfreq, first_samp, n_times, channel names, bads,
dev_head_t, the compensation grade, and the samples [0, 10) of every channel unless they equal the unmutated
file's (same_data), or the exception MNE raised. Evoked cases: the first condition of test-ave.fif.gz read by
read_evokeds(condition=0, proj=False), with its first sample, tmin, nave and kind; their edits are offsets of the
decompressed file.

Run with Debian's python (has mne 1.3):  /usr/bin/python3 scripts/golden/make_fif_tolerance_golden.py
Writes test/golden/fif/fif_tolerance.json.
"""
import gzip
import json
import os
import struct
import tempfile
import warnings

import mne
import numpy as np
from mne.io.open import fiff_open
from mne.io.tree import dir_tree_find
from mne.io.constants import FIFF

warnings.simplefilter('ignore')
mne.set_log_level('ERROR')
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DATA = os.environ.get('LORIS_EPHYS_TESTDATA', os.path.join(ROOT, '..', 'shared', 'data'))
OUT = os.path.join(ROOT, 'test', 'golden', 'fif', 'fif_tolerance.json')
N_SAMPLES = 10
# offsets inside a FIFF_CH_INFO payload (fiffChInfoRec)
CH_KIND, CH_CAL, CH_COIL = 8, 16, 20


def tag_positions(path, kind, block):
    """File positions of the tags of `kind` directly in the first block of type `block` (MNE's FIF tree)."""
    fid, tree, _ = fiff_open(path)
    fid.close()
    node = dir_tree_find(tree, block)[0]
    return [int(d.pos) for d in node['directory'] if d.kind == kind]


def payload(path, kind, nth=0, block=FIFF.FIFFB_MEAS_INFO):
    """Offset of the payload of the nth tag of `kind` in `block` (after its 16-byte header)."""
    return tag_positions(path, kind, block)[nth] + 16


def mutations():
    sim = os.path.join('fif', 'sim_vectorview_raw.fif')
    ctf = os.path.join('fif', 'test_ctf_comp_raw.fif')
    sp = os.path.join(DATA, sim)
    cp = os.path.join(DATA, ctf)
    sim_bytes = open(sp, 'rb').read()
    nchan_at = payload(sp, FIFF.FIFF_NCHAN)
    nchan = struct.unpack_from('>i', sim_bytes, nchan_at)[0]
    sfreq_at = payload(sp, FIFF.FIFF_SFREQ)
    ch = lambda i: payload(sp, FIFF.FIFF_CH_INFO, i)  # noqa: E731
    bads_at = payload(sp, FIFF.FIFF_MNE_CH_NAME_LIST, block=FIFF.FIFFB_MNE_BAD_CHANNELS)
    bads = sim_bytes[bads_at:bads_at + struct.unpack_from('>i', sim_bytes, bads_at - 8)[0]]
    trans_at = payload(sp, FIFF.FIFF_COORD_TRANS)
    first_at = payload(sp, FIFF.FIFF_FIRST_SAMPLE, block=FIFF.FIFFB_RAW_DATA)
    ctf_ch = lambda i: payload(cp, FIFF.FIFF_CH_INFO, i)  # noqa: E731
    ctf_coil = struct.unpack_from('>i', open(cp, 'rb').read(), ctf_ch(40) + CH_COIL)[0]
    i32 = lambda at, v: dict(op='set_i32', offset=at, value=v)  # noqa: E731
    f32 = lambda at, v: dict(op='set_f32', offset=at, value=v)  # noqa: E731
    return [
        (sim, 'nchan_one_less', [i32(nchan_at, nchan - 1)]),
        (sim, 'nchan_one_more', [i32(nchan_at, nchan + 1)]),
        (sim, 'nchan_negative', [i32(nchan_at, -3)]),
        (sim, 'sfreq_zero', [f32(sfreq_at, 0.0)]),
        (sim, 'sfreq_negative', [f32(sfreq_at, -600.0)]),
        (sim, 'sfreq_nan', [f32(sfreq_at, float('nan'))]),
        (sim, 'first_sample_negative', [i32(first_at, -5)]),
        (sim, 'bad_channel_not_a_channel',
         [dict(op='set_bytes', offset=bads_at + bads.index(b'MEG 2443'), hex=b'MEG 9999'.hex())]),
        (sim, 'channel_kind_unknown', [i32(ch(10) + CH_KIND, 999)]),
        (sim, 'channel_coil_type_unknown', [i32(ch(10) + CH_COIL, 9999)]),
        (sim, 'channel_calibration_zero', [f32(ch(5) + CH_CAL, 0.0)]),
        (sim, 'dev_head_t_frames_unknown', [i32(trans_at, 77), i32(trans_at + 4, 78)]),
        (ctf, 'compensation_grade_differs_on_one_channel', [i32(ctf_ch(40) + CH_COIL, (ctf_coil & 0xffff) | (1 << 16))]),
    ] + evoked_mutations()


def evoked_mutations():
    """The first condition of test-ave.fif.gz (edits apply to the decompressed bytes, opened as test-ave.fif)."""
    ave = os.path.join('fif', 'test-ave.fif.gz')
    path = decompressed(ave)
    first = payload(path, FIFF.FIFF_FIRST_SAMPLE, block=FIFF.FIFFB_EVOKED)
    last = payload(path, FIFF.FIFF_LAST_SAMPLE, block=FIFF.FIFFB_EVOKED)
    nave = payload(path, FIFF.FIFF_NAVE, block=FIFF.FIFFB_ASPECT)
    kind = payload(path, FIFF.FIFF_ASPECT_KIND, block=FIFF.FIFFB_ASPECT)
    b = open(path, 'rb').read()
    f0, l0 = struct.unpack_from('>i', b, first)[0], struct.unpack_from('>i', b, last)[0]
    i32 = lambda at, v: dict(op='set_i32', offset=at, value=v)  # noqa: E731
    return [
        (ave, 'evoked_last_sample_one_less', [i32(last, l0 - 1)]),
        (ave, 'evoked_last_before_first', [i32(last, f0 - 1)]),
        (ave, 'evoked_first_and_last_shifted', [i32(first, f0 + 50), i32(last, l0 + 50)]),
        (ave, 'evoked_nave_zero', [i32(nave, 0)]),
        (ave, 'evoked_nave_negative', [i32(nave, -4)]),
        (ave, 'evoked_aspect_kind_unknown', [i32(kind, 999)]),
    ]


_DECOMPRESSED = {}
_TMP = tempfile.TemporaryDirectory()


def decompressed(rel):
    """The file's bytes on disk without gzip (MNE reads both; edits are byte offsets of the plain file)."""
    if rel not in _DECOMPRESSED:
        path = os.path.join(_TMP.name, os.path.basename(rel)[:-3])
        open(path, 'wb').write(gzip.open(os.path.join(DATA, rel)).read())
        _DECOMPRESSED[rel] = path
    return _DECOMPRESSED[rel]


def apply(b, edits):
    b = bytearray(b)
    for e in edits:
        if e['op'] == 'set_i32':
            struct.pack_into('>i', b, e['offset'], e['value'])
        elif e['op'] == 'set_f32':
            struct.pack_into('>f', b, e['offset'], e['value'])
        else:
            raw = bytes.fromhex(e['hex'])
            b[e['offset']:e['offset'] + len(raw)] = raw
    return bytes(b)


def summary(path):
    if path.endswith('-ave.fif'):
        return None, evoked_summary(path)
    raw = mne.io.read_raw_fif(path)
    t = raw.info['dev_head_t']
    return raw, dict(sfreq=float(raw.info['sfreq']), first_samp=int(raw.first_samp), n_times=int(raw.n_times),
                     ch_names=raw.ch_names, bads=list(raw.info['bads']),
                     dev_head_t=None if t is None else [[float(v) for v in r] for r in t['trans']],
                     comp_grade=int(raw.compensation_grade) if raw.compensation_grade is not None else None,
                     data=raw.get_data(start=0, stop=N_SAMPLES))


def evoked_summary(path):
    evk = mne.read_evokeds(path, condition=0, proj=False)
    t = evk.info['dev_head_t']
    return dict(sfreq=float(evk.info['sfreq']), first_samp=int(evk.first), n_times=len(evk.times),
                tmin=float(evk.times[0]), nave=int(evk.nave), aspect_kind=int(evk._aspect_kind), ch_names=evk.ch_names,
                bads=list(evk.info['bads']),
                dev_head_t=None if t is None else [[float(v) for v in r] for r in t['trans']],
                data=evk.data[:, :N_SAMPLES])


def main():
    cases = []
    originals = {}
    for rel, name, edits in mutations():
        src = decompressed(rel) if rel.endswith('.gz') else os.path.join(DATA, rel)
        if rel not in originals:
            originals[rel] = summary(src)[1]['data']
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, os.path.basename(src))
            open(path, 'wb').write(apply(open(src, 'rb').read(), edits))
            try:
                _, s = summary(path)
                data = s.pop('data')
                same = data.shape == originals[rel].shape and bool(np.array_equal(data, originals[rel]))
                case = dict(name=name, file=rel, edits=edits, opens=True, same_data=same, **s,
                            data=None if same else [[float(v) for v in r] for r in data])
            except Exception as err:  # noqa: BLE001 - recording what MNE raises is the point
                case = dict(name=name, file=rel, edits=edits, opens=False, error=f'{type(err).__name__}: {err}'[:300])
        print(name, 'opens' if case['opens'] else 'FAILS', case.get('error', ''), case.get('sfreq', ''),
              case.get('n_times', ''), case.get('first_samp', ''), case.get('bads', ''), case.get('same_data', ''),
              case.get('comp_grade', ''))
        cases.append(case)
    with open(OUT, 'w') as fh:
        json.dump(dict(mne_version=mne.__version__, cases=cases), fh, separators=(',', ':'))
    print(OUT, os.path.getsize(OUT), 'bytes')


main()

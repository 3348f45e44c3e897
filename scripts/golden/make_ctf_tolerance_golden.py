"""What MNE-Python 1.3's read_raw_ctf does with mutated copies of testdata_ctf_short_discontinuous.ds whose .res4
header fields are out of the ordinary (issue 12, "reader tolerance = MNE's tolerance").

Each mutation is a list of byte edits of the .res4 (stored in the JSON, so the TypeScript test applies exactly the
same edits). For each, MNE runs on a mutated copy in a temporary folder; the JSON records whether it opened and, if
it did, the largest difference of every channel's loc and of dev_head_t from the unmutated dataset (0.0 means the
reader's result is the unmutated golden test/golden/ctf/ds.json; also the samples [0, 40) of every channel), or the
exception MNE raised.

Run with Debian's python (has mne 1.3):  /usr/bin/python3 scripts/golden/make_ctf_tolerance_golden.py
Writes test/golden/ctf/ds_tolerance.json.
"""
import json
import os
import shutil
import struct
import tempfile

import mne
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DATA = os.environ.get('LORIS_EPHYS_TESTDATA', os.path.join(ROOT, '..', 'shared', 'data'))
NAME = 'testdata_ctf_short_discontinuous'
DS = os.path.join(DATA, 'ctf', NAME + '.ds')
OUT = os.path.join(ROOT, 'test', 'golden', 'ctf', 'ds_tolerance.json')

RDLEN_AT = 1836  # int32 run-description length
FUNNY_POS = 1844  # run description, then int16 filter count (this file: rdlen 1, so nfilt at 1845)
NFILT_AT = 1845
FILTERS_AT = 1847
CH_RECORD = 1328
NAME_BYTES = 32


def filter_record(freq, klass, ftype, pars):
    """One CTF filter record as MNE's _read_filter reads it: f8 freq, i4 class, i4 type, i2 npar, npar f8."""
    return struct.pack('>diih', freq, klass, ftype, len(pars)) + b''.join(struct.pack('>d', p) for p in pars)


def comp_count_at(res4_bytes, nfilt_at):
    """Offset of the int16 compensation-record count (no filters in the unmutated file)."""
    nchan = struct.unpack('>h', res4_bytes[1292:1294])[0]
    return nfilt_at + 2 + nchan * (NAME_BYTES + CH_RECORD)


def mutations(res4_bytes):
    ncomp_at = comp_count_at(res4_bytes, NFILT_AT)
    two_filters = filter_record(300.0, 1, 1, []) + filter_record(0.1, 1, 2, [0.5])
    return {
        # As CTF's averaging tools write them: filter records (18 bytes + 8 per parameter) before the channel names.
        'two_filter_records': [
            dict(op='set_i16', offset=NFILT_AT, value=2),
            dict(op='insert', offset=FILTERS_AT, hex=two_filters.hex()),
        ],
        'negative_filter_count': [dict(op='set_i16', offset=NFILT_AT, value=-3)],
        # MNE reads no run description when its length is <= 0 and the filter count right at FUNNY_POS: here the
        # file's 1-byte description is still there, so every later field is one byte off and MNE fails ...
        'negative_run_description_length': [dict(op='set_i32', offset=RDLEN_AT, value=-7)],
        # ... and with the description removed the file opens in MNE as the original.
        'negative_run_description_length_without_description': [
            dict(op='set_i32', offset=RDLEN_AT, value=-7),
            dict(op='delete', offset=FUNNY_POS, length=1),
        ],
        # A valid file without compensation records: MNE 1.3 itself fails (len(None) in BaseRaw) -- we open it.
        'zero_compensation_records': [
            dict(op='set_i16', offset=ncomp_at, value=0),
            dict(op='truncate', size=ncomp_at + 2),
        ],
        'negative_compensation_count': [dict(op='set_i16', offset=ncomp_at, value=-9732)],
        'compensation_count_past_the_file': [dict(op='set_i16', offset=ncomp_at, value=32000)],
    }


def apply(res4_bytes, edits):
    b = bytearray(res4_bytes)
    for e in edits:
        if e['op'] == 'set_i16':
            b[e['offset']:e['offset'] + 2] = struct.pack('>h', e['value'])
        elif e['op'] == 'set_i32':
            b[e['offset']:e['offset'] + 4] = struct.pack('>i', e['value'])
        elif e['op'] == 'insert':
            b[e['offset']:e['offset']] = bytes.fromhex(e['hex'])
        elif e['op'] == 'delete':
            del b[e['offset']:e['offset'] + e['length']]
        elif e['op'] == 'truncate':
            del b[e['size']:]
    return bytes(b)


def compare(raw, base):
    same_names = raw.ch_names == base.ch_names
    if not same_names:
        return dict(same_names=False)
    loc = max(float(np.nanmax(np.abs(a['loc'] - b['loc']))) if np.isfinite(b['loc']).any() else 0.0
              for a, b in zip(raw.info['chs'], base.info['chs']))
    dev = float(np.max(np.abs(raw.info['dev_head_t']['trans'] - base.info['dev_head_t']['trans'])))
    data = float(np.max(np.abs(raw.get_data(start=0, stop=40) - base.get_data(start=0, stop=40))))
    return dict(same_names=True, max_loc_diff=loc, max_dev_head_t_diff=dev, max_data_diff_first_40=data,
                same_types=raw.get_channel_types() == base.get_channel_types(),
                compensation_grade=int(raw.compensation_grade), n_comps=len(raw.info['comps'] or []),
                highpass=float(raw.info['highpass']), lowpass=float(raw.info['lowpass']))


def main():
    mne.set_log_level('ERROR')
    base = mne.io.read_raw_ctf(DS)
    res4_path = os.path.join(DS, NAME + '.res4')
    with open(res4_path, 'rb') as f:
        res4_bytes = f.read()
    out = dict(mne_version=mne.__version__, base_n_comps=len(base.info['comps']), cases={})
    for name, edits in mutations(res4_bytes).items():
        tmp = tempfile.mkdtemp()
        try:
            dst = os.path.join(tmp, NAME + '.ds')
            shutil.copytree(DS, dst)
            with open(os.path.join(dst, NAME + '.res4'), 'wb') as f:
                f.write(apply(res4_bytes, edits))
            try:
                raw = mne.io.read_raw_ctf(dst)
                result = dict(opens=True, **compare(raw, base))
            except Exception as exc:  # noqa: BLE001 -- the point is to record what MNE raises
                result = dict(opens=False, error=f'{type(exc).__name__}: {exc}')
        finally:
            shutil.rmtree(tmp)
        out['cases'][name] = dict(edits=edits, mne=result)
        print(name, result)
    with open(OUT, 'w') as f:
        json.dump(out, f, indent=1)
        f.write('\n')


if __name__ == '__main__':
    main()

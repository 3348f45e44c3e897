"""What MNE-Python 1.3's read_raw_kit does with mutated copies of kit/test.sqd whose header fields are out of the
ordinary (issue 12, "reader tolerance = MNE's tolerance").

Each mutation is a list of little-endian edits of the .sqd at offsets found through its directory (stored in the
JSON, so the TypeScript test applies exactly the same edits). For each, MNE runs read_raw_kit on a mutated copy
(no companion files, as our reader opens it by default); the JSON records whether it opened and, if it did, its
sfreq, number of samples, channel names and the samples [0, 20) of every channel (and whether those equal the
unmutated file's), or the exception MNE raised.

Run with Debian's python (has mne 1.3):  /usr/bin/python3 scripts/golden/make_kit_tolerance_golden.py
Writes test/golden/kit/sqd_tolerance.json.
"""
import json
import os
import struct
import tempfile
import warnings

import mne
import numpy as np

warnings.simplefilter('ignore')
mne.set_log_level('ERROR')
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DATA = os.environ.get('LORIS_EPHYS_TESTDATA', os.path.join(ROOT, '..', 'shared', 'data'))
SQD = os.path.join(DATA, 'kit', 'test.sqd')
OUT = os.path.join(ROOT, 'test', 'golden', 'kit', 'sqd_tolerance.json')
N_SAMPLES = 20
DIR_SYSTEM, DIR_CHANNELS, DIR_CALIBRATION, DIR_ACQ, DIR_RAW = 1, 4, 5, 8, 9


def dir_offset(b, index):
    return struct.unpack_from('<I', b, 16 * index)[0]


def mutations(b):
    system, acq, cal = dir_offset(b, DIR_SYSTEM), dir_offset(b, DIR_ACQ), dir_offset(b, DIR_CALIBRATION)
    n_dirs = struct.unpack_from('<i', b, 12)[0]
    n_samples = struct.unpack_from('<i', b, acq + 16)[0]
    adc_at = system + 724  # version 2 revision > 3: f8 adc range, then polarity, allocated, stored
    return {
        'sampling_rate_zero': [dict(op='set_f64', offset=acq + 4, value=0.0)],
        'sampling_rate_negative': [dict(op='set_f64', offset=acq + 4, value=-1000.0)],
        'sampling_rate_nan': [dict(op='set_f64', offset=acq + 4, value=float('nan'))],
        'sample_count_past_the_file': [dict(op='set_i32', offset=acq + 16, value=n_samples + 1000)],
        'sample_count_zero': [dict(op='set_i32', offset=acq + 16, value=0)],
        'sample_count_negative': [dict(op='set_i32', offset=acq + 16, value=-5)],
        'sample_count_smaller': [dict(op='set_i32', offset=acq + 16, value=n_samples - 100)],
        'acquisition_type_unknown': [dict(op='set_i32', offset=acq, value=7)],
        'adc_allocated_24_bits': [dict(op='set_i32', offset=adc_at + 4, value=24)],
        'adc_allocated_8_bits': [dict(op='set_i32', offset=adc_at + 4, value=8)],
        'adc_allocated_12_bits': [dict(op='set_i32', offset=adc_at + 4, value=12)],
        'fll_type_unknown': [dict(op='set_i32', offset=system + 564, value=55)],
        'channel_offset_nonzero': [dict(op='set_f64', offset=cal + 16 * 3, value=1e-3)],
        'channel_type_unknown': [dict(op='set_i32', offset=dir_offset(b, DIR_CHANNELS) + 3 * struct.unpack_from(
            '<i', b, 16 * DIR_CHANNELS + 4)[0], value=77)],
        'directory_count_short': [dict(op='set_i32', offset=12, value=DIR_RAW)],
        'directory_count_past_the_file': [dict(op='set_i32', offset=12, value=len(b) // 16 + 10)],
        'channel_count_zero': [dict(op='set_i32', offset=system + 268, value=0)],
        'channel_count_one_more': [dict(op='set_i32', offset=system + 268,
                                        value=struct.unpack_from('<i', b, system + 268)[0] + 1)],
        'version_1': [dict(op='set_i32', offset=system, value=1)],
        '_n_dirs': n_dirs,
    }


def apply(b, edits):
    b = bytearray(b)
    for e in edits:
        fmt = {'set_i32': '<i', 'set_f64': '<d'}[e['op']]
        struct.pack_into(fmt, b, e['offset'], e['value'])
    return bytes(b)


def run(path):
    raw = mne.io.read_raw_kit(path)
    data = raw.get_data(start=0, stop=min(N_SAMPLES, raw.n_times))
    return raw, data


def main():
    original = open(SQD, 'rb').read()
    raw0, data0 = run(SQD)
    cases = []
    muts = mutations(original)
    muts.pop('_n_dirs')
    for name, edits in muts.items():
        mutated = apply(original, edits)
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, 'test.sqd')
            open(path, 'wb').write(mutated)
            try:
                raw, data = run(path)
                same = data.shape == data0.shape and bool(np.array_equal(data, data0))
                case = dict(name=name, edits=edits, opens=True, sfreq=float(raw.info['sfreq']),
                            n_times=int(raw.n_times), ch_names=raw.ch_names, same_data=same,
                            data=None if same else [[float(v) for v in row] for row in data])
            except Exception as err:  # noqa: BLE001 - recording what MNE raises is the point
                case = dict(name=name, edits=edits, opens=False, error=f'{type(err).__name__}: {err}'[:300])
        print(name, 'opens' if case['opens'] else 'FAILS', case.get('error', ''), case.get('n_times', ''),
              case.get('sfreq', ''), case.get('same_data', ''))
        cases.append(case)
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, 'w') as fh:
        json.dump(dict(mne_version=mne.__version__, file='kit/test.sqd', n_times=int(raw0.n_times),
                       cases=cases), fh, separators=(',', ':'), allow_nan=True)
    print(OUT, os.path.getsize(OUT), 'bytes')


main()

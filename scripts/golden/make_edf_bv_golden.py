# Golden values for the EDF/BDF and BrainVision readers, computed by MNE-Python 1.3.
# Usage (Debian python3 with python3-mne):
#   /usr/bin/python3 scripts/golden/make_edf_bv_golden.py [DATA_DIR] [OUT_DIR]
# DATA_DIR defaults to ../shared/data, OUT_DIR to test/golden/eeg. Writes one JSON per recording with channel
# names/types/units, sfreq, n_times, MNE annotations, positions, and float64 data for a few windows (start,
# middle, end and across data-record boundaries) of ~8 channels. The recordings themselves are never copied.
import json
import os
import shutil
import sys
import tempfile
import warnings

import numpy as np
import mne

mne.set_log_level('ERROR')
warnings.simplefilter('ignore')

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, '..', '..'))
DATA = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, '..', 'shared', 'data')
OUT = sys.argv[2] if len(sys.argv) > 2 else os.path.join(ROOT, 'test', 'golden', 'eeg')
WIN = 160  # samples per window

# A [Coordinates] section (BESA radius, theta, phi in degrees) added to test.vhdr, since no test recording has
# one: radius 1 = idealised sphere, 85 = millimetres, 0,0,0 = no position (MNE makes that channel misc).
COORDS = {1: '1,-90,-72', 2: '1,90,72', 3: '1,-60,-51', 4: '1,60,51', 5: '1,-45,0', 6: '1,45,0',
          7: '1,-60,51', 8: '1,60,-51', 9: '1,-90,72', 10: '1,90,-72', 11: '1,-90,-36', 12: '1,90,36',
          13: '1,-90,36', 14: '1,90,-36', 15: '1,45,90', 16: '85,23,90', 17: '1,0,0', 18: '1,23,-90',
          19: '1,45,-90', 20: '1,68,-90', 21: '1,-31,-46', 22: '1,31,46', 23: '1,-31,46', 24: '1,31,-46',
          25: '0,0,0', 26: '1,69,21', 27: '1,-69,21', 28: '1,69,-21'}
COORD_SECTION = '[Coordinates]\n' + ''.join(f'Ch{k}={v}\n' for k, v in COORDS.items()) + '\n'


def windows(n_times, block):
    """Start, middle, end, and windows straddling record boundaries (block = samples per record)."""
    w = min(WIN, n_times)
    wins = [(0, w), ((n_times - w) // 2, (n_times - w) // 2 + w), (n_times - w, n_times)]
    if block and n_times > block:
        for k in sorted({1, (n_times // block) // 2, n_times // block - 1}):
            b = k * block
            if 0 < b < n_times:
                lo = max(0, b - w // 2)
                hi = min(n_times, lo + w)
                wins.append((lo, hi))
    uniq = []
    for x in wins:
        if x not in uniq:
            uniq.append(x)
    return [list(map(int, x)) for x in uniq]


def pick_channels(n, extra=()):
    picks = sorted(set(np.linspace(0, n - 1, min(n, 8)).round().astype(int).tolist()) | set(extra))
    return [int(p) for p in picks]


def annotations(raw):
    a = raw.annotations
    return [dict(onset=float(o), duration=float(d), description=str(s))
            for o, d, s in zip(a.onset, a.duration, a.description)]


def data_windows(raw, picks, wins):
    out = []
    for lo, hi in wins:
        d = raw.get_data(picks=picks, start=lo, stop=hi)
        out.append(dict(start=lo, stop=hi, data=[row.tolist() for row in d]))
    return out


def locs(raw):
    return [[None if not np.isfinite(v) else float(v) for v in ch['loc'][:6]] for ch in raw.info['chs']]


def common(raw):
    return dict(ch_names=raw.ch_names, types=raw.get_channel_types(), sfreq=float(raw.info['sfreq']),
                n_times=int(raw.n_times), fiff_units=[int(ch['unit']) for ch in raw.info['chs']],
                orig_units=[raw._orig_units.get(n, '') for n in raw.ch_names],
                annotations=annotations(raw),
                meas_date=None if raw.info['meas_date'] is None
                else raw.info['meas_date'].strftime('%Y-%m-%dT%H:%M:%S.%fZ'))


def edf_golden(path):
    raw = mne.io.read_raw_bdf(path) if path.endswith('.bdf') else mne.io.read_raw_edf(path)
    ex = raw._raw_extras[0]
    sel = [int(s) for s in ex['sel']]
    n_samps = [int(ex['n_samps'][s]) for s in sel]
    block = int(ex['max_samp'])
    # Channels MNE resamples (samples per record != max) are not offered by our reader: no data for them.
    same_rate = [i for i, n in enumerate(n_samps) if n == block]
    stim = [int(i) for i in ex['stim_channel_idxs']]
    picks = [p for p in pick_channels(len(raw.ch_names), stim) if p in same_rate]
    wins = windows(raw.n_times, block)
    g = common(raw)
    g.update(samples_per_record=n_samps, record_samples=block, n_records=int(ex['n_records']),
             picks=picks, windows=data_windows(raw, picks, wins))
    return g


def bv_golden(vhdr):
    raw = mne.io.read_raw_brainvision(vhdr)
    picks = pick_channels(len(raw.ch_names))
    wins = windows(raw.n_times, 0)
    g = common(raw)
    g.update(picks=picks, windows=data_windows(raw, picks, wins), loc=locs(raw),
             dig=[dict(kind=int(d['kind']), ident=int(d['ident']), r=[float(v) for v in d['r']])
                  for d in (raw.info['dig'] or [])])
    return g, raw, wins, picks


# Small EDF+ and BDF+ files built here (no test recording is BDF+ or has tricky TALs): a time-keeping TAL with a
# non-zero onset, several texts per TAL, UTF-8 text, annotations before/after the data (clipped/dropped), a
# duplicate label, and a trigger channel with negative values (masked to 17 bits).
SYN_TALS = [
    ['+0.25\x14\x14\x00', '+0.3\x150.5\x14first\x14second\x14\x00'],
    ['+0.75\x14\x14\x00', '+0.8\x14\u00b5-wave\x14\x00'],
    ['+1.25\x14\x14\x00', '+5\x151\x14beyond\x14\x00', '+0.1\x151\x14early\x14\x00'],
    ['+1.75\x14\x14\x00', '+2.0\x150.5\x14tail\x14\x00'],
]


def synthetic_edf(bdf):
    bps = 3 if bdf else 2
    spr, n_rec, tal_bytes = 10, len(SYN_TALS), 60
    labels = ['Fz', 'Fz', 'Cz', 'Trigger', 'BDF Annotations' if bdf else 'EDF Annotations']
    units = ['uV', '\xb5V', 'mV', '', '']
    dig_min = -(2 ** 23) if bdf else -32768
    dig_max = 2 ** 23 - 1 if bdf else 32767
    phys = [('-3276.8', '3276.7'), ('-100', '100'), ('-5', '5'), (str(dig_min), str(dig_max)), ('-1', '1')]
    sprs = [spr, spr, spr, spr, tal_bytes // bps]
    ns = len(labels)

    def field(values, width):
        return b''.join(v.encode('latin-1').ljust(width, b' ')[:width] for v in values)

    head = ((b'\xffBIOSEMI' if bdf else b'0'.ljust(8)) + b'X X X X'.ljust(80) +
            b'Startdate 02-MAR-2021 X X X'.ljust(80) + b'02.03.2111.22.33' + str(256 * (ns + 1)).encode().ljust(8) +
            (b'BDF+C' if bdf else b'EDF+C').ljust(44) + str(n_rec).encode().ljust(8) + b'0.5'.ljust(8) +
            str(ns).encode().ljust(4))
    head += (field(labels, 16) + field([''] * ns, 80) + field(units, 8) + field([p[0] for p in phys], 8) +
             field([p[1] for p in phys], 8) + field([str(dig_min)] * ns, 8) + field([str(dig_max)] * ns, 8) +
             field([''] * ns, 80) + field([str(n) for n in sprs], 8) + field([''] * ns, 32))
    body = b''
    for r, tals in enumerate(SYN_TALS):
        for c in range(4):
            for k in range(spr):
                v = ((r * spr + k) * 37 * (c + 1)) % 2001 - 1000
                if c == 3:
                    v = -((r * spr + k) % 5)  # trigger codes 0, -1, ... -4 as signed integers
                body += int(v * (3000 if bdf else 30) if c < 3 else v).to_bytes(bps, 'little', signed=True)
        body += ''.join(tals).encode('utf-8').ljust(tal_bytes, b'\x00')
    return head + body


def synthetic_golden(bdf):
    import base64
    data = synthetic_edf(bdf)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, 'synthetic.bdf' if bdf else 'synthetic.edf')
        with open(path, 'wb') as f:
            f.write(data)
        raw = mne.io.read_raw_bdf(path) if bdf else mne.io.read_raw_edf(path)
        g = common(raw)
        g.update(picks=list(range(len(raw.ch_names))),
                 windows=data_windows(raw, list(range(len(raw.ch_names))), [[0, int(raw.n_times)]]),
                 file_base64=base64.b64encode(data).decode('ascii'))
        g['source'] = f'synthetic {"BDF+" if bdf else "EDF+"} file built by make_edf_bv_golden.py, read by MNE-Python {mne.__version__}'
    return g


def write(name, g):
    path = os.path.join(OUT, name + '.json')
    with open(path, 'w') as f:
        json.dump(g, f, separators=(',', ':'))
    print(f'{path}: {os.path.getsize(path)} bytes')


def main():
    os.makedirs(OUT, exist_ok=True)
    src = f'MNE-Python {mne.__version__}'
    edf_dir = os.path.join(DATA, 'edf')
    for fname in sorted(os.listdir(edf_dir)):
        if fname.endswith(('.edf', '.bdf')):
            g = edf_golden(os.path.join(edf_dir, fname))
            g['source'] = f'edf/{fname} read by {src}'
            write('edf__' + fname.replace('.', '_'), g)
    write('edf__synthetic_edfplus', synthetic_golden(False))
    write('edf__synthetic_bdfplus', synthetic_golden(True))
    bv_dir = os.path.join(DATA, 'brainvision')
    for fname in sorted(os.listdir(bv_dir)):
        if fname.endswith('.vhdr'):
            g, raw, wins, picks = bv_golden(os.path.join(bv_dir, fname))
            g['source'] = f'brainvision/{fname} read by {src}'
            if fname == 'test.vhdr':
                fif = mne.io.read_raw_fif(os.path.join(DATA, 'fif', 'brainvision_test_bin_raw.fif'))
                g['fif'] = dict(source='fif/brainvision_test_bin_raw.fif', ch_names=[fif.ch_names[p] for p in picks],
                                windows=data_windows(fif, picks, wins))
            write('bv__' + fname.replace('.', '_'), g)
    # test.vhdr variants read from a temporary folder (beside a link to test.eeg): [Coordinates] sections and
    # marker files that no test recording has. The test rebuilds the same files in memory from the stored text.
    vhdr_text = open(os.path.join(bv_dir, 'test.vhdr'), 'rb').read().decode('utf-8')
    vmrk_text = open(os.path.join(bv_dir, 'test.vmrk'), 'rb').read().decode('utf-8')
    coords_ref = COORD_SECTION.replace('\n\n', '\nCh32=1,120,-90\n\n')
    variants = [
        ('bv__test_coordinates', 'an added [Coordinates] section',
         vhdr_text.replace('[Comment]', COORD_SECTION + '[Comment]', 1), vmrk_text, dict(coordinates_section=COORD_SECTION)),
        ('bv__test_coordinates_ref', 'a [Coordinates] section with a REF electrode',
         vhdr_text.replace('ReRef', 'REF').replace('[Comment]', coords_ref + '[Comment]', 1), vmrk_text,
         dict(coordinates_section=coords_ref)),
        ('bv__test_markers_crlf', 'a CRLF marker file with edge cases', vhdr_text, MARKERS_CRLF, {}),
        ('bv__test_markers_shift', 'a marker file whose 5-field New Segment date shifts onsets', vhdr_text,
         MARKERS_SHIFT, {}),
    ]
    for name, what, vhdr, vmrk, extra in variants:
        with tempfile.TemporaryDirectory() as tmp:
            with open(os.path.join(tmp, 'test.vhdr'), 'wb') as f:
                f.write(vhdr.encode('utf-8'))
            with open(os.path.join(tmp, 'test.vmrk'), 'wb') as f:
                f.write(vmrk.encode('utf-8'))
            os.symlink(os.path.join(os.path.abspath(bv_dir), 'test.eeg'), os.path.join(tmp, 'test.eeg'))
            g, _, _, _ = bv_golden(os.path.join(tmp, 'test.vhdr'))
        g['source'] = f'brainvision/test.vhdr with {what}, read by {src}'
        g['vhdr_text'] = vhdr
        g['vmrk_text'] = vmrk
        g.update(extra)
        del g['windows']
        write(name, g)


MARKER_HEAD = ('Brain Vision Data Exchange Marker File, Version 1.0\r\n\r\n[Common Infos]\r\nCodepage=UTF-8\r\n'
               'DataFile=test.eeg\r\n\r\n[Marker Infos]\r\n')
# position 0 (dropped: before the data), a 4-field marker (its size field ends in CR: duration 0), a marker
# running past the end (clipped), non-ASCII text, one after the end (dropped), a lower-case "mk" (ignored).
MARKERS_CRLF = MARKER_HEAD + (
    'Mk1=New Segment,,1,1,0,20131113161403794232\r\n'
    'Mk2=Stimulus,S  1,0,0,0\r\n'
    'Mk3=Stimulus,S\\1 2,100,1\r\n'
    'Mk4=Response,R  3,7890,50,0\r\n'
    'Mk5=Comment,\u00dc-umlaut [x],2000,1,0\r\n'
    'Mk6=Stimulus,S  4,9000,1,0\r\n'
    'mk7=Stimulus,lower,10,1,0\r\n'
    'Mk8=Stimulus,S  5,3000,x,0\r\n')
# meas_date from the 6-field New Segment, orig_time from the 5-field one: MNE shifts onsets by their difference.
MARKERS_SHIFT = MARKER_HEAD + (
    'Mk1=New Segment,,1,1,0,20131113161403794232\r\n'
    'Mk2=New Segment,,2,1,20131113161402000000\r\n'
    'Mk3=Stimulus,S  1,500,1,0\r\n'
    'Mk4=Stimulus,S  2,7000,1,0\r\n')


if __name__ == '__main__':
    main()

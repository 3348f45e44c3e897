# Golden values for the Neuroscan CNT reader, computed by MNE-Python 1.3's read_raw_cnt (default options).
# Usage (Debian python3 with python3-mne):
#   /usr/bin/python3 scripts/golden/make_cnt_golden.py [DATA_DIR] [OUT_DIR]
# DATA_DIR defaults to ../shared/data, OUT_DIR to test/golden/eeg. Writes cnt__*.json for the two shared CNT
# recordings and for generated ones (16-bit multiplexed, 32-bit in blocks, event types 1/2/3). A generated
# file is described by its parameters (`synthetic`) and the SHA-256 of its bytes; the TypeScript test writer
# (test/helpers/cnt-writer.ts) must rebuild the same bytes from those parameters. Recordings are never copied.
import hashlib
import json
import os
import struct
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
WIN = 160


def digital(c, s, scale):
    return ((s * 37 + c * 101) % 4001 - 2000) * scale


def write_cnt(p):
    """A CNT file from parameters (the same layout test/helpers/cnt-writer.ts writes)."""
    n = len(p['names'])
    nb = p['bytes_per_sample']
    co = p['channel_offset']
    ns = p['n_samples']
    setup = bytearray(900)
    setup[0:12] = b'Version 3.0\x00'
    struct.pack_into('<H', setup, 370, n)
    struct.pack_into('<H', setup, 376, p['sfreq'])
    struct.pack_into('<i', setup, 864, p['header_samples'])
    data_bytes = ns * n * nb
    table = 900 + 75 * n + data_bytes
    struct.pack_into('<i', setup, 886, table)
    struct.pack_into('<i', setup, 894, co * nb)
    elec = bytearray(75 * n)
    for i, name in enumerate(p['names']):
        at = 75 * i
        raw = name.encode('ascii')[:10]
        elec[at:at + len(raw)] = raw
        struct.pack_into('<ff', elec, at + 19, p['xy'][i][0], p['xy'][i][1])
        struct.pack_into('<h', elec, at + 47, p['baselines'][i])
        struct.pack_into('<f', elec, at + 59, p['sensitivity'][i])
        struct.pack_into('<f', elec, at + 71, p['calib'][i])
    fmt = '<i' if nb == 4 else '<h'
    data = bytearray(data_bytes)
    for s in range(ns):
        block, j = divmod(s, co)
        for c in range(n):
            struct.pack_into(fmt, data, ((block * n + c) * co + j) * nb, digital(c, s, p['scale']))
    ev = p['events']
    size = 8 if ev['type'] == 1 else 19
    body = bytearray(size * len(ev['list']))
    for k, (stim, offset, latency) in enumerate(ev['list']):
        if ev['type'] == 1:
            struct.pack_into('<HBbi', body, k * size, stim, 0, 0, offset)
        else:
            struct.pack_into('<HBbihhfbbb', body, k * size, stim, 0, 0, offset, 0, 0, latency, 0, 0, 0)
    teeg = struct.pack('<Bii', ev['type'], len(body), 0)
    return bytes(setup + elec + data + teeg + body)


def sample_offset(n, nb, sample, kind):
    """The Offset field MNE turns into `sample` (types 1/2: a byte offset; type 3: a count of all-channel samples)."""
    frame = n * nb
    if kind == 3:
        return sample + 1 + -(-(900 + 75 * n) // frame)
    return 900 + 75 * n + (sample + 1) * frame


def synthetic_params():
    names16 = ['Fp1', 'Fp2', 'F3', 'F4', 'C3', 'C4', 'P3', 'P4', 'O1', 'O2', 'VEOG', 'HEOG_LONG']
    xy16 = [[100 + 20 * (i % 4), 50 + 30 * (i // 4)] for i in range(len(names16))]
    p16 = dict(name='synthetic16', names=names16, sfreq=250, bytes_per_sample=2, channel_offset=1,
               n_samples=1200, header_samples=1200, scale=1, xy=xy16,
               baselines=[(i * 3) % 7 - 3 for i in range(len(names16))],
               sensitivity=[0.5 + 0.25 * i for i in range(len(names16))],
               calib=[1.0 - 0.01 * i for i in range(len(names16))])
    p16['events'] = dict(type=2, list=[[s, sample_offset(12, 2, t, 2), lat]
                                       for s, t, lat in [(1, 10, 0.0), (2, 500, 0.25), (255, 1199, 0.0),
                                                         (3, 1300, 0.0), (7, 0, 1.5)]])
    names32 = ['Fz', 'Cz', 'Pz', 'Oz', 'T7', 'T8']
    xy32 = [[-40.5 + 17 * i, 12.25 * ((i * 5) % 6)] for i in range(len(names32))]
    p32 = dict(name='synthetic32', names=names32, sfreq=500, bytes_per_sample=4, channel_offset=40,
               n_samples=1000, header_samples=1000, scale=300000, xy=xy32,
               baselines=[0, 5, -5, 100, -100, 7],
               sensitivity=[100.0, 200.0, 50.0, 150.0, 100.0, 75.0],
               calib=[0.01, 0.02, 0.005, 0.015, 0.01, 0.0125])
    p32['events'] = dict(type=3, list=[[11, sample_offset(6, 4, t, 3), 0.0] for t in [0, 39, 40, 41, 777, 999]])
    p1 = dict(p16, name='synthetic16_type1', header_samples=0)
    p1['events'] = dict(type=1, list=[[9, sample_offset(12, 2, t, 1), 0.0] for t in [5, 6, 600]])
    return [p16, p32, p1]


def windows(n_times, block):
    w = min(WIN, n_times)
    wins = [(0, w), ((n_times - w) // 2, (n_times - w) // 2 + w), (n_times - w, n_times)]
    if block > 1:
        wins += [(block - 3, block + 5), (block * 2 + 7, block * 2 + 9)]
    out = []
    for x in wins:
        if x not in out:
            out.append(x)
    return [list(map(int, x)) for x in out]


def golden(path, source, synthetic=None):
    raw = mne.io.read_raw_cnt(path)
    n = len(raw.ch_names)
    picks = sorted(set(np.linspace(0, n - 1, min(n, 8)).round().astype(int).tolist()))
    co = int(raw._raw_extras[0]['channel_offset'])
    wins = []
    for lo, hi in windows(raw.n_times, co):
        d = raw.get_data(picks=picks, start=lo, stop=hi)
        wins.append(dict(start=lo, stop=hi, data=[row.tolist() for row in d]))
    a = raw.annotations
    g = dict(source=source, ch_names=raw.ch_names, types=raw.get_channel_types(),
             sfreq=float(raw.info['sfreq']), n_times=int(raw.n_times),
             fiff_units=[int(ch['unit']) for ch in raw.info['chs']], orig_units=[''] * n,
             annotations=[dict(onset=float(o), duration=float(d), description=str(s))
                          for o, d, s in zip(a.onset, a.duration, a.description)],
             meas_date=None, picks=[int(p) for p in picks], windows=wins,
             bads=list(raw.info['bads']), n_bytes=int(raw._raw_extras[0]['n_bytes']), channel_offset=co,
             cals=[float(ch['cal']) for ch in raw.info['chs']],
             loc=[[None if not np.isfinite(v) else float(v) for v in ch['loc'][:3]] for ch in raw.info['chs']],
             dig=[dict(kind=int(d['kind']), ident=int(d['ident']), r=[float(v) for v in d['r']])
                  for d in raw.info['dig']])
    if synthetic is not None:
        g['synthetic'] = synthetic
        with open(path, 'rb') as f:
            g['sha256'] = hashlib.sha256(f.read()).hexdigest()
    return g


def map_golden(path, source, sample):
    """MNE 1.3's topomap of one sample (default sphere, head extrapolation, Clough-Tocher, 64 x 64)."""
    from mne.viz.topomap import _prepare_topomap_plot, _make_head_outlines, _setup_interp, _check_extrapolate
    from mne.viz.utils import _setup_vmin_vmax
    raw = mne.io.read_raw_cnt(path, preload=True)
    values = raw.get_data()[:, sample]
    picks, pos2d, merge, names, _, sphere, clip_origin = _prepare_topomap_plot(raw, 'eeg')
    outlines = _make_head_outlines(sphere.copy(), pos2d, 'head', clip_origin)
    extent, Xi, Yi, gd = _setup_interp(pos2d, 64, 'cubic', _check_extrapolate('auto', 'eeg'), outlines, 'mean')
    gd.set_values(values[picks])
    Z = gd.set_locations(Xi, Yi)()
    vmin, vmax = _setup_vmin_vmax(values[picks], None, None)
    return dict(source=source, time=float(raw.times[sample]), ch_names=names, sphere=[float(v) for v in sphere],
                pos2d=[[float(v) for v in p] for p in pos2d], vmin=float(vmin), vmax=float(vmax), res=64,
                grid=[None if not np.isfinite(v) else float(v) for v in np.asarray(Z).ravel()])


def write(name, g):
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, name), 'w') as f:
        json.dump(g, f, separators=(',', ':'))


def main():
    for name in ['scan41_short.cnt', 'test_CNT_events_mne_JWoess_clipped.cnt']:
        rel = os.path.join('cnt', name)
        write('cnt__' + name.replace('.cnt', '.json'),
              golden(os.path.join(DATA, rel), rel + ' read by MNE 1.3 read_raw_cnt (defaults)'))
    rel = os.path.join('cnt', 'scan41_short.cnt')
    write('cnt__map_scan41_short.json',
          map_golden(os.path.join(DATA, rel), rel + ' topomap at sample 400 by MNE 1.3', 400))
    with tempfile.TemporaryDirectory() as tmp:
        for p in synthetic_params():
            path = os.path.join(tmp, p['name'] + '.cnt')
            with open(path, 'wb') as f:
                f.write(write_cnt(p))
            write('cnt__' + p['name'] + '.json',
                  golden(path, p['name'] + '.cnt (generated) read by MNE 1.3 read_raw_cnt (defaults)', p))


if __name__ == '__main__':
    main()

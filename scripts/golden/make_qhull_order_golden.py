"""Golden simplices of scipy.spatial.Delaunay(pos, incremental=True) (qhull 2019.1 via scipy 1.10, options
"Q11 Qt Qc") for the 2-D sensor layouts MNE 1.3 topomaps triangulate in `_get_extra_points`, and MNE's median
sensor spacing (median over edges (v0,v1),(v1,v2) of those simplices).

Usage: /usr/bin/python3 scripts/golden/make_qhull_order_golden.py [OUT_DIR] [DATA_DIR]
Cases: the pos2d of every test/golden/topomap/*.json file, the 2-D layouts MNE's `_prepare_topomap_plot` makes for
the shared recordings (EEGLAB, KIT, CTF, test-ave; DATA_DIR defaults to ../shared/data), every MNE standard montage
(EEG info with that montage, default sphere), seeded random point sets and near-degenerate stress sets.
Writes test/golden/topomap/qhull-order.json.
"""
import glob, json, os, sys, warnings
import numpy as np
import mne
from scipy.spatial import Delaunay
from mne.viz.topomap import _prepare_topomap_plot

mne.set_log_level('ERROR')
warnings.simplefilter('ignore')
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, 'test', 'golden', 'topomap')
DATA = sys.argv[2] if len(sys.argv) > 2 else os.path.join(ROOT, '..', 'shared', 'data')


def case(name, pos):
    pos = np.ascontiguousarray(np.asarray(pos, float)[:, :2])
    tri = Delaunay(pos, incremental=True)
    s = tri.simplices
    d = np.concatenate([np.linalg.norm(pos[s[:, 0]] - pos[s[:, 1]], axis=1),
                        np.linalg.norm(pos[s[:, 1]] - pos[s[:, 2]], axis=1)])
    return dict(name=name, pos=[[float(x), float(y)] for x, y in pos],
                simplices=[[int(v) for v in r] for r in s], median_distance=float(np.median(d)))


def golden_layouts():
    out = []
    for f in sorted(glob.glob(os.path.join(OUT, '*.json'))):
        d = json.load(open(f))
        if isinstance(d, dict) and 'pos2d' in d:
            out.append(case('golden:' + os.path.basename(f)[:-5], d['pos2d']))
    return out


def recording_layouts():
    specs = [
        ('eeglab/test_raw.set', lambda p: mne.io.read_raw_eeglab(p), ['eeg']),
        ('eeglab/test_raw_chanloc.set', lambda p: mne.io.read_raw_eeglab(p), ['eeg']),
        ('kit/test.sqd', lambda p: mne.io.read_raw_kit(p), ['mag']),
        ('ctf/testdata_ctf_short_discontinuous.ds', lambda p: mne.io.read_raw_ctf(p), ['mag']),
        ('fif/test-ave.fif.gz', lambda p: mne.read_evokeds(p)[0], ['eeg', 'mag', 'grad']),
        ('fif/test_ctf_comp_raw.fif', lambda p: mne.io.read_raw_fif(p), ['mag']),
    ]
    out = []
    for rel, read, types in specs:
        inst = read(os.path.join(DATA, rel))
        for ch_type in types:
            try:
                pos = _prepare_topomap_plot(inst, ch_type, sphere=None)[1]
            except RuntimeError as err:  # e.g. EEG without digitisation: MNE cannot plot it either
                print('skip', rel, ch_type, err)
                continue
            out.append(case(f'recording:{rel}:{ch_type}', pos))
    return out


def montage_layouts():
    out = []
    for kind in mne.channels.get_builtin_montages():
        mont = mne.channels.make_standard_montage(kind)
        # keep the first channel of every 3-D position (1005/1020 list T3/T7 etc. twice; MNE refuses to plot those)
        ch_pos = mont.get_positions()['ch_pos']
        seen, names = set(), []
        for name in mont.ch_names:
            key = tuple(np.round(ch_pos[name], 6))
            if key not in seen:
                seen.add(key)
                names.append(name)
        info = mne.create_info(names, 1000.0, 'eeg')
        try:
            info.set_montage(mont, on_missing='ignore')
            evk = mne.EvokedArray(np.zeros((len(names), 1)), info)
            pos = _prepare_topomap_plot(evk, 'eeg', sphere=None)[1]
        except Exception as err:  # montages MNE itself cannot plot (duplicate positions etc.)
            print('skip', kind, err)
            continue
        if len(pos) >= 4:
            out.append(case('montage:' + kind, pos))
    return out


def random_layouts():
    rng = np.random.default_rng(20260101)
    out = []
    for i, n in enumerate([10, 16, 32, 64, 100, 128, 200, 256, 300, 400]):
        out.append(case(f'uniform:{n}', rng.uniform(-0.1, 0.1, (n, 2))))
        r = 0.1 * np.sqrt(rng.uniform(0, 1, n))
        t = rng.uniform(0, 2 * np.pi, n)
        out.append(case(f'disc:{n}', np.c_[r * np.cos(t), r * np.sin(t)]))
        out.append(case(f'unit-scale:{n}', rng.normal(0, 1, (n, 2))))
    return out


def stress_layouts():
    """Near-degenerate sets (grids, rings, mirrored pairs, duplicates, with or without tiny jitter): the
    implementation must either decline or agree exactly."""
    rng = np.random.default_rng(7)
    out = []
    for i in range(60):
        n = int(rng.integers(5, 120))
        kind = i % 6
        if kind == 0:  # integer grid points, many co-circular
            pos = rng.integers(-6, 7, (n, 2)) * 0.01
            pos = np.unique(pos, axis=0)
        elif kind == 1:  # grid with 1e-9 jitter
            pos = np.unique(rng.integers(-6, 7, (n, 2)) * 0.01, axis=0) + rng.normal(0, 1e-9, (1, 2))
            pos = pos + rng.normal(0, 1e-9, pos.shape)
        elif kind == 2:  # concentric rings
            k = max(4, n // 4)
            t = np.linspace(0, 2 * np.pi, k, endpoint=False)
            pos = np.concatenate([np.c_[r * np.cos(t + r), r * np.sin(t + r)] for r in (0.03, 0.06, 0.09)])
        elif kind == 3:  # mirror-symmetric pairs (like montages)
            half = rng.uniform(0.0, 0.1, (n // 2, 2))
            pos = np.concatenate([half, half * [-1, 1], [[0, 0.05], [0, -0.05]]])
        elif kind == 4:  # random with a few near-coincident sites
            pos = rng.uniform(-0.1, 0.1, (n, 2))
            pos[: n // 5] = pos[n // 5: 2 * (n // 5)] + rng.normal(0, 1e-12, (n // 5, 2))
        else:  # random, wide dynamic range
            pos = rng.normal(0, 1, (n, 2)) * np.exp(rng.uniform(-8, 8))
        pos = np.asarray(pos, float)
        if len(pos) < 4:
            continue
        try:
            out.append(case(f'stress{kind}:{i}', pos))
        except Exception as err:  # scipy refuses (e.g. all collinear): nothing to compare
            print('skip stress', i, type(err).__name__)
    return out


cases = golden_layouts() + recording_layouts() + montage_layouts() + random_layouts() + stress_layouts()
with open(os.path.join(OUT, 'qhull-order.json'), 'w') as fh:
    json.dump(dict(scipy_options='Q11 Qt Qc (Delaunay incremental=True)', cases=cases), fh, separators=(',', ':'))
print(len(cases), 'cases')

"""Golden simplices of scipy.spatial.Delaunay(pos, incremental=True) (qhull 2019.1 via scipy 1.10, options
"Q11 Qt Qc") for the 2-D sensor layouts MNE 1.3 topomaps triangulate in `_get_extra_points`, and MNE's median
sensor spacing (median over edges (v0,v1),(v1,v2) of those simplices).

Usage: /usr/bin/python3 scripts/golden/make_qhull_order_golden.py [OUT_DIR]
Cases: the pos2d of every test/golden/topomap/*.json file, every MNE standard montage projected by MNE's
`_prepare_topomap_plot` (EEG info with that montage, default sphere), and seeded random point sets.
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


cases = golden_layouts() + montage_layouts() + random_layouts()
with open(os.path.join(OUT, 'qhull-order.json'), 'w') as fh:
    json.dump(dict(scipy_options='Q11 Qt Qc (Delaunay incremental=True)', cases=cases), fh, separators=(',', ':'))
print(len(cases), 'cases')

"""Golden Clough-Tocher grids of MNE 1.3's plot_topomap on layouts with co-circular sensors (qhull merges facets
there), for lib/core/topomap's triangulation.

Usage: /usr/bin/python3 scripts/golden/make_cocircular_golden.py [DATA_DIR] [OUT_DIR] [--debug]
Defaults: DATA_DIR=../shared/data, OUT_DIR=test/golden/topomap. Writes OUT_DIR/cocircular.json.

Layouts: standard_1020, standard_1005, biosemi16/32/64/128/256, GSN-HydroCel-64_1.0/128/256 as MNE places them
(EEG info with the montage, default sphere, `_prepare_topomap_plot`), and brainvision/test.vhdr with the
[Coordinates] section of make_edf_bv_golden.py (bv__test_coordinates, two samples). Per layout: the picked
channels' 3-D locations and MNE's sphere (engine inputs), the 2-D positions (float64),
the sensor values (seeded smooth field + noise; the recording's data at one sample for BrainVision), clip origin
and radii, MNE's median spacing, scipy's simplices of Delaunay(pos, incremental=True) (the ones MNE takes the
median over), the extra points, the number of triangles after `add_points`, and MNE's 64x64 'cubic' grid
(extrapolate='head', border='mean') rounded to float32 (null = NaN); under 'box' and 'local' the same for those
extrapolations, with scipy's final simplices ('box': default Delaunay of sensors and corners; 'local': hull
edges of the incremental Delaunay, then add_points) and, for 'local', MNE's clip polygon as 'mask'. --debug also writes the final simplices and the float64 grids.
"""
import json, os, sys, tempfile, warnings
import numpy as np
import mne
from scipy.spatial import Delaunay
from mne.viz.topomap import _prepare_topomap_plot, _make_head_outlines, _setup_interp

mne.set_log_level('ERROR')
warnings.simplefilter('ignore')
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
args = [a for a in sys.argv[1:] if not a.startswith('--')]
DEBUG = '--debug' in sys.argv
DATA = args[0] if len(args) > 0 else os.path.join(ROOT, '..', 'shared', 'data')
OUT = args[1] if len(args) > 1 else os.path.join(ROOT, 'test', 'golden', 'topomap')
MONTAGES = ['standard_1020', 'standard_1005', 'biosemi16', 'biosemi32', 'biosemi64', 'biosemi128', 'biosemi256',
            'GSN-HydroCel-64_1.0', 'GSN-HydroCel-128', 'GSN-HydroCel-129', 'GSN-HydroCel-256', 'GSN-HydroCel-257']
RES = 64
# The [Coordinates] section make_edf_bv_golden.py adds to test.vhdr (BESA radius, theta, phi in degrees).
COORDS = {1: '1,-90,-72', 2: '1,90,72', 3: '1,-60,-51', 4: '1,60,51', 5: '1,-45,0', 6: '1,45,0',
          7: '1,-60,51', 8: '1,60,-51', 9: '1,-90,72', 10: '1,90,-72', 11: '1,-90,-36', 12: '1,90,36',
          13: '1,-90,36', 14: '1,90,-36', 15: '1,45,90', 16: '85,23,90', 17: '1,0,0', 18: '1,23,-90',
          19: '1,45,-90', 20: '1,68,-90', 21: '1,-31,-46', 22: '1,31,46', 23: '1,-31,46', 24: '1,31,-46',
          25: '0,0,0', 26: '1,69,21', 27: '1,-69,21', 28: '1,69,-21'}
COORD_SECTION = '[Coordinates]\n' + ''.join(f'Ch{k}={v}\n' for k, v in COORDS.items()) + '\n'


def f32(a):
    return [None if not np.isfinite(v) else float(np.float32(v)) for v in np.asarray(a, float).ravel()]


def mode_grid(pos, values, outlines, mode):
    """MNE's 64x64 'cubic' grid and extra points with extrapolate=mode (border='mean')."""
    extent, Xi, Yi, gd = _setup_interp(pos, RES, 'cubic', mode, outlines, 'mean')
    gd.set_values(values)
    Z = gd.set_locations(Xi, Yi)()
    finite = Z[np.isfinite(Z)]
    out = dict(extra_points=[[float(x), float(y)] for x, y in gd.tri.points[len(pos):]],
               n_triangles=int(len(gd.tri.simplices)), range=float(finite.max() - finite.min()), grid=f32(Z))
    if mode != 'head':
        out['simplices'] = [[int(v) for v in r] for r in gd.tri.simplices]
    if gd.mask_pts is not None:
        out['mask'] = [[float(x), float(y)] for x, y in gd.mask_pts]
    if DEBUG:
        out['final_simplices'] = [[int(v) for v in r] for r in gd.tri.simplices]
        out['grid64'] = [None if not np.isfinite(v) else float(v) for v in Z.ravel()]
    return out, extent, gd, Z


def case(name, inst, data):
    picks, pos, merge, names, _, sphere, clip_origin = _prepare_topomap_plot(inst, 'eeg')
    values = np.asarray(data, float)[picks]
    outlines = _make_head_outlines(sphere.copy(), pos, 'head', clip_origin)
    head, extent, gd, Z = mode_grid(pos, values, outlines, 'head')
    s = Delaunay(pos, incremental=True).simplices
    d = np.concatenate([np.linalg.norm(pos[s[:, a]] - pos[s[:, b]], axis=1) for a, b in ((0, 1), (1, 2))])
    finite = Z[np.isfinite(Z)]
    loc3d = [[float(v) for v in inst.info['chs'][p]['loc'][:3]] for p in picks]
    out = dict(name=name, ch_names=[inst.info['ch_names'][p] for p in picks], loc3d=loc3d,
               sphere=[float(v) for v in sphere], pos2d=[[float(x), float(y)] for x, y in pos],
               values=[float(v) for v in values],
               clip_origin=[float(v) for v in outlines['clip_origin']],
               clip_radius=[float(v) for v in outlines['clip_radius']], extent=[float(v) for v in extent],
               median_distance=float(np.median(d)), simplices=[[int(v) for v in r] for r in s],
               extra_points=[[float(x), float(y)] for x, y in gd.tri.points[len(pos):]],
               n_extra=int(gd.n_extra), n_triangles=int(len(gd.tri.simplices)), res=RES,
               range=float(finite.max() - finite.min()), grid=f32(Z))
    if DEBUG:
        out['final_simplices'], out['grid64'] = head['final_simplices'], head['grid64']
    out['box'] = mode_grid(pos, values, outlines, 'box')[0]
    out['local'] = mode_grid(pos, values, outlines, 'local')[0]
    print(name, len(pos), 'extra', gd.n_extra, 'triangles', len(gd.tri.simplices), 'median', out['median_distance'])
    return out


def montage_case(kind, seed):
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
    info.set_montage(mont, on_missing='ignore')
    xyz = np.array([info['chs'][i]['loc'][:3] for i in range(len(names))])
    rng = np.random.default_rng(seed)
    # a smooth dipolar field plus 20 % noise, in microvolts
    data = 10 * np.sin(40 * xyz[:, 0] + 1) * np.cos(30 * xyz[:, 1]) + 30 * xyz[:, 2] / 0.09
    data = data + 0.2 * data.std() * rng.standard_normal(len(names))
    evk = mne.EvokedArray(data[:, None] * 1e-6, info)
    return case('montage:' + kind, evk, data)


def brainvision_case():
    bv = os.path.join(DATA, 'brainvision')
    vhdr = open(os.path.join(bv, 'test.vhdr'), 'rb').read().decode('utf-8')
    vhdr = vhdr.replace('[Comment]', COORD_SECTION + '[Comment]', 1)
    with tempfile.TemporaryDirectory() as tmp:
        with open(os.path.join(tmp, 'test.vhdr'), 'wb') as f:
            f.write(vhdr.encode('utf-8'))
        with open(os.path.join(tmp, 'test.vmrk'), 'wb') as f:
            f.write(open(os.path.join(bv, 'test.vmrk'), 'rb').read())
        os.symlink(os.path.abspath(os.path.join(bv, 'test.eeg')), os.path.join(tmp, 'test.eeg'))
        raw = mne.io.read_raw_brainvision(os.path.join(tmp, 'test.vhdr'), preload=True)
    return [case(f'recording:bv__test_coordinates:sample{t}', raw, raw.get_data()[:, t] * 1e6) for t in (1000, 4000)]


cases = [montage_case(k, i) for i, k in enumerate(MONTAGES)] + brainvision_case()
path = os.path.join(OUT, 'cocircular-debug.json' if DEBUG else 'cocircular.json')
with open(path, 'w') as fh:
    json.dump(dict(mne_version=mne.__version__, interp='cubic', extrapolate='head', border='mean', cases=cases), fh,
              separators=(',', ':'))
print(path, os.path.getsize(path), 'bytes')

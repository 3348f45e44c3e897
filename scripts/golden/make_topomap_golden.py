"""Golden values for the topomap engine (lib/core/topomap), computed with MNE-Python 1.3.

Usage: /usr/bin/python3 scripts/golden/make_topomap_golden.py [DATA_DIR] [OUT_DIR]
Defaults: DATA_DIR=../shared/data, OUT_DIR=test/golden/topomap.
Writes one JSON per recording/channel type with the engine's inputs (3-D locations, dig points, dev_head_t,
values) and MNE's intermediate outputs (sphere, 2-D positions, extra points, extent, clip, vmin/vmax, contour
levels, res x res grids with null = NaN) for several option combinations, plus tables for MaxNLocator,
_setup_vmin_vmax, the spherical-spline g function and a spline grid.
"""
import json, os, sys, warnings
import numpy as np
import matplotlib
matplotlib.use('Agg')
from matplotlib import ticker
import mne
from mne.viz.topomap import (_prepare_topomap_plot, _make_head_outlines, _setup_interp,
                             _set_contour_locator, _check_extrapolate)
from mne.viz.utils import _setup_vmin_vmax
from mne.utils.check import _check_sphere
from mne.channels.interpolation import _make_interpolation_matrix, _calc_g
from mne.io.pick import pick_types

mne.set_log_level('ERROR')
warnings.simplefilter('ignore')
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DATA = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, '..', 'shared', 'data')
OUT = sys.argv[2] if len(sys.argv) > 2 else os.path.join(ROOT, 'test', 'golden', 'topomap')
SCALE = {'eeg': 1e6, 'mag': 1e15, 'grad': 1e13}


def flist(a):
    return [float(v) for v in np.asarray(a, float).ravel()]


def rows(a):
    return [flist(r) for r in np.asarray(a, float)]


def grid_json(Z):
    return [None if not np.isfinite(v) else float(v) for v in np.asarray(Z).ravel()]


def dig_json(info):
    return [dict(kind=int(d['kind']), ident=int(d['ident']), frame=int(d['coord_frame']), r=flist(d['r']))
            for d in (info['dig'] or [])]


def inputs_json(info, ch_type, values_all):
    """Engine inputs: the candidate channels (all of the type, bads included, as the caller would pass)."""
    if ch_type == 'eeg':
        picks = pick_types(info, meg=False, eeg=True, ref_meg=False, exclude=[])
    else:
        picks = pick_types(info, meg=ch_type, ref_meg=False, exclude=[])
    t = info['dev_head_t']
    return dict(ch_names=[info['ch_names'][p] for p in picks],
                loc3d=[flist(info['chs'][p]['loc'][:3]) for p in picks],
                values=flist(values_all[picks]), bads=list(info['bads']), dig=dig_json(info),
                dev_head_t=None if t is None else rows(t['trans']))


def one_case(pos, sphere, clip_origin, ch_type, data, merge, extrap, border, res, interp):
    outlines = _make_head_outlines(sphere.copy(), pos, 'head', clip_origin)
    extrapolate = _check_extrapolate(extrap, ch_type)
    extent, Xi, Yi, gd = _setup_interp(pos, res, interp, extrapolate, outlines, border)
    gd.set_values(data)
    Z = gd.set_locations(Xi, Yi)()
    vmin, vmax = _setup_vmin_vmax(data, None, None, norm=merge)
    _, levels = _set_contour_locator(vmin, vmax, 6)
    return dict(extrapolate_option=extrap, extrapolate=extrapolate, border=border, res=res, interp=interp,
                extra_points=rows(gd.tri.points[len(pos):]),
                mask_pts=None if gd.mask_pts is None else rows(gd.mask_pts),
                n_triangles=int(len(gd.tri.simplices)),
                extent=flist(extent), clip_radius=flist(outlines['clip_radius']),
                clip_origin=flist(outlines['clip_origin']), mask_pos=rows(np.c_[outlines['mask_pos']]),
                head=rows(np.c_[outlines['head']]), nose=rows(np.c_[outlines['nose']]),
                ear_left=rows(np.c_[outlines['ear_left']]), ear_right=rows(np.c_[outlines['ear_right']]),
                vmin=float(vmin), vmax=float(vmax), contour_levels=flist(levels),
                grid=grid_json(Z), n_nan=int(np.isnan(Z).sum()))


def spline_grid(info, picks, sphere_head, extent, res, data):
    """Spherical-spline topomap grid (notes §2): pixels mapped back onto the sphere, MNE's interpolation matrix."""
    loc = np.array([info['chs'][p]['loc'][:3] for p in picks]) - sphere_head[:3]
    xi, yi = np.linspace(extent[0], extent[1], res), np.linspace(extent[2], extent[3], res)
    X, Y = np.meshgrid(xi, yi)
    dx, dy = X.ravel() - sphere_head[0], Y.ravel() - sphere_head[1]
    theta = np.hypot(dx, dy) / sphere_head[3] * np.pi / 2
    phi = np.arctan2(dy, dx)
    u = np.c_[np.sin(theta) * np.cos(phi), np.sin(theta) * np.sin(phi), np.cos(theta)]
    M = _make_interpolation_matrix(loc, u, alpha=1e-5)
    return dict(res=res, extent=flist(extent), alpha=1e-5, grid=flist(M @ data), matrix_row0=flist(M[0]),
                matrix_row_mid=flist(M[len(M) // 2 + res // 2]), matrix_row_mid_index=int(len(M) // 2 + res // 2))


def median_edge_distance(pos):
    """MNE's `distance` in `_get_extra_points`: median of edges (v0,v1) and (v1,v2) of qhull's simplices."""
    from scipy.spatial import Delaunay
    s = Delaunay(pos, incremental=True).simplices
    return float(np.median(np.concatenate([np.linalg.norm(pos[s[:, a]] - pos[s[:, b]], axis=1)
                                           for a, b in ((0, 1), (1, 2))])))


def build(inst, ch_type, values_all, time, options, source, name, spline=False):
    info = inst.info
    picks, pos, merge, names, _, sphere, clip_origin = _prepare_topomap_plot(inst, ch_type)
    data = values_all[picks] if not merge else values_all[picks]
    if merge:
        data = np.sqrt((data.reshape(-1, 2) ** 2).sum(1) / 2)
    out = dict(source=source, mne_version=mne.__version__, ch_type=ch_type, time=time,
               inputs=inputs_json(info, ch_type, values_all),
               sphere_head=flist(_check_sphere(None, info)), sphere=flist(sphere),
               clip_origin=flist(clip_origin), merge=bool(merge), median_distance=median_edge_distance(pos),
               picked_names=[info['ch_names'][p] for p in picks], pos2d=rows(pos), data=flist(data),
               cases=[one_case(pos, sphere, clip_origin, ch_type, data, merge, *o) for o in options])
    if spline:
        out['spline'] = spline_grid(info, picks, _check_sphere(None, info), out['cases'][0]['extent'], 32, data)
    path = os.path.join(OUT, name + '.json')
    with open(path, 'w') as f:
        json.dump(out, f, separators=(',', ':'))
    print(name, 'nch', len(pos), 'sphere', np.round(sphere, 5), 'cases', len(options),
          'bytes', os.path.getsize(path))


def time_index(times, t, sfreq):
    return int(np.where(mne.utils._time_mask(times, t, None, sfreq=sfreq))[0][0])


def evoked_files():
    src = 'mne/io/tests/data/test-ave.fif.gz condition 0 (Left Auditory), read_evokeds(proj=True)'
    ev = mne.read_evokeds(os.path.join(DATA, 'fif', 'test-ave.fif.gz'), condition=0)
    opts = [('auto', 'mean', 64, 'cubic'), ('head', 'mean', 64, 'cubic'), ('local', 'mean', 64, 'cubic'),
            ('box', 'mean', 64, 'cubic'), ('auto', 0, 32, 'cubic'), ('auto', 'mean', 32, 'linear'),
            ('head', 'mean', 32, 'nearest')]
    for ch_type in ('eeg', 'mag', 'grad'):
        for t in (0.1, 0.05):
            ti = time_index(ev.times, t, ev.info['sfreq'])
            values_all = ev.data[:, ti] * SCALE[ch_type]
            use = opts if t == 0.1 else opts[:1] + opts[4:6]
            build(ev, ch_type, values_all, float(ev.times[ti]), use, src, f'evoked_{ch_type}_{int(t * 1000)}ms',
                  spline=(ch_type == 'eeg' and t == 0.1))


def bdf_file():
    src = 'mne/io/edf/tests/data/test.bdf, standard_1005 montage (on_missing=ignore), channels with positions'
    raw = mne.io.read_raw_bdf(os.path.join(DATA, 'edf', 'test.bdf'), preload=True)
    raw.set_montage('standard_1005', on_missing='ignore')
    keep = [c['ch_name'] for c in raw.info['chs'] if np.isfinite(c['loc'][:3]).all() and c['kind'] == 2]
    raw.pick(keep)
    ti = 1000
    values_all = raw.get_data()[:, ti] * 1e6
    values_all -= values_all.mean()  # average reference, so the map is diverging
    opts = [('auto', 'mean', 64, 'cubic'), ('local', 'mean', 64, 'cubic'), ('box', 0, 32, 'cubic'),
            ('auto', 'mean', 32, 'linear')]
    build(raw, 'eeg', values_all, float(raw.times[ti]), opts, src, 'bdf_eeg')
    # sphere='eeglab' inputs and result
    pos = raw.get_montage().get_positions()['ch_pos']
    sph = _check_sphere('eeglab', raw.info)
    with open(os.path.join(OUT, 'bdf_eeg.json')) as f:
        d = json.load(f)
    d['eeglab'] = dict(ch_pos={k: flist(pos[k]) for k in ('T7', 'T8', 'Fpz', 'Oz')}, sphere=flist(sph))
    mont_no_fpz = {k: flist(pos[k]) for k in ('T7', 'T8', 'Oz')}
    raw2 = raw.copy().drop_channels(['Fpz'])
    d['eeglab_no_fpz'] = dict(ch_pos=mont_no_fpz, sphere=flist(_check_sphere('eeglab', raw2.info)))
    with open(os.path.join(OUT, 'bdf_eeg.json'), 'w') as f:
        json.dump(d, f, separators=(',', ':'))


def ctf_file():
    src = 'mne/io/tests/data/test_ctf_comp_raw.fif (CTF 274 axial gradiometers as mag)'
    raw = mne.io.read_raw_fif(os.path.join(DATA, 'fif', 'test_ctf_comp_raw.fif'), preload=True)
    ti = 100
    values_all = raw.get_data()[:, ti] * 1e15
    opts = [('auto', 'mean', 64, 'cubic'), ('head', 'mean', 64, 'cubic'), ('box', 'mean', 32, 'cubic'),
            ('auto', 0, 32, 'linear')]
    build(raw, 'mag', values_all, float(raw.times[ti]), opts, src, 'ctf_mag')


def tables():
    rng = np.random.RandomState(0)
    ranges = [(-121.72, 121.72), (-434.69, 434.69), (0, 891.67), (0, 1), (-1, 1), (1e-13, 3e-13), (-3.3e-6, 7.1e-6),
              (2.5, 2.5000001), (-0.001, 1000), (17, 93), (-5e5, -4e5), (0.1, 0.7), (-7.77, 3.33)]
    ranges += [tuple(sorted(rng.uniform(-10, 10, 2) * 10.0 ** rng.randint(-8, 8))) for _ in range(15)]
    locator = []
    for lo, hi in ranges:
        for contours in (1, 3, 6, 10):
            lev = ticker.MaxNLocator(nbins=contours + 1).tick_values(lo, hi)
            locator.append(dict(vmin=lo, vmax=hi, contours=contours, levels=flist(lev)))
    vm = []
    for data in ([-3.0, 1.0, 2.0], [0.5, 2.0, 1.0], [-1e-6, -3e-6], [0.0, 0.0]):
        a = np.array(data)
        for vmin, vmax in ((None, None), (None, 5.0), (-2.0, None)):
            for norm in (False, True):
                lo, hi = _setup_vmin_vmax(a, vmin, vmax, norm=norm)
                vm.append(dict(data=data, vmin=vmin, vmax=vmax, norm=norm, out=[float(lo), float(hi)]))
    x = np.linspace(-1, 1, 21)
    out = dict(max_n_locator=locator, setup_vmin_vmax=vm,
               calc_g=dict(x=flist(x), g=flist(_calc_g(x))), matplotlib_version=matplotlib.__version__)
    with open(os.path.join(OUT, 'tables.json'), 'w') as f:
        json.dump(out, f, separators=(',', ':'))


if __name__ == '__main__':
    os.makedirs(OUT, exist_ok=True)
    tables()
    evoked_files()
    bdf_file()
    ctf_file()

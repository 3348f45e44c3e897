"""Golden PNGs for the visual regression test (issue 12, "MNE's look by default"): MNE 1.3's own
Evoked.plot_topomap of test-ave.fif.gz condition 0 at t = 0.1 s, drawn into a 512 × 512 px figure (dpi 100,
white, no colour bar, no title) whose axes show exactly the data window our renderer shows
(lib/core/render/layout.ts: the bounding box of extent, clip shape and head outlines, padded 3 %), for
  eeg_head   EEG, extrapolate='head' (MNE's default for EEG: the map fills the head circle)
  eeg_local  EEG, extrapolate='local' (the map stays inside the sensors' hull, within the circle)
  mag        magnetometers (local)
  grad       merged planar gradiometer pairs (RMS, local)
with MNE's defaults: contours=6 (negative levels dashed by matplotlib), sensors=True, outlines='head', res=64,
cubic. Each PNG comes with a JSON of MNE's topomap inputs (grid, clip, outlines, scale) from the same private
functions make_render_golden.py uses, so the test renders our PNG from exactly these inputs.

Run with Debian's python:  /usr/bin/python3 scripts/golden/make_visual_golden.py
Writes test/golden/render/visual/{name}.png and {name}.json.
"""
import json
import os
import warnings

import matplotlib

matplotlib.use('Agg')
import matplotlib.pyplot as plt  # noqa: E402
import mne  # noqa: E402
import numpy as np  # noqa: E402
from mne.viz.topomap import (_check_extrapolate, _make_head_outlines, _prepare_topomap_plot,  # noqa: E402
                             _set_contour_locator, _setup_interp)
from mne.viz.utils import _setup_vmin_vmax  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DATA = os.environ.get('LORIS_EPHYS_TESTDATA', os.path.join(ROOT, '..', 'shared', 'data'))
OUT = os.path.join(ROOT, 'test', 'golden', 'render', 'visual')
SIZE = 512
VIEW_PAD = 0.03  # lib/core/render/layout.ts
SCALE = {'eeg': 1e6, 'mag': 1e15, 'grad': 1e13}
CASES = [('eeg_head', 'eeg', 'head'), ('eeg_local', 'eeg', 'local'), ('mag', 'mag', 'local'),
         ('grad', 'grad', 'local')]


def view_box(extent, clip_pts, outlines):
    xs = [extent[0], extent[1]] + [p[0] for p in clip_pts]
    ys = [extent[2], extent[3]] + [p[1] for p in clip_pts]
    for key in ('head', 'nose', 'ear_left', 'ear_right'):
        xs += list(outlines[key][0])
        ys += list(outlines[key][1])
    cx, cy = (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2
    half = max(max(xs) - min(xs), max(ys) - min(ys)) / 2 * (1 + 2 * VIEW_PAD)
    return [cx - half, cx + half, cy - half, cy + half]


def inputs(ev, ch_type, extrap):
    """MNE's topomap inputs, in the schema of test/core/render/fixture.ts (RenderGolden, without Agg parts)."""
    picks, pos, merge, names, _, sphere, clip_origin = _prepare_topomap_plot(ev, ch_type)
    outlines = _make_head_outlines(sphere, pos, 'head', clip_origin)
    ti = np.where(mne.utils._time_mask(ev.times, 0.1, None, sfreq=ev.info['sfreq']))[0][0]
    data = ev.data[picks, ti] * SCALE[ch_type]
    if merge:
        data = np.sqrt((data.reshape(-1, 2) ** 2).sum(1) / 2)
    vmin, vmax = _setup_vmin_vmax(data, None, None, norm=merge)
    _, levels = _set_contour_locator(vmin, vmax, 6)
    extent, Xi, Yi, interp = _setup_interp(pos, 64, 'cubic', extrap, outlines, 'mean')
    interp.set_values(data)
    Z = interp.set_locations(Xi, Yi)()
    if extrap == 'local':
        clip = dict(kind='polygon', points=interp.mask_pts.tolist())
        clip_pts = clip['points']
    else:
        c, r = outlines['clip_origin'], outlines['clip_radius']
        clip = dict(kind='ellipse', center=list(map(float, c)), radii=list(map(float, r)))
        clip_pts = [[c[0] - r[0], c[1] - r[1]], [c[0] + r[0], c[1] + r[1]]]
    pair = lambda key: np.c_[outlines[key][0], outlines[key][1]].tolist()  # noqa: E731
    return dict(
        ch_type=ch_type, ch_names=[ev.ch_names[p] for p in picks] if not merge else list(names),
        sphere=list(map(float, sphere)), pos2d=pos.tolist(), extrapolate=extrap, extent=list(map(float, extent)),
        res=64, clip=clip,
        outlines=dict(head=pair('head'), nose=pair('nose'), ear_left=pair('ear_left'), ear_right=pair('ear_right'),
                      mask_pos=pair('mask_pos'), clip_radius=list(map(float, outlines['clip_radius'])),
                      clip_origin=list(map(float, outlines['clip_origin']))),
        vmin=float(vmin), vmax=float(vmax), contour_levels=list(map(float, levels)),
        cmap='Reds' if vmin >= 0 else 'RdBu_r',
        grid_Z=[None if np.isnan(v) else float(v) for v in Z.ravel()],
        view=view_box(extent, clip_pts, outlines))


def mne_png(ev, ch_type, extrap, view, path):
    fig = plt.figure(figsize=(SIZE / 100, SIZE / 100), dpi=100, facecolor='white')
    ax = fig.add_axes([0, 0, 1, 1])
    ev.plot_topomap(times=0.1, ch_type=ch_type, extrapolate=extrap, res=64, contours=6, sensors=True,
                    outlines='head', colorbar=False, axes=ax, time_format='', show=False)
    ax.set_xlim(view[0], view[1])
    ax.set_ylim(view[2], view[3])
    ax.set_axis_off()
    fig.savefig(path, dpi=100, facecolor='white')
    plt.close(fig)


def main():
    mne.set_log_level('ERROR')
    warnings.simplefilter('ignore')
    os.makedirs(OUT, exist_ok=True)
    ev = mne.read_evokeds(os.path.join(DATA, 'fif', 'test-ave.fif.gz'), condition=0)
    for name, ch_type, extrap in CASES:
        assert extrap == _check_extrapolate(extrap, ch_type)
        g = inputs(ev, ch_type, extrap)
        g['source'] = f'test-ave.fif.gz condition 0, t=0.1 s, MNE {mne.__version__} / matplotlib {matplotlib.__version__}'
        with open(os.path.join(OUT, f'{name}.json'), 'w') as f:
            json.dump(g, f)
        mne_png(ev, ch_type, extrap, g['view'], os.path.join(OUT, f'{name}.png'))
        print(name, 'levels', np.round(g['contour_levels'], 3), 'vlim', round(g['vmin'], 3), round(g['vmax'], 3))


if __name__ == '__main__':
    main()

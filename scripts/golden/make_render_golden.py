# Golden values for lib/core/render: MNE 1.3's topomap inputs (grid, extent, clip patch, outlines, sensors,
# colour limits, contour levels) for test-ave.fif.gz at 0.1 s, plus what matplotlib makes of them:
#   - the 256-entry colormap LUT (RdBu_r or Reds), from matplotlib itself;
#   - imshow(Z, origin='lower', extent, interpolation='bilinear') clipped to MNE's patch, rendered by Agg into a
#     256×256 canvas whose data window is the render module's view box (stored at every 2nd pixel);
#   - contour(Xi, Yi, Z, levels) vertices for every level strictly inside the grid range.
# Usage: /usr/bin/python3 scripts/golden/make_render_golden.py [DATA_DIR] [OUT_DIR]
import base64, json, os, sys, warnings
import numpy as np
import matplotlib
matplotlib.use('Agg')
import matplotlib.pyplot as plt
from matplotlib import patches
from matplotlib.colors import Normalize
import mne
from mne.viz.topomap import (_prepare_topomap_plot, _make_head_outlines, _setup_interp,
                             _set_contour_locator, _check_extrapolate)
from mne.viz.utils import _setup_vmin_vmax

mne.set_log_level('ERROR'); warnings.simplefilter('ignore')
data_dir = sys.argv[1] if len(sys.argv) > 1 else '/work/shared/data'
out_dir = sys.argv[2] if len(sys.argv) > 2 else os.path.join(os.path.dirname(__file__), '..', '..', 'test', 'golden', 'render')
os.makedirs(out_dir, exist_ok=True)
SIZE = 256
VIEW_PAD = 0.03  # same as lib/core/render/layout.ts
ev = mne.read_evokeds(os.path.join(data_dir, 'fif', 'test-ave.fif.gz'), condition=0)


def view_box(extent, clip_pts, outlines):
    xs = [extent[0], extent[1]] + [p[0] for p in clip_pts]
    ys = [extent[2], extent[3]] + [p[1] for p in clip_pts]
    for key in ('head', 'nose', 'ear_left', 'ear_right'):
        xs += list(outlines[key][0]); ys += list(outlines[key][1])
    cx, cy = (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2
    half = max(max(xs) - min(xs), max(ys) - min(ys)) / 2 * (1 + 2 * VIEW_PAD)
    return [cx - half, cx + half, cy - half, cy + half]


def agg_image(Z, extent, view, cmap, vmin, vmax, patch):
    fig = plt.figure(figsize=(SIZE / 100, SIZE / 100), dpi=100)
    fig.patch.set_alpha(0)
    ax = fig.add_axes([0, 0, 1, 1])
    ax.set_axis_off()
    im = ax.imshow(Z, cmap=cmap, origin='lower', aspect='equal', extent=extent, interpolation='bilinear',
                   norm=Normalize(vmin=vmin, vmax=vmax))
    ax.add_patch(patch); patch.set_visible(False)
    im.set_clip_path(patch)
    ax.set_xlim(view[0], view[1]); ax.set_ylim(view[2], view[3])
    fig.canvas.draw()
    rgba = np.asarray(fig.canvas.buffer_rgba()).copy()
    plt.close(fig)
    assert rgba.shape == (SIZE, SIZE, 4), rgba.shape
    return rgba


for ch_type in ('eeg', 'mag', 'grad'):
    picks, pos, merge, names, _, sphere, clip_origin = _prepare_topomap_plot(ev, ch_type)
    outlines = _make_head_outlines(sphere, pos, 'head', clip_origin)
    extrap = _check_extrapolate('auto', ch_type)
    ti = np.where(mne.utils._time_mask(ev.times, 0.1, None, sfreq=ev.info['sfreq']))[0][0]
    data = ev.data[picks, ti] * {'eeg': 1e6, 'mag': 1e15, 'grad': 1e13}[ch_type]
    if merge:
        data = np.sqrt((data.reshape(-1, 2) ** 2).sum(1) / 2)
    vmin, vmax = _setup_vmin_vmax(data, None, None, norm=merge)
    _, levels = _set_contour_locator(vmin, vmax, 6)
    extent, Xi, Yi, interp = _setup_interp(pos, 64, 'cubic', extrap, outlines, 'mean')
    interp.set_values(data)
    Z = interp.set_locations(Xi, Yi)()
    cmap_name = 'Reds' if vmin >= 0 else 'RdBu_r'
    if extrap == 'local':
        clip = dict(kind='polygon', points=interp.mask_pts.tolist())
        patch = patches.Polygon(interp.mask_pts, closed=True)
        clip_pts = clip['points']
    else:
        c, r = outlines['clip_origin'], outlines['clip_radius']
        clip = dict(kind='ellipse', center=list(map(float, c)), radii=list(map(float, r)))
        patch = patches.Ellipse(c, 2 * r[0], 2 * r[1])
        clip_pts = [[c[0] - r[0], c[1] - r[1]], [c[0] + r[0], c[1] + r[1]]]
    view = view_box(extent, clip_pts, outlines)
    rgba = agg_image(Z, extent, view, cmap_name, vmin, vmax, patch)
    finite = Z[np.isfinite(Z)]
    with warnings.catch_warnings():
        cs = plt.contour(Xi, Yi, Z, levels)
        drawn = [(float(l), segs) for l, segs in zip(cs.levels, cs.allsegs) if finite.min() < l < finite.max()]
        plt.close('all')
    lut = (plt.get_cmap(cmap_name)(np.arange(256))[:, :3] * 255).round().astype(int).tolist()
    pair = lambda key: np.c_[outlines[key][0], outlines[key][1]].tolist()
    g = dict(source='test-ave.fif.gz condition 0, t=0.1 s, MNE 1.3.0 / matplotlib ' + matplotlib.__version__,
             ch_type=ch_type, ch_names=[ev.ch_names[p] for p in picks] if not merge else list(names),
             sphere=list(map(float, sphere)), pos2d=pos.tolist(), extrapolate=extrap,
             extent=list(map(float, extent)), res=64, clip=clip,
             outlines=dict(head=pair('head'), nose=pair('nose'), ear_left=pair('ear_left'),
                           ear_right=pair('ear_right'), mask_pos=pair('mask_pos'),
                           clip_radius=list(map(float, outlines['clip_radius'])),
                           clip_origin=list(map(float, outlines['clip_origin']))),
             vmin=float(vmin), vmax=float(vmax), contour_levels=list(map(float, levels)), cmap=cmap_name, lut=lut,
             grid_Z=[None if np.isnan(v) else float(v) for v in Z.ravel()],
             view=view, agg_size=SIZE, agg_step=2,
             agg_rgba_b64=base64.b64encode(np.ascontiguousarray(rgba[::2, ::2]).tobytes()).decode(),
             contours=[dict(level=l, lines=[np.round(s, 9).tolist() for s in segs]) for l, segs in drawn])
    with open(os.path.join(out_dir, f'{ch_type}.json'), 'w') as f:
        json.dump(g, f)
    print(ch_type, 'levels drawn', [l for l, _ in drawn], 'view', np.round(view, 5),
          'contour pts', sum(len(s) for _, segs in drawn for s in segs))

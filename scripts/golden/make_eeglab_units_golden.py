"""EEGLAB chanlocs without a unit, read as current MNE reads them (`montage_units='auto'`), with MNE 1.3.

Usage: /usr/bin/python3 scripts/golden/make_eeglab_units_golden.py
Writes test/golden/eeglab/units_{sphere,cm}.set (32 channels of MNE's standard_1020 montage in EEGLAB's frame,
on a unit sphere as EEGLAB's own `eeglab_data.set` stores them, and in centimetres; data inside the .set) and
units_{sphere,cm}.json with what current MNE makes of them. MNE 1.3 has no `montage_units` (it always assumes
mm), so the expected values are MNE 1.3's own after the positions are scaled to metres as current MNE's
`_handle_montage_units('auto', mean_radius)` does: mean electrode radius < 0.25 → m, < 2.5 → dm, < 25 → cm,
else mm. The map is MNE 1.3's topomap machinery (sphere, 2-D positions, Clough–Tocher grid, vmin/vmax) on them.
"""
import json
import os
import warnings

import numpy as np
import scipy.io as sio
import mne
from mne.viz.topomap import _prepare_topomap_plot, _make_head_outlines, _setup_interp, _check_extrapolate
from mne.viz.utils import _setup_vmin_vmax

mne.set_log_level('ERROR')
warnings.simplefilter('ignore')
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, '..', '..', 'test', 'golden', 'eeglab')
NAMES = ['Fp1', 'Fp2', 'F7', 'F3', 'Fz', 'F4', 'F8', 'FC5', 'FC1', 'FC2', 'FC6', 'T7', 'C3', 'Cz', 'C4', 'T8',
         'CP5', 'CP1', 'CP2', 'CP6', 'P7', 'P3', 'Pz', 'P4', 'P8', 'PO9', 'O1', 'Oz', 'O2', 'PO10', 'AF3', 'AF4']
N_TIMES = 20
SAMPLE = 7


def auto_scale(mean_radius):
    if mean_radius < 0.25:
        return 'm', 1.0
    if mean_radius < 2.5:
        return 'dm', 1 / 10
    if mean_radius < 25:
        return 'cm', 1 / 100
    return 'mm', 1 / 1000


def eeglab_xyz(kind):
    """Positions in EEGLAB's frame (X nose, Y left, Z up): unit sphere, or centimetres."""
    ch_pos = mne.channels.make_standard_montage('standard_1020').get_positions()['ch_pos']
    head = np.array([ch_pos[n] for n in NAMES])  # x right, y nose, z up (m)
    head = head - head.mean(0) * [1, 1, 0]
    if kind == 'sphere':
        head = head / np.linalg.norm(head, axis=1, keepdims=True)
    else:
        head = head * 100
    return np.c_[head[:, 1], -head[:, 0], head[:, 2]]


def write_set(path, xyz):
    rng = np.random.default_rng(16)
    chanlocs = np.zeros((1, len(NAMES)), dtype=[(f, object) for f in ('labels', 'type', 'X', 'Y', 'Z')])
    for i, n in enumerate(NAMES):
        chanlocs[0, i] = (n, 'EEG', float(xyz[i, 0]), float(xyz[i, 1]), float(xyz[i, 2]))
    eeg = {'setname': 'units', 'nbchan': float(len(NAMES)), 'trials': 1.0, 'pnts': float(N_TIMES), 'srate': 100.0,
           'xmin': 0.0, 'xmax': (N_TIMES - 1) / 100.0,
           'data': (rng.standard_normal((len(NAMES), N_TIMES)) * 20).astype(np.float32),
           'chanlocs': chanlocs, 'event': np.zeros((0, 0))}
    sio.savemat(path, {'EEG': eeg}, do_compression=True, oned_as='row')


def golden(kind):
    path = os.path.join(OUT, f'units_{kind}.set')
    xyz = eeglab_xyz(kind)
    write_set(path, xyz)
    raw = mne.io.read_raw_eeglab(path, preload=True)
    pos = np.c_[-xyz[:, 1], xyz[:, 0], xyz[:, 2]]
    mean_radius = float(np.mean(np.linalg.norm(pos, axis=1)))
    unit, scale = auto_scale(mean_radius)
    pos = pos * scale
    raw.set_montage(mne.channels.make_dig_montage(ch_pos=dict(zip(NAMES, pos)), coord_frame='head'))
    values = raw.get_data()[:, SAMPLE]
    picks, pos2d, merge, names, _, sphere, clip_origin = _prepare_topomap_plot(raw, 'eeg')
    outlines = _make_head_outlines(sphere.copy(), pos2d, 'head', clip_origin)
    extrapolate = _check_extrapolate('auto', 'eeg')
    extent, Xi, Yi, gd = _setup_interp(pos2d, 64, 'cubic', extrapolate, outlines, 'mean')
    gd.set_values(values[picks])
    Z = gd.set_locations(Xi, Yi)()
    vmin, vmax = _setup_vmin_vmax(values[picks], None, None)
    out = dict(source=f'units_{kind}.set (generated), MNE 1.3 + montage_units=auto scaling', unit=unit,
               mean_radius=mean_radius, time=float(raw.times[SAMPLE]), ch_names=names,
               loc=[[float(v) for v in ch['loc'][:3]] for ch in raw.info['chs']],
               sphere=[float(v) for v in sphere], pos2d=[[float(v) for v in p] for p in pos2d],
               extent=[float(v) for v in extent], vmin=float(vmin), vmax=float(vmax), res=64,
               grid=[None if not np.isfinite(v) else float(v) for v in np.asarray(Z).ravel()])
    with open(os.path.join(OUT, f'units_{kind}.json'), 'w') as f:
        json.dump(out, f, separators=(',', ':'))
    print(kind, unit, mean_radius, sphere, vmin, vmax)


if __name__ == '__main__':
    golden('sphere')
    golden('cm')

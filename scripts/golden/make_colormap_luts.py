"""Writes lib/core/topomap/colormap-luts.json: matplotlib's 256-entry colour lookup tables as RGB bytes.

Usage: /usr/bin/python3 scripts/golden/make_colormap_luts.py
The tables are data from matplotlib (matplotlib licence, PSF/BSD-compatible; viridis, plasma, inferno and magma
are by Nathaniel J. Smith, Stefan van der Walt and Eric Firing, CC0; cividis by Jamie R. Nuñez et al., CC0).
Bytes are round(255 * Colormap(np.arange(256))), as in the shared reference colormaps.json (matplotlib's own
bytes=True truncates instead, which differs by at most 1).
"""
import json, os
import numpy as np
import matplotlib
from matplotlib import colormaps

NAMES = ['RdBu_r', 'Reds', 'viridis', 'plasma', 'inferno', 'magma', 'cividis', 'coolwarm']
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
out = {'source': f'matplotlib {matplotlib.__version__} colormaps, round(255 * Colormap(np.arange(256)))',
       'licence': 'matplotlib licence (PSF/BSD-compatible); viridis/plasma/inferno/magma/cividis CC0',
       'N': 256, 'luts': {}}
for name in NAMES:
    cmap = colormaps[name].resampled(256)
    out['luts'][name] = np.round(cmap(np.arange(256))[:, :3] * 255).astype(int).tolist()
with open(os.path.join(ROOT, 'lib', 'core', 'topomap', 'colormap-luts.json'), 'w') as f:
    json.dump(out, f, separators=(',', ':'))

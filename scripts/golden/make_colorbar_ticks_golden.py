"""Golden colour-bar ticks and labels from matplotlib 3.6 (issue 12: "colour bar like matplotlib's").

A vertical colour bar's long axis uses matplotlib's AutoLocator, i.e. MaxNLocator(nbins='auto',
steps=[1, 2, 2.5, 5, 10]) with nbins = clip(floor(bar height in points / (2 × tick font size)), 1, 9), and a
ScalarFormatter (as many decimals as the ticks need, an offset / power-of-ten text when they need one, U+2212 as
the minus sign). For each (vmin, vmax) and nbins this script draws a real colour bar with that locator and records
the ticks matplotlib shows (inside [vmin, vmax]), their labels and the offset text.

Run with Debian's python (matplotlib 3.6.3):  /usr/bin/python3 scripts/golden/make_colorbar_ticks_golden.py
Writes test/golden/render/colorbar_ticks.json.
"""
import json
import os

import matplotlib

matplotlib.use('Agg')
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib import ticker  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, 'test', 'golden', 'render', 'colorbar_ticks.json')

RANGES = [
    (-0.23, 0.23), (-0.25, 0.25), (-0.2, 0.2), (-1, 1), (-3.2, 3.2), (-12.7, 12.7), (-250, 250), (-1.3, 4.7),
    (0, 1), (0.0012, 0.0047), (-0.00031, 0.00029), (-7.77, 2.1), (-48.3, 61.9), (-999.5, 999.5), (3.5, 3.51),
    (1000.1, 1000.6), (-3e6, 3e6), (-2.5e-7, 2.5e-7), (12, 340), (-0.5, 0.05), (0.1, 0.9), (-6.66, 6.66),
    (0, 0), (5, 5), (-2e-6, -2e-6),  # flat maps: the bar spans ±10 % (Colorbar._process_values)
]
NBINS = [3, 4, 5, 6, 9]


def ticks_and_labels(vmin, vmax, nbins):
    fig, ax = plt.subplots(figsize=(1, 4))
    sm = plt.cm.ScalarMappable(norm=plt.Normalize(vmin, vmax), cmap='RdBu_r')
    cbar = fig.colorbar(sm, cax=ax)
    cbar.locator = ticker.MaxNLocator(nbins=nbins, steps=[1, 2, 2.5, 5, 10])
    cbar.formatter = ticker.ScalarFormatter()
    cbar.update_ticks()
    fig.canvas.draw()
    axis = cbar.ax.yaxis
    lo, hi = sorted(axis.get_view_interval())
    ticks, labels = [], []
    for tick in axis.get_major_ticks():
        loc = float(tick.get_loc())
        label = tick.label2 if tick.label2.get_visible() else tick.label1  # the bar's labels are on the right
        if lo <= loc <= hi:
            ticks.append(loc)
            labels.append(label.get_text())
    offset = axis.get_offset_text().get_text()
    plt.close(fig)
    return ticks, labels, offset


def main():
    cases = []
    for vmin, vmax in RANGES:
        for nbins in NBINS:
            ticks, labels, offset = ticks_and_labels(vmin, vmax, nbins)
            cases.append(dict(vmin=vmin, vmax=vmax, nbins=nbins, ticks=ticks, labels=labels, offset=offset))
    with open(OUT, 'w') as f:
        json.dump(dict(matplotlib=matplotlib.__version__, cases=cases), f, indent=1, ensure_ascii=False)
        f.write('\n')
    for c in cases:
        if c['nbins'] == 5:
            print(c['vmin'], c['vmax'], c['labels'], c['offset'])


if __name__ == '__main__':
    main()

"""Golden simplices of scipy's default Delaunay (qhull 2019.1 via scipy 1.10, options "Qbb Qc Qz Q12" + "Qt"), the
triangulation MNE 1.3's extrapolate='box' interpolates on, for the layouts of qhull-order.json.

Usage: /usr/bin/python3 scripts/golden/make_qhull_default_golden.py [GOLDEN_DIR]
Reads GOLDEN_DIR/qhull-order.json (default test/golden/topomap; its positions as committed, so the cases are
the same point sets bit for bit; plus a few collinear and 3-sensor layouts, listed with their positions) and
writes GOLDEN_DIR/qhull-default.json: per layout, the simplices of
Delaunay(pos) and of MNE's 'box' triangulation (`_get_extra_points(pos, 'box', ...)`: Delaunay of pos and its four
bounding-box corners), or null where scipy refuses the input; and MNE's final triangulations with 'head' (origin 0,
radii = the farthest sensor's distance) and 'local' (`_get_extra_points`: the incremental Delaunay of pos, then
`add_points` of the extra points), with those extra points.
"""
import json, os, sys, warnings
import numpy as np
import mne
from scipy.spatial import Delaunay
from mne.viz.topomap import _get_extra_points

warnings.simplefilter('ignore')
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
GOLDEN = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, 'test', 'golden', 'topomap')


def simplices(make):
    try:
        return [[int(v) for v in r] for r in make().simplices]
    except Exception as err:  # qhull refuses (e.g. flat input): nothing to compare
        print('  refused:', type(err).__name__)
        return None


# Layouts MNE triangulates at once even for 'head' and 'local' (collinear sensors, or 3): Delaunay(pos + extra)
LINES = {
    'line:x5': [[-0.04, 0.0], [-0.02, 0.0], [0.0, 0.0], [0.02, 0.0], [0.04, 0.0]],
    'line:diag6': [[0.01 * k, 0.005 * k] for k in range(-3, 3)],
    'line:vertical4': [[0.01, -0.03], [0.01, -0.01], [0.01, 0.01], [0.01, 0.03]],
    'line:x2': [[-0.03, 0.01], [0.03, 0.01]],
    'three:triangle': [[-0.03, -0.02], [0.035, -0.015], [0.0, 0.04]],
    'three:collinear': [[-0.03, 0.0], [0.0, 0.0], [0.03, 0.0]],
}

cases = []
layouts = [dict(name=c['name'], pos=c['pos']) for c in json.load(open(os.path.join(GOLDEN, 'qhull-order.json')))['cases']]
for c in layouts + [dict(name=k, pos=v, synthetic=True) for k, v in LINES.items()]:
    pos = np.ascontiguousarray(np.asarray(c['pos'], float))
    try:
        box = _get_extra_points(pos, 'box', (0., 0.), (1., 1.))[0]
    except Exception as err:  # noqa: BLE001 - flat corners (a horizontal or vertical line): scipy refuses
        print('  refused box', c['name'], type(err).__name__)
        box = np.zeros((0, 2))
    radius = float(np.max(np.linalg.norm(pos, axis=1)))
    case = dict(name=c['name'], box_corners=[[float(x), float(y)] for x, y in box],
                default_simplices=simplices(lambda: Delaunay(pos)),
                box_simplices=simplices(lambda: Delaunay(np.concatenate((pos, box)))) if len(box) else None,
                head_radius=radius)
    if c.get('synthetic'):
        case['pos'] = c['pos']
    # MNE's final triangulations for 'head' (origin 0, both radii = the farthest sensor) and 'local':
    # Delaunay(pos, incremental=True) then add_points(extra points)
    for mode in ('head', 'local'):
        try:
            extra, _, tri = _get_extra_points(pos, mode, (0., 0.), (radius, radius))
            case[mode] = dict(extra_points=[[float(x), float(y)] for x, y in extra],
                              simplices=[[int(v) for v in r] for r in tri.simplices])
        except Exception as err:  # noqa: BLE001 - scipy/MNE refuse (flat input): nothing to compare
            print('  refused', mode, type(err).__name__)
            case[mode] = None
    cases.append(case)
path = os.path.join(GOLDEN, 'qhull-default.json')
with open(path, 'w') as fh:
    json.dump(dict(mne_version=mne.__version__, scipy_options='Qbb Qc Qz Q12 Qt (Delaunay default)', cases=cases),
              fh, separators=(',', ':'))
print(path, len(cases), 'cases', os.path.getsize(path), 'bytes')

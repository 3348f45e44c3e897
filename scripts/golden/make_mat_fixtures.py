"""Small MATLAB v5 MAT-files written by scipy 1.10 (`scipy.io.savemat`) and what `scipy.io.loadmat` reads back.

Run with Debian's python: /usr/bin/python3 scripts/golden/make_mat_fixtures.py
Writes test/golden/mat/{plain,compressed}.mat and expected.json (values column-major, as MATLAB stores them).
"""
import json
import os

import numpy as np
import scipy.io as sio
import scipy.sparse

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, '..', '..', 'test', 'golden', 'mat')


def variables():
    cell = np.empty((1, 3), dtype=object)
    cell[0, 0] = np.array([[1.5]])
    cell[0, 1] = 'text'
    cell[0, 2] = np.array([[1, 2]], dtype=np.int16)
    chans = np.zeros((1, 2), dtype=[('labels', object), ('X', object), ('nested', object)])
    chans[0, 0] = ('Fp1', np.array([[80.5]]), {'a': np.array([[1.0]])})
    chans[0, 1] = ('Fz', np.zeros((0, 0)), {'a': np.array([[2.0]])})
    out = {
        'dbl': np.arange(6, dtype=float).reshape(2, 3) + 0.25,
        'sgl': np.array([[1.5, -2.25, 3e-5]], dtype=np.float32),
        'cplx': np.array([[1 + 2j, 3 - 4j]]),
        'lgc': np.array([[True, False, True]]),
        'txt': 'héllo wörld ✓',
        'chars': np.array(['ab', 'cd']),
        'empty': np.zeros((0, 0)),
        'cell': cell,
        'chans': chans,
        'sparse': scipy.sparse.csc_matrix(np.eye(3)),
    }
    for t in ('int8', 'uint8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'uint64'):
        info = np.iinfo(t)
        out[t] = np.array([[info.min, 0, 7, min(info.max, 2 ** 53)]], dtype=t)
    return out


def describe(v):
    """What loadmat read, as JSON: kind, class, MATLAB dims, column-major values."""
    if isinstance(v, str):
        return {'kind': 'char', 'text': v}
    if scipy.sparse.issparse(v):
        return {'kind': 'unsupported', 'cls': 'sparse'}
    if v.dtype.names:
        return {'kind': 'struct', 'dims': list(v.shape), 'fields': list(v.dtype.names),
                'elements': [{f: describe(e[f]) for f in v.dtype.names} for e in v.ravel(order='F')]}
    if v.dtype == object:
        return {'kind': 'cell', 'dims': list(v.shape), 'elements': [describe(e) for e in v.ravel(order='F')]}
    if v.dtype.kind == 'U':
        return {'kind': 'char', 'dims': [v.shape[0], int(v.dtype.itemsize // 4)],
                'text': ''.join(''.join(col) for col in zip(*[list(s) for s in v]))}
    flat = v.ravel(order='F')
    d = {'kind': 'numeric', 'cls': 'logical' if v.dtype == bool else str(v.dtype).replace('float64', 'double').replace('float32', 'single'),
         'dims': list(v.shape), 'real': [float(x) for x in flat.real]}
    if np.iscomplexobj(v):
        d['imag'] = [float(x) for x in flat.imag]
    return d


def main():
    os.makedirs(OUT, exist_ok=True)
    data = variables()
    expected = {}
    for name, compress in (('plain', False), ('compressed', True)):
        path = os.path.join(OUT, name + '.mat')
        sio.savemat(path, data, do_compression=compress, oned_as='row')
        back = sio.loadmat(path, mat_dtype=False)
        expected[name] = {k: describe(v) for k, v in back.items() if not k.startswith('__')}
    with open(os.path.join(OUT, 'expected.json'), 'w') as fh:
        json.dump(expected, fh, indent=1)
    for f in sorted(os.listdir(OUT)):
        print(f, os.path.getsize(os.path.join(OUT, f)))


if __name__ == '__main__':
    main()

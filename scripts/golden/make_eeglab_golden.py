"""Golden values for the EEGLAB reader: what MNE-Python 1.3 reads from every .set in shared/data/eeglab.

Run with Debian's python (has mne 1.3): /usr/bin/python3 scripts/golden/make_eeglab_golden.py
Writes test/golden/eeglab/<name>.json. MATLAB v7.3 (test_raw_h5.set) needs pymatreader in MNE 1.3, which is
not installable here; its golden is read with h5py following MNE's rules and checked against test_raw.set,
which is the same recording (both point at test_raw.fdt).
"""
import json
import os
import sys
from datetime import timedelta

import numpy as np
import mne

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, '..', '..'))
DATA = os.environ.get('LORIS_EPHYS_TESTDATA', os.path.join(ROOT, '..', 'shared', 'data'))
EEGLAB = os.path.join(DATA, 'eeglab')
OUT = os.path.join(ROOT, 'test', 'golden', 'eeglab')
WINDOW = 64
KIND_NAMES = {1: 'cardinal', 2: 'hpi', 3: 'eeg', 4: 'extra'}


def clean(x):
    """JSON-safe: NaN -> None, numpy -> lists/floats."""
    if isinstance(x, dict):
        return {k: clean(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [clean(v) for v in x]
    if isinstance(x, np.ndarray):
        return clean(x.tolist())
    if isinstance(x, (np.floating, float)):
        return None if np.isnan(x) else float(x)
    if isinstance(x, np.integer):
        return int(x)
    return x


def picks_for(n_ch):
    return sorted(set(np.linspace(0, n_ch - 1, min(8, n_ch)).round().astype(int).tolist()))


def windows(data, n_times):
    """[start, stop) windows at the start, middle and end."""
    w = min(WINDOW, n_times)
    mid = max(0, n_times // 2 - w // 2)
    return [(0, w), (mid, mid + w), (n_times - w, n_times)]


def info_part(inst):
    info = inst.info
    dig = info['dig'] or []
    return {
        'ch_names': info['ch_names'],
        'ch_types': inst.get_channel_types(),
        'sfreq': info['sfreq'],
        'loc': [ch['loc'] for ch in info['chs']],
        'coil_type': [int(ch['coil_type']) for ch in info['chs']],
        'dig': [{'kind': KIND_NAMES[int(d['kind'])], 'ident': int(d['ident']), 'r': d['r']} for d in dig],
    }


def raw_golden(fname, folder=EEGLAB):
    raw = mne.io.read_raw_eeglab(os.path.join(folder, fname), preload=False)
    n = raw.n_times
    picks = picks_for(len(raw.ch_names))
    out = info_part(raw)
    out.update(kind='raw', n_times=n, tmin=0.0, picks=picks, windows=[])
    for start, stop in windows(None, n):
        out['windows'].append({'start': start, 'stop': stop,
                               'data': raw.get_data(picks=picks, start=start, stop=stop)})
    ann = raw.annotations
    out['events'] = [{'onset': o, 'duration': d, 'description': s}
                     for o, d, s in zip(ann.onset, ann.duration, ann.description)]
    return out


def epochs_golden(fname):
    ep = mne.read_epochs_eeglab(os.path.join(EEGLAB, fname))
    data = np.concatenate(list(ep.get_data()), axis=1)  # trials concatenated in time
    n = data.shape[1]
    picks = picks_for(len(ep.ch_names))
    out = info_part(ep)
    out.update(kind='epochs', n_times=n, tmin=ep.tmin, picks=picks, n_trials=len(ep), n_epoch_times=len(ep.times),
               windows=[{'start': 0, 'stop': n, 'data': data[picks]}])
    id_to_name = {v: k for k, v in ep.event_id.items()}
    out['epoch_events'] = [{'sample': int(s), 'id': int(i), 'name': id_to_name[int(i)]} for s, _, i in ep.events]
    out['event_id'] = ep.event_id
    return out


def h5_string(f, ds):
    return ''.join(map(chr, ds[()].ravel()))


def h5_golden(fname, v5_golden):
    """MATLAB v7.3 .set read with h5py by MNE's rules (pymatreader is unavailable)."""
    import h5py
    with h5py.File(os.path.join(EEGLAB, fname), 'r') as f:
        eeg = f['EEG']
        nbchan, pnts = int(eeg['nbchan'][0, 0]), int(eeg['pnts'][0, 0])
        srate = float(eeg['srate'][0, 0])
        data_name = h5_string(f, eeg['data'])
        ev = eeg['event']
        events = []
        for i in range(ev['type'].shape[0]):
            typ = f[ev['type'][i, 0]]
            desc = h5_string(f, typ) if typ.attrs['MATLAB_class'] == b'char' else str(typ[()].item())
            lat = float(f[ev['latency'][i, 0]][()].item())
            # MNE's Raw.set_annotations crops, which puts onsets on a microsecond grid (datetime.timedelta).
            onset = timedelta(seconds=(lat - 1) / srate).total_seconds()
            events.append({'onset': onset, 'duration': 0.0, 'description': desc})
        chanlocs_empty = 'MATLAB_empty' in eeg['chanlocs'].attrs
    assert chanlocs_empty, 'expected no chanlocs in the v7.3 test file'
    fdt = np.fromfile(os.path.join(EEGLAB, data_name), dtype='<f4').reshape((nbchan, pnts), order='F')
    out = {
        'ch_names': ['EEG %03d' % i for i in range(nbchan)], 'ch_types': ['eeg'] * nbchan, 'sfreq': srate,
        'loc': [[float('nan')] * 12] * nbchan, 'coil_type': [1] * nbchan, 'dig': [],
        'kind': 'raw', 'n_times': pnts, 'tmin': 0.0, 'picks': picks_for(nbchan), 'windows': [],
        'events': events, 'data_file': data_name,
    }
    for start, stop in windows(None, pnts):
        out['windows'].append({'start': start, 'stop': stop,
                               'data': fdt[out['picks'], start:stop].astype(float) * 1e-6})
    # Same recording as test_raw.set: everything MNE read there must agree.
    for key in ('ch_names', 'sfreq', 'n_times', 'picks'):
        assert out[key] == v5_golden[key], key
    assert [e['description'] for e in events] == [e['description'] for e in v5_golden['events']]
    assert [e['onset'] for e in events] == [e['onset'] for e in v5_golden['events']]
    for a, b in zip(out['windows'], v5_golden['windows']):
        assert np.array_equal(np.asarray(a['data']), np.asarray(b['data']))
    return out


def write_synthetic_set(path):
    """A small .set of our own making (not third-party data) for what the shared files lack: fiducials in
    chaninfo.nodatchans, a channel with empty coordinates, channel types, numeric and out-of-range events,
    an empty event duration, and float32 data stored inside the .set."""
    import scipy.io as sio
    rng = np.random.default_rng(7)
    n_ch, n_times = 4, 40
    chanlocs = np.zeros((1, n_ch), dtype=[(f, object) for f in ('labels', 'type', 'X', 'Y', 'Z')])
    chanlocs[0, 0] = ('Fz', 'EEG', 60.0, 0.0, 60.0)
    chanlocs[0, 1] = ('C3', '', 0.0, 70.0, 45.0)
    chanlocs[0, 2] = ('Nowhere', 'eeg', np.zeros((0, 0)), np.zeros((0, 0)), np.zeros((0, 0)))
    chanlocs[0, 3] = ('HEOG', 'EOG', -10.0, 30.0, -20.0)
    nodat = np.zeros((1, 3), dtype=[(f, object) for f in ('labels', 'type', 'description', 'X', 'Y', 'Z')])
    nodat[0, 0] = ('Nz', 'FID', 'Nasion', 95.0, 0.0, 0.0)
    nodat[0, 1] = ('LPA', 'FID', 'Left periauricular point', 0.0, 80.0, 0.0)
    nodat[0, 2] = ('RPA', 'FID', 'Right periauricular point', 0.0, -80.0, 0.0)
    chaninfo = np.zeros((1, 1), dtype=[('nodatchans', object)])
    chaninfo[0, 0] = (nodat,)
    event = np.zeros((1, 4), dtype=[(f, object) for f in ('type', 'latency', 'duration')])
    event[0, 0] = ('start', 1.0, np.zeros((0, 0)))
    event[0, 1] = (7.0, 10.5, 2.0)
    event[0, 2] = ('late', 38.0, 10.0)
    event[0, 3] = ('beyond', 100.0, 0.0)
    eeg = {
        'setname': 'synthetic', 'nbchan': float(n_ch), 'trials': 1.0, 'pnts': float(n_times), 'srate': 100.0,
        'xmin': 0.0, 'xmax': (n_times - 1) / 100.0,
        'data': (rng.standard_normal((n_ch, n_times)) * 20).astype(np.float32),
        'chanlocs': chanlocs, 'chaninfo': chaninfo, 'event': event,
    }
    sio.savemat(path, {'EEG': eeg}, do_compression=True, oned_as='row')


def main():
    mne.set_log_level('ERROR')
    os.makedirs(OUT, exist_ok=True)
    goldens = {}
    for fname in ('test_raw.set', 'test_raw_chanloc.set', 'test_raw_2021.set'):
        goldens[fname] = raw_golden(fname)
    goldens['test_epochs.set'] = epochs_golden('test_epochs.set')
    goldens['test_raw_h5.set'] = h5_golden('test_raw_h5.set', goldens['test_raw.set'])
    write_synthetic_set(os.path.join(OUT, 'synthetic_fid.set'))
    goldens['synthetic_fid.set'] = raw_golden('synthetic_fid.set', OUT)
    for fname, g in goldens.items():
        g['file'] = fname
        g['mne_version'] = mne.__version__
        path = os.path.join(OUT, fname.replace('.set', '.json'))
        with open(path, 'w') as fh:
            json.dump(clean(g), fh, separators=(',', ':'))
        print(path, os.path.getsize(path), 'bytes', file=sys.stderr)


if __name__ == '__main__':
    main()

# Golden values for the FIF reader (lib/readers/fif), computed by MNE-Python 1.3.
# Usage (Debian python with python3-mne): /usr/bin/python3 scripts/golden/make_fif_golden.py [DATA_DIR]
# Writes test/golden/fif/<name>.json for each recording, plus a small synthetic FIF written by MNE
# (test/golden/fif/synthetic_long_names_raw.fif: long channel names, acquisition skips, float64 buffers).
import json, os, sys, warnings
import numpy as np
import mne
from mne.io.pick import channel_type
from mne.transforms import apply_trans

mne.set_log_level('ERROR')
warnings.simplefilter('ignore')

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
DATA = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, '..', 'shared', 'data')
OUT = os.path.join(ROOT, 'test', 'golden', 'fif')
SYNTH = os.path.join(OUT, 'synthetic_long_names_raw.fif')
SYNTH_ANNOT = os.path.join(OUT, 'synthetic_annotations_raw.fif')
PICKS_PER_TYPE = 10
WINDOW = 20
UNITS = {107: 'V', 112: 'T', 201: 'T/m'}
DIG_KINDS = {1: 'cardinal', 2: 'hpi', 3: 'eeg', 4: 'extra'}
FRAMES = {1: 'device', 4: 'head'}


def flist(a):
    """Floats for JSON, NaN as null."""
    return [None if np.isnan(v) else float(v) for v in np.asarray(a, dtype=np.float64).ravel()]


def channel_entry(info, idx):
    ch = info['chs'][idx]
    ctype = channel_type(info, idx)
    loc = np.asarray(ch['loc'], dtype=np.float64)
    entry = dict(name=ch['ch_name'], type=ctype, coil_type=int(ch['coil_type']) & 0xFFFF,
                 unit=UNITS.get(int(ch['unit']), ''), loc=[None if np.isnan(v) else float(v) for v in loc],
                 coord_frame=FRAMES.get(int(ch['coord_frame']), 'unknown'))
    if ctype in ('mag', 'grad', 'ref_meg') and info['dev_head_t'] is not None:
        t = info['dev_head_t']['trans']
        entry['head_pos'] = flist(apply_trans(t, loc[:3]))
        entry['head_ex'] = flist(t[:3, :3] @ loc[3:6])
        entry['head_ey'] = flist(t[:3, :3] @ loc[6:9])
        entry['head_ez'] = flist(t[:3, :3] @ loc[9:12])
    elif ctype == 'eeg':
        entry['head_pos'] = flist(loc[:3])
    return entry


def info_entry(info):
    dig = info['dig'] or []
    fid = {int(d['ident']): flist(d['r']) for d in dig if int(d['kind']) == 1}
    return dict(
        sfreq=float(info['sfreq']),
        nchan=int(info['nchan']),
        channels=[channel_entry(info, i) for i in range(info['nchan'])],
        bads=list(info['bads']),
        dev_head_t=None if info['dev_head_t'] is None else [flist(r) for r in info['dev_head_t']['trans']],
        dig=[dict(kind=DIG_KINDS.get(int(d['kind']), 'extra'), ident=int(d['ident']), r=flist(d['r']),
                  coord_frame=FRAMES.get(int(d['coord_frame']), 'unknown')) for d in dig],
        fiducials=dict(lpa=fid.get(1), nasion=fid.get(2), rpa=fid.get(3)),
        projectors=[dict(desc=p['desc'], kind=int(p['kind']), active=bool(p['active']),
                         ch_names=list(p['data']['col_names']), vectors=[flist(r) for r in p['data']['data']])
                    for p in info['projs']],
        compensation_grade=info.compensation_grade,
    )


def pick_per_type(info):
    """Up to PICKS_PER_TYPE channels of each type, spread over the channel list."""
    types = [channel_type(info, i) for i in range(info['nchan'])]
    picks = []
    for t in sorted(set(types)):
        idx = [i for i, tt in enumerate(types) if tt == t]
        sel = np.unique(np.linspace(0, len(idx) - 1, min(PICKS_PER_TYPE, len(idx))).round().astype(int))
        picks += [idx[s] for s in sel]
    return sorted(picks)


def windows(n_times, boundaries):
    """start, middle, end, and across each given buffer boundary (sample indices relative to sample 0)."""
    w = [(0, WINDOW), (n_times // 2 - WINDOW // 2, n_times // 2 + WINDOW // 2), (n_times - WINDOW, n_times)]
    for b in boundaries:
        if WINDOW // 2 <= b <= n_times - WINDOW // 2:
            w.append((b - WINDOW // 2, b + WINDOW // 2))
    return [(int(a), int(b)) for a, b in w]


def raw_golden(path):
    raw = mne.io.read_raw_fif(path, allow_maxshield=False)
    info = raw.info
    bounds = raw._raw_extras[0]['bounds'] - raw.first_samp
    skips = [e is None for e in raw._raw_extras[0]['ent']]
    picks = pick_per_type(info)
    out = info_entry(info)
    ann = raw.annotations
    out['annotations'] = [[float(o - raw.first_time), float(d), str(t)]
                          for o, d, t in zip(ann.onset, ann.duration, ann.description)]
    out.update(kind='raw', n_times=int(raw.n_times), first_samp=int(raw.first_samp),
               buffer_bounds=[int(b) for b in bounds], buffer_is_skip=skips, picks=picks,
               windows=[])
    # Two ordinary buffer boundaries, plus the edges of every skip, plus one window spanning a whole skip.
    edges = list(bounds[1:3]) + [bounds[i + d] for i, s in enumerate(skips) if s for d in (0, 1)]
    wins = windows(raw.n_times, sorted(set(int(e) for e in edges)))
    wins += [(int(bounds[i]) - 5, int(bounds[i + 1]) + 5) for i, s in enumerate(skips) if s]
    for start, stop in wins:
        data = raw.get_data(picks=picks, start=start, stop=stop)
        out['windows'].append(dict(start=start, stop=stop, data=[flist(r) for r in data]))
    return out


def evoked_golden(path):
    evs = mne.read_evokeds(path, proj=False)
    ev = evs[0]
    info = ev.info
    picks = pick_per_type(info)
    out = info_entry(info)
    out.update(kind='evoked', n_times=len(ev.times), first=int(ev.first), last=int(ev.last),
               tmin=float(ev.times[0]), conditions=[dict(comment=e.comment, nave=int(e.nave)) for e in evs],
               picks=picks, windows=[])
    wins = windows(len(ev.times), [len(ev.times) // 3])
    for cond in (0, 2):
        noproj = mne.read_evokeds(path, condition=cond, proj=False)
        withproj = mne.read_evokeds(path, condition=cond, proj=True)
        for start, stop in wins:
            out['windows'].append(dict(condition=cond, start=start, stop=stop,
                                       data=[flist(r) for r in noproj.data[picks, start:stop]],
                                       data_proj=[flist(r) for r in withproj.data[picks, start:stop]]))
    return out


def write_synthetic():
    """A small MNE-written raw FIF: names > 15 characters (extended CH_INFO blocks), a bad and an average-reference
    projector naming them, two acquisition skips (DATA_SKIP tags), float64 buffers and first_samp 100."""
    rng = np.random.RandomState(0)
    names = ['EEG-long-channel-name-%03d' % i for i in range(6)] + ['MAG-long-sensor-name-1', 'STI-short']
    types = ['eeg'] * 6 + ['mag', 'stim']
    info = mne.create_info(names, 250.0, types)
    for i in range(6):
        info['chs'][i]['loc'][:3] = [0.07 * np.cos(i), 0.07 * np.sin(i), 0.04 + 0.001 * i]
    info['chs'][6]['loc'][:] = [0.0, 0.01, 0.1, 1, 0, 0, 0, 1, 0, 0, 0, 1]
    info['bads'] = [names[2]]
    with info._unlock():
        info['dev_head_t'] = mne.transforms.Transform('meg', 'head', mne.transforms.translation(0.0, 0.01, 0.04))
    data = rng.randn(len(names), 1000) * np.array([1e-5] * 6 + [1e-12, 1])[:, None]
    raw = mne.io.RawArray(data, info, first_samp=100)
    raw.set_eeg_reference('average', projection=True)
    # Skips aligned with 100-sample buffers: samples 200-399 and 700-799 (relative to sample 0).
    onset = raw.first_samp / raw.info['sfreq']
    raw.set_annotations(mne.Annotations([onset + 200 / 250.0, onset + 700 / 250.0], [200 / 250.0, 100 / 250.0],
                                        ['BAD_ACQ_SKIP'] * 2))
    raw.save(SYNTH, buffer_size_sec=100 / 250.0, fmt='double', overwrite=True)


def proj_and_name_cases():
    """MNE's _make_projector on crafted projector sets, and _unique_channel_names on crafted name lists."""
    from mne.io.proj import Projection, _make_projector
    from mne.io.meas_info import _unique_channel_names
    rng = np.random.RandomState(1)
    names = ['C%d' % i for i in range(6)]

    def proj(desc, kind, cols, vecs):
        vecs = np.atleast_2d(np.asarray(vecs, dtype=np.float64))
        return Projection(kind=kind, active=False, desc=desc, explained_var=None,
                          data=dict(nrow=len(vecs), ncol=len(cols), row_names=None, col_names=list(cols), data=vecs))

    base = rng.randn(5)
    cases = [
        ('average reference over 4 channels, one bad', [proj('avg', 10, names[:4], np.ones(4) / 2)], ['C1']),
        ('nearly dependent second vector is dropped',
         [proj('a', 1, names[1:], base), proj('b', 1, names[1:], base + 1e-4 * rng.randn(5))], []),
        ('projector over absent channels gives the identity', [proj('x', 1, ['Z1', 'Z2'], [1.0, 2.0])], []),
        ('three random vectors and an average reference',
         [proj('r', 1, names[:5], rng.randn(3, 5)), proj('avg', 10, names, np.ones(6))], ['C5']),
    ]
    out = []
    for title, projs, bads in cases:
        P, nproj, _ = _make_projector(projs, names, bads)
        out.append(dict(title=title, ch_names=names, bads=bads, nproj=int(nproj), P=[flist(r) for r in P],
                        projectors=[dict(desc=p['desc'], kind=int(p['kind']), active=False,
                                         ch_names=p['data']['col_names'],
                                         vectors=[flist(r) for r in p['data']['data']]) for p in projs]))
    name_lists = [['A', 'A', 'B', 'A-0'], ['X', 'X', 'X'], ['', '', 'Y']]
    uniq = [dict(input=n, output=_unique_channel_names(list(n))) for n in name_lists]
    with open(os.path.join(OUT, 'proj_cases.json'), 'w') as f:
        json.dump(dict(projectors=out, unique_names=uniq, mne_version=mne.__version__), f, indent=1)


def write_synthetic_annotations():
    """A small MNE-written raw FIF with a measurement date and annotations, whose onset/end arrays are then patched
    so that one annotation starts before the data, one ends after them and one lies wholly outside (MNE crops these
    on reading)."""
    from mne.io.open import fiff_open
    info = mne.create_info(['EEG 001', 'EEG 002', 'STI 014'], 100.0, ['eeg', 'eeg', 'stim'])
    data = np.random.RandomState(2).randn(3, 500) * np.array([1e-5, 1e-5, 1])[:, None]
    raw = mne.io.RawArray(data, info, first_samp=50)
    raw.set_meas_date((1_600_000_000, 123_456))
    ft = raw.first_time
    raw.set_annotations(mne.Annotations(
        [ft + 0.5, ft + 1.25, ft + 2.0, ft + 3.0, ft + 4.0], [1.0, 0.0, 0.5, 0.25, 0.5],
        ['start', 'a:colon', 'middle', 'late', 'end'], orig_time=raw.info['meas_date']))
    raw.save(SYNTH_ANNOT, fmt='single', overwrite=True)
    fid, _, directory = fiff_open(SYNTH_ANNOT)
    fid.close()
    pos = {t.kind: t.pos for t in directory}
    with open(SYNTH_ANNOT, 'r+b') as f:
        # onsets (relative to meas_date): first before the data start; last wholly after the data end
        f.seek(pos[3568] + 16)
        f.write(np.array([ft - 0.5, ft + 1.25, ft + 2.0, ft + 3.0, ft + 7.0], '>f4').tobytes())
        # ends: the fourth annotation now runs past the data end (5 s)
        f.seek(pos[3569] + 16)
        f.write(np.array([ft + 0.5, ft + 1.25, ft + 2.5, ft + 6.0, ft + 7.5], '>f4').tobytes())


def main():
    os.makedirs(OUT, exist_ok=True)
    proj_and_name_cases()
    write_synthetic()
    write_synthetic_annotations()
    recordings = {
        'test-ave': (os.path.join(DATA, 'fif', 'test-ave.fif.gz'), evoked_golden),
        'sim_vectorview_raw': (os.path.join(DATA, 'fif', 'sim_vectorview_raw.fif'), raw_golden),
        'test_ctf_comp_raw': (os.path.join(DATA, 'fif', 'test_ctf_comp_raw.fif'), raw_golden),
        'brainvision_test_bin_raw': (os.path.join(DATA, 'fif', 'brainvision_test_bin_raw.fif'), raw_golden),
        'testdata_ctf_short_discontinuous.ds_raw': (
            os.path.join(DATA, 'ctf', 'testdata_ctf_short_discontinuous.ds_raw.fif'), raw_golden),
        'synthetic_long_names_raw': (SYNTH, raw_golden),
        'synthetic_annotations_raw': (SYNTH_ANNOT, raw_golden),
    }
    for name, (path, fn) in recordings.items():
        out = fn(path)
        out['source'] = (os.path.relpath(path, DATA) if path not in (SYNTH, SYNTH_ANNOT)
                         else os.path.relpath(path, ROOT))
        out['mne_version'] = mne.__version__
        dest = os.path.join(OUT, name + '.json')
        with open(dest, 'w') as f:
            json.dump(out, f, separators=(',', ':'), allow_nan=False)
        print(name, os.path.getsize(dest), 'bytes')


if __name__ == '__main__':
    main()

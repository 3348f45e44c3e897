# Golden values for lib/core/dsp (FIR design, zero-phase filtering, Welch PSD, ERP/metrics), computed by
# MNE-Python 1.3 on the shared test recordings.
# Usage (Debian python3 with python3-mne):
#   /usr/bin/python3 scripts/golden/make_dsp_golden.py [DATA_DIR] [OUT_DIR]
# DATA_DIR defaults to ../shared/data, OUT_DIR to test/golden/dsp. Stores a handful of channels of input (whole
# recordings are short: 7.9 s and 6 s) and MNE's outputs; the recordings themselves are never copied.
import json
import os
import sys
import warnings

import numpy as np
import mne
from mne.filter import create_filter
from mne.time_frequency import psd_array_welch
from mne.utils.numerics import _time_mask

mne.set_log_level('ERROR')
warnings.simplefilter('ignore')

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, '..', '..'))
DATA = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, '..', 'shared', 'data')
OUT = sys.argv[2] if len(sys.argv) > 2 else os.path.join(ROOT, 'test', 'golden', 'dsp')

BV_CHANNELS = ['FP1', 'C3', 'Cz', 'O2']
EDF_CHANNELS = ['A1', 'C5', 'F12']
FULL_TAPS_MAX = 7000  # longer filters are stored as a sample of taps (file size)
FILTER_PAIRS = [(1.0, 40.0), (0.5, None), (None, 30.0), (8.0, 12.0)]
BANDS = {'delta': (0, 4), 'theta': (4, 8), 'alpha': (8, 12), 'beta': (12, 30), 'gamma': (30, 45)}


def read_bv():
    return mne.io.read_raw_brainvision(os.path.join(DATA, 'brainvision', 'test.vhdr'), preload=True)


def read_edf():
    return mne.io.read_raw_edf(os.path.join(DATA, 'edf', 'test.edf'), preload=True)


def write(name, obj):
    os.makedirs(OUT, exist_ok=True)
    path = os.path.join(OUT, name)
    with open(path, 'w') as f:
        json.dump(obj, f, separators=(',', ':'), allow_nan=False)
    print(f'{path}: {os.path.getsize(path) / 1e3:.0f} kB')


def as_list(a):
    return [float(v) for v in np.asarray(a, float).ravel()]


def fir_case(sfreq, l_freq, h_freq):
    """MNE's default FIR ('auto' lengths and transitions, hamming, firwin) or the error message it raises."""
    try:
        h = create_filter(None, sfreq, l_freq, h_freq, method='fir', phase='zero', fir_window='hamming',
                          fir_design='firwin')
    except ValueError as err:
        return dict(sfreq=sfreq, l_freq=l_freq, h_freq=h_freq, error=str(err))
    case = dict(sfreq=sfreq, l_freq=l_freq, h_freq=h_freq, length=len(h), sum=float(h.sum()))
    if len(h) <= FULL_TAPS_MAX:
        case['h'] = as_list(h)
    else:
        c = len(h) // 2
        idx = sorted(set(range(0, 40)) | set(range(c - 40, c + 41)) | set(range(len(h) - 40, len(h)))
                     | set(range(0, len(h), 97)))
        case['sample_idx'] = idx
        case['sample'] = as_list(h[idx])
    return case


def make_fir():
    cases = []
    for sfreq in (1000.0, 512.0):
        for l_freq, h_freq in FILTER_PAIRS + [(12.0, 8.0), (40.0, 20.0), (0.1, None), (2.0, None), (3.0, 70.0), (50.0, 45.0)]:
            cases.append(fir_case(sfreq, l_freq, h_freq))
    cases.append(fir_case(512.0, None, 250.0))  # h_trans limited by Nyquist - h_freq
    cases.append(fir_case(250.0, 1.0, 124.0))
    for l_freq, h_freq in [(None, 500.0), (None, 600.0), (-1.0, None), (1.0, 500.0), (0.0, 40.0)]:
        cases.append(fir_case(1000.0, l_freq, h_freq))
    write('fir.json', dict(cases=cases))


def filter_golden(raw, channels, name, window_len):
    """raw.filter on the whole recording, then the start, middle and end windows of the result."""
    raw = raw.copy().pick(channels)
    n = raw.n_times
    data = raw.get_data()
    n = int(n)
    wins = {'start': [0, window_len], 'middle': [(n - window_len) // 2, (n - window_len) // 2 + window_len],
            'end': [n - window_len, n]}
    cases = []
    for l_freq, h_freq in FILTER_PAIRS:
        filt = raw.copy().filter(l_freq, h_freq, method='fir', phase='zero', fir_window='hamming',
                                 fir_design='firwin').get_data()
        cases.append(dict(l_freq=l_freq, h_freq=h_freq,
                          windows={k: [as_list(filt[c, a:b]) for c in range(len(channels))]
                                   for k, (a, b) in wins.items()}))
    write(f'filter_{name}.json', dict(sfreq=raw.info['sfreq'], channels=channels, n_times=int(n), windows=wins,
                                      data=[as_list(d) for d in data], cases=cases))


def welch_golden(raw, channels, name, spans):
    """psd_array_welch (raw.compute_psd defaults, n_fft capped at n_times) and band means over windows."""
    raw = raw.copy().pick(channels)
    sfreq = raw.info['sfreq']
    out = []
    for start, stop in spans:
        x = raw.get_data(start=start, stop=stop)
        n_fft = min(256, x.shape[-1])
        psd, freqs = psd_array_welch(x, sfreq, n_fft=n_fft, n_overlap=0, window='hamming', average='mean')
        bands = {}
        for band, (fmin, fmax) in BANDS.items():
            mask = (fmin < freqs) & (freqs < fmax)
            if not mask.any():  # MNE raises 'No frequencies in band'
                bands[band] = dict(empty=True)
                continue
            mean = psd[:, mask].mean(axis=1)
            bands[band] = dict(mean=as_list(mean), dB=as_list(10 * np.log10(mean)),
                               normalized=as_list((psd / psd.sum(-1, keepdims=True))[:, mask].sum(1)))
        entry = dict(start=start, stop=stop, n_fft=n_fft, data=[as_list(d) for d in x], freqs=as_list(freqs),
                     psd=[as_list(p) for p in psd], bands=bands)
        if stop - start >= 256:  # the same through the public API (tmax is inclusive, hence the last sample)
            spec = raw.compute_psd(method='welch', tmin=start / sfreq, tmax=(stop - 1) / sfreq)
            entry['compute_psd_max_abs_diff'] = float(np.abs(spec.get_data() - psd).max())
        out.append(entry)
    write(f'welch_{name}.json', dict(sfreq=sfreq, channels=channels, windows=out))


def erp_golden(raw):
    """Epochs around Stimulus/S255 and Event/254 markers with baseline (None, 0), averaged."""
    channels = BV_CHANNELS
    raw = raw.copy().pick(channels)
    events, event_id = mne.events_from_annotations(raw)
    cases = []
    # the last case includes the Optic marker 0.2 s before the end, which MNE drops (epoch outside the data)
    for labels, tmin, tmax, baseline in [(['Stimulus/S255'], -0.2, 0.5, (None, 0)),
                                         (['Event/254'], -0.1, 0.3, (-0.05, 0.0)),
                                         (['Stimulus/S253'], -0.15, 0.2, None),
                                         (['Stimulus/S255', 'Optic/O  1'], -0.1, 0.25, (None, 0))]:
        ids = {label: event_id[label] for label in labels}
        ep = mne.Epochs(raw, events, ids, tmin=tmin, tmax=tmax, baseline=baseline, preload=True,
                        reject_by_annotation=False, proj=False)
        evoked = ep.average()
        cases.append(dict(labels=labels, tmin=tmin, tmax=tmax, baseline=baseline,
                          onsets=[int(s) for s in events[np.isin(events[:, 2], list(ids.values())), 0]],
                          kept=[int(s) for s in ep.events[:, 0]], times=as_list(evoked.times),
                          average=[as_list(d) for d in evoked.data],
                          first_epoch=[as_list(d) for d in ep.get_data()[0]]))
    write('erp_bv.json', dict(sfreq=raw.info['sfreq'], channels=channels, n_times=int(raw.n_times),
                              data=[as_list(d) for d in raw.get_data()], cases=cases))


def reference_and_times_golden(raw):
    """Average reference over good EEG channels (one bad), and _time_mask selections."""
    raw = raw.copy().crop(2.0, 2.099)
    raw.info['bads'] = ['FP1']
    before = raw.get_data()
    after = raw.copy().set_eeg_reference('average', projection=False).get_data()
    sfreq = raw.info['sfreq']
    times = raw.times
    singles = []
    for t in [0.0, 0.0004, 0.0005, 0.0015, 0.0025, 0.05049, 0.05051, 0.099, 0.0994]:
        mask = _time_mask(times, t, t, sfreq=sfreq)
        singles.append(dict(t=t, indices=[int(i) for i in np.where(mask)[0]]))
    # plot_evoked_topomap: the first sample of _time_mask(times, t, None), then average=w over
    # tmin_ < times < tmax_ centred on that sample's time (viz/topomap.py, MNE 1.3)
    topomap_times = []
    for t, w in [(0.0, None), (0.0205, None), (0.02049, 0.01), (0.05, 0.004), (0.05, 0.0045), (0.099, 0.02)]:
        idx = int(np.where(_time_mask(times, tmin=t, tmax=None, sfreq=sfreq))[0][0])
        entry = dict(t=t, average=w, index=idx)
        if w is not None:
            this_time = times[idx]
            mask = (this_time - w / 2 < times) & (times < this_time + w / 2)
            entry['indices'] = [int(i) for i in np.where(mask)[0]]
        topomap_times.append(entry)
    spans = []
    for tmin, tmax in [(0.0, 0.05), (0.0104, 0.0206), (0.0105, 0.0205), (-0.01, 0.2), (0.02, 0.02)]:
        mask = _time_mask(times, tmin, tmax, sfreq=sfreq)
        spans.append(dict(tmin=tmin, tmax=tmax, indices=[int(i) for i in np.where(mask)[0]]))
    write('reference_bv.json', dict(sfreq=sfreq, channels=raw.ch_names, types=raw.get_channel_types(),
                                    bads=raw.info['bads'], times=as_list(times),
                                    before=[as_list(d) for d in before], after=[as_list(d) for d in after],
                                    single_times=singles, topomap_times=topomap_times, spans=spans))


def main():
    bv = read_bv()
    edf = read_edf()
    make_fir()
    filter_golden(bv, BV_CHANNELS, 'bv', 400)
    filter_golden(edf, EDF_CHANNELS, 'edf', 256)
    welch_golden(bv, BV_CHANNELS, 'bv', [(2000, 4000), (5000, 5200)])
    welch_golden(edf, EDF_CHANNELS, 'edf', [(1024, 2048)])
    erp_golden(bv)
    reference_and_times_golden(bv)


if __name__ == '__main__':
    main()

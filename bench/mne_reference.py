# MNE-Python 1.3 side of the benchmarks, run in the same session as ours (Debian's /usr/bin/python3).
# Usage: python3 bench/mne_reference.py sensors <file> [<file>...] | topomap <evoked.fif.gz> <t> <runs>
#        | map '<json spec>' <runs>   (the same map as one of bench:topomap's cases, see map_maker)
#        | serve-map '<json spec>'     (those maps on request, interleaved with ours: see serve_map)
# Prints one JSON object with medians in milliseconds (serve-map: one per request line).
import io, json, statistics, sys, time, warnings
import numpy as np
import matplotlib
matplotlib.use('Agg')
import matplotlib.pyplot as plt
import mne

mne.set_log_level('ERROR')
warnings.simplefilter('ignore')


def read(path):
    if path.endswith('.ds'):
        return mne.io.read_raw_ctf(path, verbose=False)
    if path.endswith('-ave.fif.gz') or path.endswith('-ave.fif'):
        return mne.read_evokeds(path, condition=0)
    return mne.io.read_raw(path, verbose=False)


def sensors(info):
    # What the sensors route gives: every channel's position and orientation in the head frame.
    t = info['dev_head_t']['trans'] if info['dev_head_t'] is not None else np.eye(4)
    out = []
    for ch in info['chs']:
        loc = ch['loc']
        is_meg = ch['kind'] in (1, 301)
        r = t[:3, :3] @ loc[:3] + t[:3, 3] if is_meg else loc[:3]
        ez = t[:3, :3] @ loc[9:12] if is_meg else None
        out.append({'name': ch['ch_name'], 'position': r.tolist(), 'ez': None if ez is None else ez.tolist()})
    return json.dumps(out)


def bench_sensors(paths, runs=15):
    result = {}
    for p in paths:
        times = []
        for _ in range(runs):
            t0 = time.perf_counter()
            sensors(read(p).info)
            times.append((time.perf_counter() - t0) * 1e3)
        result[p] = {'medianMs': statistics.median(times)}
    return result


def bench_topomap(path, t, runs):
    ev = mne.read_evokeds(path, condition=0)
    ev.pick('eeg', exclude='bads')
    data = ev.data[:, ev.time_as_index(t)[0]]
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fig, ax = plt.subplots(figsize=(5.12, 5.12), dpi=100)
        mne.viz.plot_topomap(data, ev.info, axes=ax, contours=6, sensors=True, show=False)
        buf = io.BytesIO()
        fig.savefig(buf, format='png', dpi=100)
        plt.close(fig)
        times.append((time.perf_counter() - t0) * 1e3)
    times.sort()
    return {'medianMs': statistics.median(times), 'p95Ms': times[int(0.95 * (len(times) - 1))], 'runs': runs}


def picks_of(info, kind):
    # The channels our route maps for `type`: EEG, or the magnetometers without CTF's reference sensors.
    if kind == 'eeg':
        return mne.pick_types(info, meg=False, eeg=True, exclude='bads')
    return mne.pick_types(info, meg=kind, ref_meg=False, exclude='bads')


def map_maker(spec):
    # One of bench:topomap's maps made by MNE: returns make(i), which makes map i and returns its milliseconds.
    # Each i is a new window as our warm maps are (t moved by 0.1 ms, or tmin and tmax by 0.5 ms): the window's
    # values read from the open recording (its mean for raw files), then plot_topomap at 512 px with 6 contours and
    # the sensors, saved as PNG. spec: file, type ('eeg' | 'mag'), t (evoked) or tmin and tmax (raw), montage
    # (positions for files that have none, as our route finds them).
    inst = read(spec['file'])
    if spec.get('montage'):
        inst.set_montage(spec['montage'], match_case=False, on_missing='ignore')
    picks = picks_of(inst.info, spec['type'])
    info = mne.pick_info(inst.info, picks)
    evoked = isinstance(inst, mne.Evoked)

    def make(i):
        t0 = time.perf_counter()
        if evoked:
            data = inst.data[picks, inst.time_as_index(spec['t'] + i * 1e-4)[0]]
        else:
            start, stop = inst.time_as_index([spec['tmin'] + i * 5e-4, spec['tmax'] + i * 5e-4])
            data = inst.get_data(picks=picks, start=start, stop=stop).mean(axis=1)
        fig, ax = plt.subplots(figsize=(5.12, 5.12), dpi=100)
        mne.viz.plot_topomap(data, info, axes=ax, contours=6, sensors=True, show=False)
        buf = io.BytesIO()
        fig.savefig(buf, format='png', dpi=100)
        plt.close(fig)
        return (time.perf_counter() - t0) * 1e3

    return make, len(picks)


def bench_map(spec, runs):
    make, channels = map_maker(spec)
    times = sorted(make(i) for i in range(runs))
    return {'medianMs': statistics.median(times), 'channels': channels, 'runs': runs}


def serve_map(spec):
    # The same maps on request, so a benchmark can interleave them with its own: makes three maps untimed, prints
    # {"ready": channels}, then for each line n read from stdin makes the next n maps and prints {"ms": [...]};
    # ends at the end of its input.
    make, channels = map_maker(spec)
    for k in range(1, 4):
        make(-k)  # untimed, as our warm maps follow a few requests of their own: matplotlib's first figure is slow
    print(json.dumps({'ready': channels}), flush=True)
    i = 0
    for line in sys.stdin:
        n = max(0, min(int(line), 1000))
        print(json.dumps({'ms': [make(i + k) for k in range(n)]}), flush=True)
        i += n


if __name__ == '__main__':
    mode = sys.argv[1]
    if mode == 'sensors':
        print(json.dumps(bench_sensors(sys.argv[2:])))
    elif mode == 'map':
        print(json.dumps(bench_map(json.loads(sys.argv[2]), int(sys.argv[3]))))
    elif mode == 'serve-map':
        serve_map(json.loads(sys.argv[2]))
    else:
        print(json.dumps(bench_topomap(sys.argv[2], float(sys.argv[3]), int(sys.argv[4]))))

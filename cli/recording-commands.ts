/** `info`, `sensors` and `read`: a recording on disk, through the same library as the routes. */
import { resolve } from 'node:path';
import { describeRecording } from '../lib/core/describe';
import { sensorsResponse, type Frame } from '../lib/core/sensors';
import { openForHandler } from '../lib/service/open-recording';
import { registerCommand, runCommand, stringOption, UsageError, type ParsedArgs } from './commands';

const onePath = (args: ParsedArgs): string => {
  if (args.positionals.length !== 1) throw new UsageError('expected exactly one recording path');
  return resolve(args.positionals[0] as string);
};

const print = (value: unknown): void => {
  process.stdout.write(JSON.stringify(value, null, 1) + '\n');
};

registerCommand('info', {
  usage: 'info <path>',
  summary: 'describe a recording (channels by type, rate, duration, positions source)',
  options: {},
  run: (args) =>
    runCommand(async () => {
      const path = onePath(args);
      const opened = await openForHandler(path);
      try {
        print(describeRecording(opened.info, opened.positionSource, (await opened.readEvents()).length));
      } finally {
        await opened.recording.close();
      }
    }),
});

registerCommand('sensors', {
  usage: 'sensors <path> [--frame head|device] [--types a,b]',
  summary: 'sensor/electrode positions as the sensors route gives them',
  options: { frame: { type: 'string' }, types: { type: 'string' } },
  optionHelp: [
    ['--frame head|device', 'coordinate frame (default head)'],
    ['--types a,b', 'sensor types to keep (e.g. eeg,mag,grad)'],
  ],
  run: (args) =>
    runCommand(async () => {
      const frame = stringOption(args, 'frame') ?? 'head';
      if (frame !== 'head' && frame !== 'device') throw new UsageError('--frame must be head or device');
      const types = stringOption(args, 'types')?.split(',').filter(Boolean);
      const opened = await openForHandler(onePath(args));
      try {
        print(
          sensorsResponse(opened.info, {
            frame: frame as Frame,
            types,
            positionSource: opened.positionSource,
          }),
        );
      } finally {
        await opened.recording.close();
      }
    }),
});

registerCommand('read', {
  usage: 'read <path> --tmin S --tmax S [--picks a,b]',
  summary: 'samples of a window in SI units as JSON',
  options: { tmin: { type: 'string' }, tmax: { type: 'string' }, picks: { type: 'string' } },
  optionHelp: [
    ['--tmin S', 'window start in seconds'],
    ['--tmax S', 'window end in seconds (> tmin)'],
    ['--picks a,b', 'channel names (default all)'],
  ],
  run: (args) =>
    runCommand(async () => {
      const tmin = Number(stringOption(args, 'tmin') ?? NaN);
      const tmax = Number(stringOption(args, 'tmax') ?? NaN);
      if (!Number.isFinite(tmin) || !Number.isFinite(tmax) || tmax <= tmin) {
        throw new UsageError('--tmin and --tmax must be numbers with tmin < tmax');
      }
      const opened = await openForHandler(onePath(args));
      try {
        const { info } = opened;
        const names = stringOption(args, 'picks')?.split(',').filter(Boolean);
        const picks = names
          ? names.map((n) => {
              const i = info.channels.findIndex((c) => c.name === n);
              if (i < 0) throw new UsageError(`no channel named ${n}`);
              return i;
            })
          : info.channels.map((_, i) => i);
        const start = Math.max(0, Math.round((tmin - info.tmin) * info.sfreq));
        const stop = Math.min(info.nSamples, Math.round((tmax - info.tmin) * info.sfreq));
        if (stop <= start)
          throw new UsageError(`the window is outside the recording (0 to ${info.nSamples / info.sfreq} s)`);
        if ((stop - start) * picks.length > 50_000_000)
          throw new UsageError('window too large for JSON output');
        const data = await opened.recording.readWindow(picks, start, stop);
        print({
          sfreq: info.sfreq,
          channels: picks.map((p) => info.channels[p]?.name),
          units: picks.map((p) => info.channels[p]?.unit),
          firstTime: info.tmin + start / info.sfreq,
          data: data.map((d) => Array.from(d)),
        });
      } finally {
        await opened.recording.close();
      }
    }),
});

/** `info`, `sensors` and `read`: a recording on disk, through the same library as the routes. */
import { resolve } from 'node:path';
import { describeRecording } from '../lib/core/describe';
import { isApiError } from '../lib/core/errors';
import { sensorsResponse, type Frame } from '../lib/core/sensors';
import { openForHandler } from '../lib/service/open-recording';
import { registerCommand } from './commands';

export class UsageError extends Error {}

/** Parses `--name value` options and positional arguments; unknown options are usage errors. */
export function parseArgs(
  args: string[],
  known: readonly string[],
): { positional: string[]; options: Map<string, string> } {
  const positional: string[] = [];
  const options = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const [name, inline] = arg.slice(2).split('=', 2) as [string, string | undefined];
    if (!known.includes(name)) throw new UsageError(`unknown option --${name}`);
    const value = inline ?? args[++i];
    if (value === undefined) throw new UsageError(`--${name} needs a value`);
    options.set(name, value);
  }
  return { positional, options };
}

/** Runs a command body, mapping errors to exit codes: 2 bad arguments, 3 unreadable/unsupported recording. */
export async function runCommand(body: () => Promise<void>): Promise<number> {
  try {
    await body();
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`loris-ephys: ${error.message}\n`);
      return 2;
    }
    if (isApiError(error)) {
      process.stderr.write(`loris-ephys: ${error.code}: ${error.message}\n`);
      return error.status === 400 ? 2 : 3;
    }
    process.stderr.write(`loris-ephys: ${(error as Error)?.message ?? String(error)}\n`);
    return 3;
  }
}

const onePath = (positional: string[]): string => {
  if (positional.length !== 1) throw new UsageError('expected exactly one recording path');
  return resolve(positional[0] as string);
};

const print = (value: unknown): void => {
  process.stdout.write(JSON.stringify(value, null, 1) + '\n');
};

registerCommand('info', {
  usage: 'info <path>',
  summary: 'describe a recording (channels by type, rate, duration, positions source)',
  run: (args) =>
    runCommand(async () => {
      const path = onePath(parseArgs(args, []).positional);
      const opened = await openForHandler(path);
      try {
        print(describeRecording(opened.info, opened.positionSource));
      } finally {
        await opened.recording.close();
      }
    }),
});

registerCommand('sensors', {
  usage: 'sensors <path> [--frame head|device] [--types a,b]',
  summary: 'sensor/electrode positions as the sensors route gives them',
  run: (args) =>
    runCommand(async () => {
      const { positional, options } = parseArgs(args, ['frame', 'types']);
      const frame = options.get('frame') ?? 'head';
      if (frame !== 'head' && frame !== 'device') throw new UsageError('--frame must be head or device');
      const types = options.get('types')?.split(',').filter(Boolean);
      const opened = await openForHandler(onePath(positional));
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
  run: (args) =>
    runCommand(async () => {
      const { positional, options } = parseArgs(args, ['tmin', 'tmax', 'picks']);
      const tmin = Number(options.get('tmin') ?? NaN);
      const tmax = Number(options.get('tmax') ?? NaN);
      if (!Number.isFinite(tmin) || !Number.isFinite(tmax) || tmax <= tmin) {
        throw new UsageError('--tmin and --tmax must be numbers with tmin < tmax');
      }
      const opened = await openForHandler(onePath(positional));
      try {
        const { info } = opened;
        const names = options.get('picks')?.split(',').filter(Boolean);
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

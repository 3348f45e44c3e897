/**
 * Upload progress on stderr: a `cli-progress` bar (bytes, rate, ETA) on a terminal, plain lines every 10 %
 * otherwise (logs, CI, pipes).
 */
import { Presets, SingleBar } from 'cli-progress';

export interface Progress {
  /** `offset`: bytes already on the server when this run starts (a resumed upload). */
  start(total: number, offset: number): void;
  update(sent: number): void;
  stop(): void;
}

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${UNITS[unit]}`;
}

export function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** Rate of this run (bytes sent since it started, over its duration). */
class RateMeter {
  private readonly startedAt = Date.now();
  constructor(private readonly offset: number) {}
  rate(sent: number): number {
    const seconds = (Date.now() - this.startedAt) / 1000;
    return seconds > 0 ? (sent - this.offset) / seconds : 0;
  }
}

function barProgress(stream: NodeJS.WriteStream, label: string): Progress {
  const bar = new SingleBar(
    {
      stream,
      format: `${label} |{bar}| {percentage}% {sent} / {size}  {rate}  ETA {eta_formatted}`,
      hideCursor: true,
      etaBuffer: 100,
      fps: 5,
    },
    Presets.shades_classic,
  );
  let meter = new RateMeter(0);
  return {
    start(total, offset) {
      meter = new RateMeter(offset);
      bar.start(total, offset, { sent: formatBytes(offset), size: formatBytes(total), rate: '' });
    },
    update(sent) {
      bar.update(sent, { sent: formatBytes(sent), rate: `${formatBytes(meter.rate(sent))}/s` });
    },
    stop: () => bar.stop(),
  };
}

function lineProgress(stream: NodeJS.WritableStream, label: string): Progress {
  let total = 0;
  let nextTenth = 1;
  let meter = new RateMeter(0);
  return {
    start(size, offset) {
      total = size;
      meter = new RateMeter(offset);
      nextTenth = Math.floor((10 * offset) / Math.max(total, 1)) + 1;
    },
    update(sent) {
      if (total === 0 || (10 * sent) / total < nextTenth) return;
      nextTenth = Math.floor((10 * sent) / total) + 1;
      const rate = meter.rate(sent);
      const eta = rate > 0 ? (total - sent) / rate : Infinity;
      stream.write(
        `${label}: ${Math.floor((100 * sent) / total)}% (${formatBytes(sent)} of ${formatBytes(total)}), ` +
          `${formatBytes(rate)}/s, ETA ${formatSeconds(eta)}\n`,
      );
    },
    stop: () => undefined,
  };
}

/** `label` names what progresses (`upload`, `pack`). */
export function createProgress(label: string, stream: NodeJS.WriteStream = process.stderr): Progress {
  return stream.isTTY ? barProgress(stream, label) : lineProgress(stream, label);
}

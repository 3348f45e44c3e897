/**
 * Collects the check's findings into an UploadReport. Lines of one code are capped (an archive of 200k bad
 * entries gives a short report, then one line saying how many more there were).
 */
import type {
  RecordingSummary,
  ReportLevel,
  ReportLine,
  SeriesSummary,
  UploadKind,
  UploadReport,
} from '../types';

/** At most this many lines of one code; the rest are counted in one summary line. */
export const MAX_LINES_PER_CODE = 20;

export class ReportBuilder {
  private readonly lines: ReportLine[] = [];
  private readonly perCode = new Map<string, { level: ReportLevel; count: number }>();
  private errorCount = 0;

  add(item: string, level: ReportLevel, code: string, message: string): void {
    if (level === 'error') this.errorCount += 1;
    const seen = this.perCode.get(code) ?? { level, count: 0 };
    seen.count += 1;
    this.perCode.set(code, seen);
    if (seen.count <= MAX_LINES_PER_CODE) this.lines.push({ item, level, code, message });
  }

  error(item: string, code: string, message: string): void {
    this.add(item, 'error', code, message);
  }

  warning(item: string, code: string, message: string): void {
    this.add(item, 'warning', code, message);
  }

  info(item: string, code: string, message: string): void {
    this.add(item, 'info', code, message);
  }

  get hasErrors(): boolean {
    return this.errorCount > 0;
  }

  /** True when a line of `code` was added. */
  has(code: string): boolean {
    return this.perCode.has(code);
  }

  finish(
    kind: UploadKind,
    totals: { entries: number; bytes: number },
    recordings: RecordingSummary[],
    series: SeriesSummary[],
  ): UploadReport {
    const lines = [...this.lines];
    for (const [code, { level, count }] of this.perCode) {
      if (count > MAX_LINES_PER_CODE) {
        lines.push({
          item: '.',
          level,
          code,
          message: `${count - MAX_LINES_PER_CODE} more findings of this kind (${count} in all)`,
        });
      }
    }
    const messages = (level: ReportLevel) => lines.filter((l) => l.level === level).map((l) => l.message);
    const errors = messages('error');
    return {
      kind,
      ok: errors.length === 0,
      warnings: messages('warning'),
      errors,
      lines,
      entries: totals.entries,
      bytes: totals.bytes,
      recordings,
      series,
    };
  }
}

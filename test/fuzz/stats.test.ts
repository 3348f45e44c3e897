/** The fuzz tallies flag what they must: crashes, hangs, dead workers, slow cases and memory over the bound. */
import type { PoolResult } from '../../bench/fuzz/pool';
import {
  ATTACK_BOUNDS,
  DEFAULT_BOUNDS,
  V73_BOUNDS,
  boundsFor,
  emptyStats,
  record,
  summaryTable,
} from '../../bench/fuzz/stats';
import type { CaseOutcome } from '../../bench/fuzz/run-case';

const spec = { format: 'edf' as const, seed: 1, index: 3 };
const MB = 2 ** 20;

function report(outcome: CaseOutcome, ms = 10, memoryBytes = MB, rssRiseBytes = 0): PoolResult {
  const c = {
    spec,
    outcome,
    recording: 'r',
    mutatedFile: 'f',
    description: 'd',
    inputBytes: MB,
    ms,
    memoryBytes,
  };
  return { kind: 'report', report: c, rssRiseBytes };
}

describe('fuzz tallies', () => {
  it('counts results and typed errors by code without findings', () => {
    const s = emptyStats('edf');
    record(s, report({ status: 'ok' }), DEFAULT_BOUNDS);
    record(s, report({ status: 'error', code: 'unreadable_recording', stage: 'open' }), DEFAULT_BOUNDS);
    record(s, report({ status: 'error', code: 'unreadable_recording', stage: 'read' }), DEFAULT_BOUNDS);
    expect(s).toMatchObject({
      cases: 3,
      ok: 1,
      errors: { unreadable_recording: 2 },
      crashes: 0,
      findings: [],
    });
  });

  it('flags crashes, hangs, dead workers, slow cases and memory over the bound', () => {
    const s = emptyStats('edf');
    record(
      s,
      report({ status: 'crash', code: 'TypeError', message: 'x is undefined', stage: 'open' }),
      DEFAULT_BOUNDS,
    );
    record(s, { kind: 'hang', spec, message: 'no answer', ms: 10_000 }, DEFAULT_BOUNDS);
    record(s, { kind: 'died', spec, message: 'ERR_WORKER_OUT_OF_MEMORY', ms: 50 }, DEFAULT_BOUNDS);
    record(s, report({ status: 'ok' }, DEFAULT_BOUNDS.timeMs + 1), DEFAULT_BOUNDS);
    // 64 MB + 8 × 1 MB is the bound for a 1 MB input: 73 MB of RSS growth is over it.
    record(s, report({ status: 'ok' }, 10, MB, 73 * MB), DEFAULT_BOUNDS);
    expect(s).toMatchObject({ cases: 5, ok: 2, crashes: 2, hangs: 1, slow: 1, memory: 1 });
    expect(s.findings.map((f) => f.kind)).toEqual(['crash', 'hang', 'crash', 'slow', 'memory']);
    expect(summaryTable([s])).toContain('| edf | 5 | 2 |');
  });

  it('holds attacks to the decoded-size budget + 64 MB, other formats to 64 MB', () => {
    expect(boundsFor('attacks')).toBe(ATTACK_BOUNDS);
    expect(boundsFor('eeglab-v73')).toBe(V73_BOUNDS);
    expect(boundsFor('fif')).toBe(DEFAULT_BOUNDS);
    expect(ATTACK_BOUNDS.memoryBaseBytes).toBe(192 * MB);
    // 150 MB of growth for a 1 MB input: within the attack bound (200 MB), over the default one (72 MB).
    const grown = report({ status: 'error', code: 'unreadable_recording', stage: 'open' }, 10, 150 * MB);
    const attacks = emptyStats('attacks');
    record(attacks, grown, ATTACK_BOUNDS);
    const plain = emptyStats('edf');
    record(plain, grown, DEFAULT_BOUNDS);
    expect([attacks.memory, plain.memory]).toEqual([0, 1]);
  });
});

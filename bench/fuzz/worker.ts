/**
 * Worker-thread entry of the fuzz pool: builds and runs the cases it is sent, one at a time, and reports
 * each outcome with its duration and the heap + external memory it left allocated (measured without a
 * forced GC, so short-lived garbage already collected is not counted; the pool also watches RSS).
 */
import { getHeapStatistics } from 'node:v8';
import { parentPort } from 'node:worker_threads';
import { buildCase, runCase, type CaseOutcome, type CaseSpec } from './run-case';

export interface CaseReport {
  spec: CaseSpec;
  outcome: CaseOutcome;
  recording: string;
  mutatedFile: string;
  description: string;
  inputBytes: number;
  ms: number;
  /** Growth of used heap + external memory over the case, bytes. */
  memoryBytes: number;
}

const used = (): number => {
  const h = getHeapStatistics();
  return h.used_heap_size + h.external_memory;
};

async function handle(spec: CaseSpec): Promise<CaseReport> {
  const built = buildCase(spec);
  const before = used();
  const t0 = performance.now();
  const outcome = await runCase(built, spec.index);
  const ms = performance.now() - t0;
  const memoryBytes = Math.max(0, used() - before);
  const { recording, mutatedFile, description, inputBytes } = built;
  return { spec, outcome, recording, mutatedFile, description, inputBytes, ms, memoryBytes };
}

parentPort?.on('message', (spec: CaseSpec) => {
  void handle(spec).then((report) => parentPort?.postMessage(report));
});

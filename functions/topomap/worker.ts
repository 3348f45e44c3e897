/**
 * The map worker (bundled to dist/topomap/worker.js, run by the pool in lib/service/map-runner.ts): one task
 * at a time, with this thread's own bounded recording, geometry and plan caches. A PNG's bytes (or a half's
 * deflated stream) come back transferred (moved, not copied) to the main thread, or a half's stream in the shared
 * memory the pool lent it.
 */
import { move, transferableSymbol, valueSymbol } from 'piscina';
import { runMapTask, type MapTask, type MapTaskResult } from '../../lib/service/map-task';

/** The bytes in an ArrayBuffer of their own, so it can be transferred without detaching a shared Buffer pool. */
function ownBuffer(body: Uint8Array): Uint8Array<ArrayBuffer> {
  const { buffer } = body;
  const whole = body.byteOffset === 0 && body.byteLength === buffer.byteLength;
  return whole && buffer instanceof ArrayBuffer ? new Uint8Array(buffer) : body.slice();
}

export default async function mapWorker(task: MapTask): Promise<MapTaskResult> {
  const result = await runMapTask(task);
  if (result.kind === 'png-half') {
    // A stream in the memory the pool lent (MapTask.halfOut) is shared, not moved.
    if (result.part.stream.buffer instanceof SharedArrayBuffer) return result;
    const stream = ownBuffer(result.part.stream);
    const part = { ...result.part, stream };
    const movable = { [transferableSymbol]: [stream.buffer], [valueSymbol]: { ...result, part } };
    return move(movable) as unknown as MapTaskResult;
  }
  if (result.kind !== 'binary') return result;
  const body = ownBuffer(result.body);
  // piscina posts a moved result's value with its transferables in the transfer list.
  const movable = { [transferableSymbol]: [body.buffer], [valueSymbol]: { ...result, body } };
  return move(movable) as unknown as MapTaskResult;
}

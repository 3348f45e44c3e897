/**
 * A map made in halves from one computation (lib/service/map-task.ts `handover`): the top half's task computes and
 * hands the map to the bottom half's task over a message channel. Both run here in one thread, as two map workers
 * run them, so the protocol is checked without a pool: the joined halves are the whole map's bytes, a 304 reaches
 * both, and a top half that fails or ends without handing anything over leaves the bottom with nothing to draw
 * (never waiting for ever).
 */
import { MessageChannel } from 'node:worker_threads';
import { parseConfig } from '../../lib/core/config';
import { topomapQuerySchema } from '../../lib/core/topomap-params';
import { halfStreamBound } from '../../lib/core/render';
import { joinAnswer, runMapTask, type MapTask } from '../../lib/service/map-task';
import { describeWithData, testDataPath } from '../helpers/testdata';

const MAP = 'tmin=0.1&tmax=0.2&size=512&contours=6&sensors=true';

const task = (query: string, path = testDataPath('brainvision', 'test.vhdr')): MapTask => ({
  requestId: 'r',
  route: 'test',
  logLevel: 'error',
  source: {
    path,
    dataRoot: testDataPath(),
    physioFileId: 1,
    extras: {},
    extrasKey: 'handover',
    maxDecodedBytes: 1 << 28,
  },
  query: topomapQuerySchema.parse(Object.fromEntries(new URLSearchParams(query))),
  limits: parseConfig({}).limits,
});

/** Top and bottom tasks of `base` joined by a new channel, run at once (the bottom first, as it may start first). */
async function inHalves(base: MapTask) {
  const { port1, port2 } = new MessageChannel();
  const bottom = runMapTask({ ...base, half: 'bottom', handover: port2 });
  const top = runMapTask({ ...base, half: 'top', handover: port1 });
  return { top: await top, bottom: await bottom };
}

describeWithData('a map made in halves from one computation', () => {
  it('joins into the bytes of the whole map, the bottom drawn from the map its top computed', async () => {
    const whole = await runMapTask(task(MAP));
    if (whole.kind !== 'binary') throw new Error(`expected a picture, got ${whole.kind}`);
    const { top, bottom } = await inHalves(task(MAP));
    expect(top).toMatchObject({ kind: 'png-half', etag: whole.etag });
    expect(bottom).toMatchObject({ kind: 'png-half', etag: whole.etag });
    // The bottom half carries the signatures of the files the top opened: the answer cache checks them.
    expect(bottom).toHaveProperty('signatures', whole.signatures);
    const joined = joinAnswer(top, bottom, 512);
    expect(joined).toMatchObject({ kind: 'binary', halves: true, etag: whole.etag });
    if (joined?.kind !== 'binary') throw new Error('not joined');
    expect(Buffer.from(joined.body).equals(Buffer.from(whole.body))).toBe(true);
  });

  it('writes each half into the memory lent to its task, and the halves still join into the whole map', async () => {
    const whole = await runMapTask(task(MAP));
    if (whole.kind !== 'binary') throw new Error(`expected a picture, got ${whole.kind}`);
    const bound = halfStreamBound(512, 512);
    const [topOut, bottomOut] = [new SharedArrayBuffer(bound), new SharedArrayBuffer(bound)];
    const { port1, port2 } = new MessageChannel();
    const bottomRun = runMapTask({ ...task(MAP), half: 'bottom', handover: port2, halfOut: bottomOut });
    const top = await runMapTask({ ...task(MAP), half: 'top', handover: port1, halfOut: topOut });
    const bottom = await bottomRun;
    if (top.kind !== 'png-half' || bottom.kind !== 'png-half') throw new Error('expected halves');
    expect(top.part.stream.buffer).toBe(topOut);
    expect(bottom.part.stream.buffer).toBe(bottomOut);
    // A map whose halves were computed apart (a warm map) writes there too.
    const warm = await runMapTask({ ...task(MAP), half: 'bottom', halfOut: bottomOut });
    if (warm.kind !== 'png-half') throw new Error('expected a half');
    expect(warm.part.stream.buffer).toBe(bottomOut);
    const joined = joinAnswer(top, warm, 512);
    if (joined?.kind !== 'binary') throw new Error('not joined');
    expect(joined.body.buffer).not.toBe(topOut);
    expect(Buffer.from(joined.body).equals(Buffer.from(whole.body))).toBe(true);
  });

  it('times each stage, the bottom only drawing, and a joined map takes each stage of the slower half', async () => {
    const whole = await runMapTask(task(MAP));
    if (whole.kind !== 'binary' || !whole.timing) throw new Error('expected a timed picture');
    for (const ms of Object.values(whole.timing)) expect(ms).toBeGreaterThanOrEqual(0);
    expect(whole.timing.drawMs).toBeGreaterThan(0); // a 512 px PNG is never drawn in no time
    const { top, bottom } = await inHalves(task(MAP));
    if (top.kind !== 'png-half' || bottom.kind !== 'png-half') throw new Error('expected halves');
    // The bottom neither opened nor computed: the top did both and handed the map over.
    expect(bottom.timing).toMatchObject({ openMs: 0, computeMs: 0 });
    expect(bottom.timing.drawMs).toBeGreaterThan(0);
    expect(top.timing.computeMs).toBeGreaterThan(0);
    const joined = joinAnswer(top, bottom, 512);
    if (joined?.kind !== 'binary') throw new Error('not joined');
    expect(joined.timing).toEqual({
      openMs: top.timing.openMs,
      computeMs: top.timing.computeMs,
      drawMs: Math.max(top.timing.drawMs, bottom.timing.drawMs),
    });
  });

  it('answers 304 in both halves when the top finds the ETag asked for', async () => {
    const whole = await runMapTask(task(MAP));
    if (whole.kind !== 'binary') throw new Error(`expected a picture, got ${whole.kind}`);
    const { top, bottom } = await inHalves({ ...task(MAP), ifNoneMatch: whole.etag });
    expect(top).toEqual({ kind: 'not-modified', etag: whole.etag });
    expect(bottom).toEqual({ kind: 'not-modified', etag: whole.etag });
    expect(joinAnswer(top, bottom, 512)).toEqual({ kind: 'not-modified', etag: whole.etag });
  });

  it('leaves the bottom with nothing to draw when the top fails, and the answer is the top’s error', async () => {
    const { top, bottom } = await inHalves(task(MAP, testDataPath('brainvision', 'no-such-file.vhdr')));
    expect(top.kind).toBe('error');
    if (top.kind === 'error') expect(top.error.status).toBeGreaterThanOrEqual(400);
    expect(bottom).toEqual({ kind: 'missed' });
    expect(joinAnswer(top, bottom, 512)).toBe(top);
  });

  it('ends a bottom half whose channel closes with nothing handed over (its top half’s thread ended)', async () => {
    const { port1, port2 } = new MessageChannel();
    const bottom = runMapTask({ ...task(MAP), half: 'bottom', handover: port2 });
    port1.close();
    await expect(bottom).resolves.toEqual({ kind: 'missed' });
    // A top half that made its picture and a bottom that missed are no answer: the pool then makes the map whole.
    const { top } = await inHalves(task(MAP));
    expect(joinAnswer(top, { kind: 'missed' }, 512)).toBeUndefined();
  });
});

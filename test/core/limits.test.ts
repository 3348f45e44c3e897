/**
 * Admission control and request timeout of httpHandler: over the concurrency cap a request gets 429 with the
 * cap and Retry-After; past the timeout it gets 504, its abort signal fires and its slot is free again.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { createConcurrencyLimiter, processLimiter } from '../../lib/core/concurrency';
import { abandonedGraceMs, httpHandler, json, type RequestContext } from '../../lib/core/http';
import { createLogger } from '../../lib/core/log';

const event = {
  version: '2.0',
  routeKey: 'GET /x',
  rawPath: '/x',
  rawQueryString: '',
  headers: {},
  requestContext: { requestId: 'req-1', http: { method: 'GET', path: '/x' } },
  isBase64Encoded: false,
} as unknown as APIGatewayProxyEventV2;

const quiet = createLogger('error', {}, () => undefined);
let nameCounter = 0;
const freshName = (): string => `test-limiter-${++nameCounter}`;

/** A handler whose requests stay in flight until the test opens the gate. */
function gatedHandler(limiterName: string, maxConcurrent: number, requestTimeoutMs = 60_000, maxQueued = 0) {
  let open: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => (open = resolve));
  const handler = httpHandler(
    'GET /x',
    async () => {
      await gate;
      return json({ ok: true });
    },
    { logger: quiet, limiterName, limits: () => ({ maxConcurrent, maxQueued, requestTimeoutMs }) },
  );
  return { handler, open: () => open() };
}

describe('concurrency limiter', () => {
  it('grants up to the cap, refuses beyond it, and a release is counted once', () => {
    const limiter = createConcurrencyLimiter(2);
    const a = limiter.tryAcquire();
    const b = limiter.tryAcquire();
    expect(a).not.toBeNull();
    expect(b).not.toBeNull();
    expect(limiter.tryAcquire()).toBeNull();
    a?.();
    a?.();
    expect(limiter.active).toBe(1);
    expect(limiter.tryAcquire()).not.toBeNull();
    expect(limiter.tryAcquire()).toBeNull();
  });

  it('lines up waiters in arrival order up to the queue length and hands each freed slot to the next', async () => {
    const limiter = createConcurrencyLimiter(1, 2);
    const first = await limiter.acquire();
    const order: string[] = [];
    const second = limiter.acquire()?.then((r) => (order.push('second'), r));
    const third = limiter.acquire()?.then((r) => (order.push('third'), r));
    expect(limiter.acquire()).toBeNull(); // line full
    expect(limiter.queued).toBe(2);
    first?.();
    (await second)?.();
    (await third)?.();
    expect(order).toEqual(['second', 'third']);
    expect(limiter.active).toBe(0);
    expect(limiter.queued).toBe(0);
  });

  it('takes an aborted waiter out of the line', async () => {
    const limiter = createConcurrencyLimiter(1, 4);
    const held = limiter.tryAcquire();
    const controller = new AbortController();
    const waiting = limiter.acquire(controller.signal);
    controller.abort(new Error('gave up'));
    await expect(waiting).rejects.toThrow('gave up');
    expect(limiter.queued).toBe(0);
    held?.();
    expect(limiter.active).toBe(0);
  });

  it('rejects caps that are not positive integers', () => {
    expect(() => createConcurrencyLimiter(0)).toThrow(RangeError);
    expect(() => createConcurrencyLimiter(1.5)).toThrow(RangeError);
  });

  it('is shared by name across callers in one process', () => {
    const name = freshName();
    const first = processLimiter(name, 1);
    const release = first.tryAcquire();
    expect(processLimiter(name, 1).tryAcquire()).toBeNull();
    release?.();
    expect(processLimiter(name, 1).active).toBe(0);
  });
});

describe('httpHandler limits', () => {
  it('answers 429 too_many_requests with the cap and Retry-After beyond the cap, and admits again after', async () => {
    const { handler, open } = gatedHandler(freshName(), 2);
    const inFlight = [handler(event), handler(event)];
    const refused = await handler(event);
    expect(refused.statusCode).toBe(429);
    expect(refused.headers?.['Retry-After']).toBe('1');
    const body = JSON.parse(String(refused.body));
    expect(body.error.code).toBe('too_many_requests');
    expect(body.error.message).toContain('at most 2');
    expect(body.error.details).toEqual({ maxConcurrent: 2, maxQueued: 0 });
    open();
    expect((await Promise.all(inFlight)).map((r) => r.statusCode)).toEqual([200, 200]);
    expect((await handler(event)).statusCode).toBe(200);
  });

  it('lets requests over the cap wait in line (up to the queue length) instead of refusing them', async () => {
    const { handler, open } = gatedHandler(freshName(), 1, 60_000, 2);
    const inFlight = [handler(event), handler(event), handler(event)];
    const refused = await handler(event);
    expect(refused.statusCode).toBe(429);
    expect(JSON.parse(String(refused.body)).error.message).toContain(
      'at most 1 heavy requests run at once and 2 wait',
    );
    open();
    expect((await Promise.all(inFlight)).map((r) => r.statusCode)).toEqual([200, 200, 200]);
  });

  it('answers 504 to a request that times out while waiting in line, and takes it out of the line', async () => {
    const name = freshName();
    const { handler, open } = gatedHandler(name, 1, 80, 4);
    const running = handler(event);
    const waiting = await handler(event);
    expect(waiting.statusCode).toBe(504);
    expect(JSON.parse(String(waiting.body)).error.code).toBe('timeout');
    expect((await running).statusCode).toBe(504);
    // The timed-out running work still holds its slot until it really ends.
    expect(processLimiter(name, 1, 4).active).toBe(1);
    open();
    await new Promise((r) => setImmediate(r));
    expect(processLimiter(name, 1, 4).queued).toBe(0);
    expect(processLimiter(name, 1, 4).active).toBe(0);
  });

  it('routes with the same limiter name share the cap', async () => {
    const name = freshName();
    const a = gatedHandler(name, 1);
    const b = gatedHandler(name, 1);
    const first = a.handler(event);
    expect((await b.handler(event)).statusCode).toBe(429);
    a.open();
    expect((await first).statusCode).toBe(200);
    b.open();
    expect((await b.handler(event)).statusCode).toBe(200);
  });

  it('answers 504 timeout past the request timeout, aborts the signal, and frees the slot of work that never ends after the grace period', async () => {
    jest.useFakeTimers({
      doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask', 'hrtime', 'performance'],
    });
    const name = freshName();
    let seen: RequestContext | undefined;
    const stuck = httpHandler(
      'GET /x',
      async (_e, ctx) => {
        seen = ctx;
        return new Promise(() => undefined); // never settles
      },
      { logger: quiet, limiterName: name, limits: () => ({ maxConcurrent: 1, requestTimeoutMs: 50 }) },
    );
    const pending = stuck(event);
    await jest.advanceTimersByTimeAsync(60);
    const response = await pending;
    expect(response.statusCode).toBe(504);
    const body = JSON.parse(String(response.body));
    expect(body.error).toMatchObject({
      code: 'timeout',
      details: { requestTimeoutMs: 50 },
      requestId: 'req-1',
    });
    expect(body.error.message).toContain('50 ms');
    expect(seen?.signal?.aborted).toBe(true);
    expect(processLimiter(name, 1).active).toBe(1); // the work has not ended
    await jest.advanceTimersByTimeAsync(abandonedGraceMs({ maxConcurrent: 1, requestTimeoutMs: 50 }));
    expect(processLimiter(name, 1).active).toBe(0);
    jest.useRealTimers();
  });

  it('counts timed-out work until it fails, ignores that late failure (no unhandled rejection) and keeps serving', async () => {
    const name = freshName();
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      let calls = 0;
      const slowThenFailing = httpHandler(
        'GET /x',
        async () => {
          calls++;
          if (calls > 1) return json({ ok: true });
          await new Promise((r) => setTimeout(r, 120));
          throw new Error('late failure');
        },
        { logger: quiet, limiterName: name, limits: () => ({ maxConcurrent: 1, requestTimeoutMs: 30 }) },
      );
      expect((await slowThenFailing(event)).statusCode).toBe(504);
      // Its work still runs (and holds the only slot) until it fails 120 ms in; then the next is served.
      expect((await slowThenFailing(event)).statusCode).toBe(429);
      await new Promise((r) => setTimeout(r, 200));
      expect((await slowThenFailing(event)).statusCode).toBe(200);
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('releases the slot when the handler fails', async () => {
    const name = freshName();
    const failing = httpHandler(
      'GET /x',
      async () => {
        throw new Error('boom');
      },
      { logger: quiet, limiterName: name, limits: () => ({ maxConcurrent: 1, requestTimeoutMs: 1000 }) },
    );
    expect((await failing(event)).statusCode).toBe(500);
    expect((await failing(event)).statusCode).toBe(500);
    expect(processLimiter(name, 1).active).toBe(0);
  });

  it('answers 500 when the limits cannot be read', async () => {
    const handler = httpHandler('GET /x', async () => json({ ok: true }), {
      logger: quiet,
      limits: () => {
        throw new Error('bad config');
      },
    });
    expect((await handler(event)).statusCode).toBe(500);
  });
});

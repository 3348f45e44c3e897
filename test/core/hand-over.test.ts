/**
 * Buffered answers and the on-premises bridge (lib/core/http.ts + stream-bridge.ts): with the offline plugin's
 * table installed, an answer of HAND_OVER_MIN_BYTES or more leaves the Lambda result as a one-time token (so
 * serverless-offline's long-lived reference to each result holds no body), and the table holds the exact bytes;
 * small answers, empty ones and every answer without the plugin stay in the result as before.
 */
import type { HttpEvent } from '../../lib/core/http';
import { httpHandler, json } from '../../lib/core/http';
import { HAND_OVER_MIN_BYTES, STREAM_TOKEN_HEADER, type StreamBody } from '../../lib/core/stream-bridge';

const BRIDGE = Symbol.for('loris-ephys-api.stream-bridge.v1');
const globals = globalThis as Record<symbol, unknown>;
const event = {
  rawPath: '/x',
  headers: {},
  requestContext: { http: { method: 'GET' } },
} as unknown as HttpEvent;

describe('answers handed over to the offline bridge', () => {
  let entries: Map<string, StreamBody & { expires: number }>;
  beforeEach(() => {
    entries = new Map();
    globals[BRIDGE] = { entries };
  });
  afterEach(() => delete globals[BRIDGE]);

  const png = Buffer.alloc(HAND_OVER_MIN_BYTES + 10, 7);
  const binary = httpHandler(
    'test',
    async () => ({ kind: 'binary', contentType: 'image/png', body: png, headers: { ETag: '"e"' } }),
    {
      logLevel: 'error',
    },
  );

  it('hands a large picture over as bytes: empty body, token header, Content-Type and ETag kept', async () => {
    const r = await binary(event);
    const token = String(r.headers?.[STREAM_TOKEN_HEADER]);
    expect(r).toMatchObject({
      statusCode: 200,
      body: '',
      headers: { 'Content-Type': 'image/png', ETag: '"e"' },
    });
    expect(r.isBase64Encoded).toBeUndefined();
    const handed = entries.get(token);
    expect(handed?.bytes?.equals(png)).toBe(true);
  });

  it('hands a large JSON answer over as its UTF-8 text; keeps a small one in the result', async () => {
    const big = { values: Array.from({ length: 2000 }, (_, i) => i / 3) };
    const r = await httpHandler('test', async () => json(big), { logLevel: 'error' })(event);
    const handed = entries.get(String(r.headers?.[STREAM_TOKEN_HEADER]));
    expect(JSON.parse(handed?.bytes?.toString('utf8') ?? 'null')).toEqual(big);
    expect(r.headers?.['Content-Type']).toBe('application/json; charset=utf-8');
    const small = await httpHandler('test', async () => json({ ok: true }), { logLevel: 'error' })(event);
    expect(small.body).toBe('{"ok":true}');
    expect(small.headers?.[STREAM_TOKEN_HEADER]).toBeUndefined();
    expect(entries.size).toBe(1);
  });

  it('without the plugin, returns the picture base64 in the result', async () => {
    delete globals[BRIDGE];
    const r = await binary(event);
    expect(r.isBase64Encoded).toBe(true);
    expect(Buffer.from(String(r.body), 'base64').equals(png)).toBe(true);
    expect(r.headers?.[STREAM_TOKEN_HEADER]).toBeUndefined();
  });
});

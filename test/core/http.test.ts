import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { z } from 'zod';
import { ApiError } from '../../lib/core/errors';
import { httpHandler, json, parseWith, serverTiming } from '../../lib/core/http';
import { createLogger } from '../../lib/core/log';

const event = (headers: Record<string, string> = {}): APIGatewayProxyEventV2 =>
  ({
    version: '2.0',
    routeKey: 'GET /x',
    rawPath: '/x',
    rawQueryString: '',
    headers,
    requestContext: { requestId: 'req-1', http: { method: 'GET', path: '/x' } },
    isBase64Encoded: false,
  }) as unknown as APIGatewayProxyEventV2;

function capture() {
  const lines: string[] = [];
  return { lines, logger: createLogger('debug', {}, (l) => lines.push(l)) };
}

describe('httpHandler', () => {
  it('turns a thrown Error into 500 with the error envelope, a request id and no internals', async () => {
    const { lines, logger } = capture();
    const handler = httpHandler(
      'GET /x',
      async () => {
        throw new Error('secret internals at /var/lib/loris');
      },
      { logger },
    );
    const response = await handler(event());
    expect(response.statusCode).toBe(500);
    const body = JSON.parse(String(response.body));
    expect(body).toEqual({
      error: { code: 'internal_error', message: 'Internal error (request req-1).', requestId: 'req-1' },
    });
    expect(String(response.body)).not.toContain('secret internals');
    expect(String(response.body)).not.toMatch(/stack|at Object/);
    expect(lines.some((l) => JSON.parse(l).message === 'unhandled error')).toBe(true);
  });

  it('turns a thrown non-Error value into 500 as well', async () => {
    const handler = httpHandler('GET /x', async () => Promise.reject('boom'), { logger: capture().logger });
    expect((await handler(event())).statusCode).toBe(500);
  });

  it('passes ApiError status, code, details and headers through', async () => {
    const handler = httpHandler(
      'GET /x',
      async () => {
        throw new ApiError(401, 'token_missing', 'A bearer token is required.', undefined, {
          'WWW-Authenticate': 'Bearer',
        });
      },
      { logger: capture().logger },
    );
    const response = await handler(event());
    expect(response.statusCode).toBe(401);
    expect(response.headers?.['WWW-Authenticate']).toBe('Bearer');
    expect(JSON.parse(String(response.body))).toEqual({
      error: { code: 'token_missing', message: 'A bearer token is required.' },
    });
  });

  it('turns zod validation failures into 400 listing the failing fields', async () => {
    const schema = z.object({ tmin: z.coerce.number(), size: z.coerce.number().int().max(100) });
    const handler = httpHandler(
      'GET /x',
      async () => json(parseWith(schema, { tmin: 'abc', size: '1000' })),
      {
        logger: capture().logger,
      },
    );
    const response = await handler(event());
    expect(response.statusCode).toBe(400);
    const body = JSON.parse(String(response.body));
    expect(body.error.code).toBe('invalid_request');
    expect(body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(['size', 'tmin']);
  });

  it('encodes binary results as base64 with isBase64Encoded', async () => {
    const bytes = new Uint8Array([0x89, 0x50, 0x4e, 0x47]);
    const handler = httpHandler(
      'GET /x',
      async () => ({ kind: 'binary', contentType: 'image/png', body: bytes }),
      {
        logger: capture().logger,
      },
    );
    const response = await handler(event());
    expect(response.isBase64Encoded).toBe(true);
    expect(Buffer.from(String(response.body), 'base64')).toEqual(Buffer.from(bytes));
    expect(response.headers?.['Content-Type']).toBe('image/png');
  });

  it('logs one JSON line per request with id, route, status and duration, never the token', async () => {
    const { lines, logger } = capture();
    const handler = httpHandler('GET /x', async () => json({ ok: true }), { logger });
    await handler(event({ authorization: 'Bearer eyJhbGciOiJIUzI1NiJ9.secret.sig' }));
    const requestLines = lines.map((l) => JSON.parse(l)).filter((l) => l.message === 'request');
    expect(requestLines).toHaveLength(1);
    expect(requestLines[0]).toMatchObject({ requestId: 'req-1', route: 'GET /x', status: 200 });
    expect(typeof requestLines[0].durationMs).toBe('number');
    expect(lines.join('\n')).not.toContain('eyJhbGciOiJIUzI1NiJ9');
  });
});

describe('logger redaction', () => {
  it('redacts secret-looking keys at any depth', () => {
    const { lines, logger } = capture();
    logger.info('x', {
      db: { password: 'hunter2', user: 'loris' },
      authorization: 'Bearer abc',
      jwtKey: 'k',
    });
    const entry = JSON.parse(lines[0] ?? '{}');
    expect(entry.db).toEqual({ password: '[redacted]', user: 'loris' });
    expect(entry.authorization).toBe('[redacted]');
    expect(entry.jwtKey).toBe('[redacted]');
  });
});

describe('serverTiming', () => {
  it('writes each stage as name;dur=ms, in order, rounded to 0.01 ms', () => {
    expect(
      serverTiming([
        ['auth', 0.1549],
        ['map', 4.2],
        ['draw', 0],
      ]),
    ).toBe('auth;dur=0.15, map;dur=4.2, draw;dur=0');
    expect(serverTiming([])).toBe('');
  });
});

/**
 * A LORIS API token for the upload: the password from `LORIS_PASSWORD` or a prompt that does not echo, then
 * LORIS's own login route `POST <loris>/api/v0.0.3/login` `{username, password}` → `{token}`. The password is
 * never printed nor written anywhere.
 */
import { UsageError } from '../commands';
import { errorMessageOf, NetworkError, quoteBody, RefusedError } from './errors';

export const LOGIN_PATH = '/api/v0.0.3/login';
const LOGIN_TIMEOUT_MS = 30_000;

/** Reads a line from the terminal without echoing it (Ctrl-C aborts, Backspace erases). */
export function promptHidden(question: string): Promise<string> {
  const input = process.stdin;
  return new Promise((resolve, reject) => {
    let typed = '';
    const finish = (error: Error | null): void => {
      input.setRawMode(false);
      input.pause();
      input.removeListener('data', onData);
      process.stderr.write('\n');
      if (error) reject(error);
      else resolve(typed);
    };
    const onData = (data: Buffer): void => {
      for (const char of data.toString('utf8')) {
        if (char === '\r' || char === '\n' || char === '\u0004') return finish(null);
        if (char === '\u0003') return finish(new UsageError('password prompt interrupted'));
        if (char === '\u007f' || char === '\b') typed = typed.slice(0, -1);
        else if (typed.length < 4096) typed += char;
      }
    };
    process.stderr.write(question);
    input.setRawMode(true);
    input.resume();
    input.on('data', onData);
  });
}

/** `LORIS_PASSWORD`, or a hidden prompt when stdin is a terminal; a usage error otherwise. */
export async function readPassword(user: string, lorisUrl: string, env = process.env): Promise<string> {
  if (env.LORIS_PASSWORD !== undefined) return env.LORIS_PASSWORD;
  if (!process.stdin.isTTY)
    throw new UsageError('no password: set LORIS_PASSWORD or run from a terminal to be asked for it');
  return promptHidden(`LORIS password for ${user} at ${lorisUrl}: `);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function postLogin(
  lorisUrl: string,
  username: string,
  password: string,
  retryDelaysMs: number[],
): Promise<Response> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fetch(`${lorisUrl}${LOGIN_PATH}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify({ username, password }),
        redirect: 'error',
        signal: AbortSignal.timeout(LOGIN_TIMEOUT_MS),
      });
    } catch (error) {
      const delay = retryDelaysMs[attempt];
      if (delay === undefined) {
        const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
        throw new NetworkError(`cannot reach LORIS at ${lorisUrl} (${cause})`);
      }
      await sleep(delay);
    }
  }
}

/** Logs in to LORIS's API and returns the token; 401 and LORIS's other refusals are RefusedErrors (exit 3). */
export async function lorisLogin(
  lorisUrl: string,
  username: string,
  password: string,
  retryDelaysMs: number[],
): Promise<string> {
  const response = await postLogin(lorisUrl, username, password, retryDelaysMs);
  const body = await response.text();
  const said = errorMessageOf(body);
  if (response.status === 200) {
    let token: unknown;
    try {
      token = (JSON.parse(body) as { token?: unknown }).token;
    } catch {
      token = undefined;
    }
    if (typeof token === 'string' && token.length > 0) return token;
    throw new RefusedError(`LORIS's login at ${lorisUrl}${LOGIN_PATH} answered without a token`);
  }
  if (response.status === 401)
    throw new RefusedError(`LORIS refused the login of ${username}: ${said ?? 'bad credentials'}`);
  if (response.status === 500 && said === 'Unacceptable JWT key')
    throw new RefusedError(
      "LORIS cannot issue API tokens: its JWTKey Config setting is too weak (LORIS answered 'Unacceptable JWT key'). " +
        'An administrator must set JWTKey to at least 20 characters with a letter, a digit and one of !$^@#%&*() ' +
        '(the seeded default and the installer-generated letters-and-digits key are both refused).',
    );
  if (response.status === 404)
    throw new RefusedError(
      `no LORIS API login at ${lorisUrl}${LOGIN_PATH} (404): is --loris the base URL of LORIS? ${said ?? ''}`.trim(),
    );
  if (response.status >= 502 && response.status <= 504)
    throw new NetworkError(`LORIS at ${lorisUrl} is unavailable (HTTP ${response.status})`);
  throw new RefusedError(
    `LORIS's login answered HTTP ${response.status}: ${said ?? (quoteBody(body) || 'no message')}`,
  );
}

/**
 * The database password from SSM Parameter Store (AWS): read once per process with decryption, one request
 * shared by concurrent cold-start callers, failures not cached and answered 503 database_unavailable (never
 * carrying the value or the SDK's message), LORIS_DB_PASSWORD still winning on premise. No network: the SSM
 * client is a fake; the real SDK is only used to build the command.
 */
import { GetParameterCommand, type GetParameterCommandOutput } from '@aws-sdk/client-ssm';
import { parseConfig } from '../../lib/core/config';
import { ApiError } from '../../lib/core/errors';
import { DatabaseUnavailableError, type DbSettings } from '../../lib/loris/db';
import {
  createParameterPasswords,
  defaultSsmApi,
  withDbPassword,
  type SsmApi,
} from '../../lib/loris/db-password';
import { lorisRuntimeFor, resetAccessStateForTests } from '../../lib/service/access';

// The pool is replaced by a recorder of the settings it would be opened with (no database needed).
const opened: DbSettings[] = [];
jest.mock('../../lib/loris/db', () => {
  const actual = jest.requireActual<typeof import('../../lib/loris/db')>('../../lib/loris/db');
  return {
    ...actual,
    sharedDb: (settings: DbSettings) => {
      opened.push(settings);
      return { rows: () => Promise.resolve([]), close: () => Promise.resolve() };
    },
  };
});

const PARAMETER = '/loris-ephys/aws/db-password';
const SECRET = 's3cr3t-from-ssm';

interface FakeSsm {
  api: () => Promise<SsmApi>;
  inputs: unknown[];
  /** What the next send does: resolve with a value, or reject with an SDK-like error. */
  next: Array<() => Promise<GetParameterCommandOutput>>;
}

const answer = (value: string | undefined) => (): Promise<GetParameterCommandOutput> =>
  Promise.resolve({ Parameter: value === undefined ? {} : { Value: value }, $metadata: {} });
const refuse = (name: string, message: string) => (): Promise<GetParameterCommandOutput> =>
  Promise.reject(Object.assign(new Error(message), { name }));

function fakeSsm(): FakeSsm {
  const fake: FakeSsm = {
    inputs: [],
    next: [],
    api: () =>
      Promise.resolve({
        client: {
          send: (command: GetParameterCommand) => {
            fake.inputs.push(command.input);
            const step = fake.next.shift();
            if (!step) throw new Error('unexpected SSM call');
            return step();
          },
        },
        getParameter: (input) => new GetParameterCommand(input),
      }),
  };
  return fake;
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('SSM database password', () => {
  it('reads the parameter once, decrypted, and keeps it for the process', async () => {
    const ssm = fakeSsm();
    ssm.next.push(answer(SECRET));
    const passwords = createParameterPasswords(ssm.api);
    expect(await passwords(PARAMETER)).toBe(SECRET);
    expect(await passwords(PARAMETER)).toBe(SECRET);
    expect(ssm.inputs).toEqual([{ Name: PARAMETER, WithDecryption: true }]);
  });

  it('shares one request among concurrent cold-start callers', async () => {
    const ssm = fakeSsm();
    let release: (() => void) | undefined;
    ssm.next.push(
      () =>
        new Promise((resolve) => {
          release = () => resolve({ Parameter: { Value: SECRET }, $metadata: {} });
        }),
    );
    const passwords = createParameterPasswords(ssm.api);
    const all = Promise.all([passwords(PARAMETER), passwords(PARAMETER), passwords(PARAMETER)]);
    await new Promise((resolve) => setImmediate(resolve));
    release?.();
    expect(await all).toEqual([SECRET, SECRET, SECRET]);
    expect(ssm.inputs).toHaveLength(1);
  });

  it('does not cache a failure: 503 database_unavailable, then the next call asks again', async () => {
    const ssm = fakeSsm();
    ssm.next.push(refuse('AccessDeniedException', `not allowed to read ${PARAMETER} (${SECRET})`));
    ssm.next.push(answer(SECRET));
    const passwords = createParameterPasswords(ssm.api);
    const error = await rejection(passwords(PARAMETER));
    expect(error).toBeInstanceOf(DatabaseUnavailableError);
    const e = error as DatabaseUnavailableError;
    expect([e.status, e.code, e.driverCode]).toEqual([
      503,
      'database_unavailable',
      'SSM_AccessDeniedException',
    ]);
    // Nothing from the SDK's message (or any value) travels with the error.
    expect(JSON.stringify({ message: e.message, details: e.details, code: e.driverCode })).not.toMatch(
      /s3cr3t|not allowed/,
    );
    expect(await passwords(PARAMETER)).toBe(SECRET);
    expect(ssm.inputs).toHaveLength(2);
  });

  it('treats an empty parameter and an unloadable SDK as unavailable, and retries both', async () => {
    const ssm = fakeSsm();
    ssm.next.push(answer(undefined), answer(SECRET));
    const passwords = createParameterPasswords(ssm.api);
    expect(((await rejection(passwords(PARAMETER))) as DatabaseUnavailableError).driverCode).toBe(
      'SSM_EMPTY_PARAMETER',
    );
    expect(await passwords(PARAMETER)).toBe(SECRET);

    let loads = 0;
    const flaky = createParameterPasswords(() =>
      ++loads === 1 ? Promise.reject(new TypeError('cannot load')) : ssm.api(),
    );
    ssm.next.push(answer(SECRET));
    expect(((await rejection(flaky(PARAMETER))) as DatabaseUnavailableError).driverCode).toBe(
      'SSM_TypeError',
    );
    expect(await flaky(PARAMETER)).toBe(SECRET);
  });

  it('builds a real GetParameter command with decryption (the SDK resolves; nothing is sent)', async () => {
    const { client, getParameter } = await defaultSsmApi();
    const command = getParameter({ Name: PARAMETER, WithDecryption: true });
    expect(command).toBeInstanceOf(GetParameterCommand);
    expect(command.input).toEqual({ Name: PARAMETER, WithDecryption: true });
    (client as { destroy?: () => void }).destroy?.();
  });
});

describe('which password the database settings get', () => {
  const merged: DbSettings = { host: 'db', port: 3306, user: 'u', password: 'from-config-xml' };
  const never = (): Promise<string> => Promise.reject(new Error('SSM must not be asked'));

  it('LORIS_DB_PASSWORD wins over the parameter, and SSM is not asked', async () => {
    const settings = { ...merged, password: 'from-env' };
    const source = { explicitPassword: 'from-env', parameter: PARAMETER };
    expect(await withDbPassword(settings, source, never)).toEqual(settings);
  });

  it('the parameter wins over config.xml; without one the settings are unchanged', async () => {
    const fromSsm = await withDbPassword(merged, { parameter: PARAMETER }, () => Promise.resolve(SECRET));
    expect(fromSsm).toEqual({ ...merged, password: SECRET });
    expect(await withDbPassword(merged, {}, never)).toEqual(merged);
  });

  it('takes LORIS_DB_PASSWORD_PARAMETER from the environment (a full name, starting with /)', () => {
    expect(parseConfig({ LORIS_DB_PASSWORD_PARAMETER: PARAMETER }).dbPasswordParameter).toBe(PARAMETER);
    expect(parseConfig({ LORIS_DB_PASSWORD_PARAMETER: '' }).dbPasswordParameter).toBeUndefined();
    expect(() => parseConfig({ LORIS_DB_PASSWORD_PARAMETER: 'db-password' })).toThrow(
      /LORIS_DB_PASSWORD_PARAMETER/,
    );
  });
});

describe('the LORIS runtime with an SSM password', () => {
  beforeEach(() => {
    resetAccessStateForTests();
    opened.length = 0;
  });
  afterAll(() => resetAccessStateForTests());

  const env = {
    LORIS_DB_HOST: 'db.internal',
    LORIS_DB_USER: 'loris_ephys',
    LORIS_DB_PASSWORD_PARAMETER: PARAMETER,
  };

  it('opens the pool with the decrypted password; a failed read is a 503 and is retried on the next request', async () => {
    const ssm = fakeSsm();
    ssm.next.push(refuse('ThrottlingException', 'slow down'), answer(SECRET));
    const passwords = createParameterPasswords(ssm.api);
    const config = parseConfig(env);
    const error = await rejection(lorisRuntimeFor(config, env, passwords));
    expect(error).toBeInstanceOf(ApiError);
    expect([(error as ApiError).status, (error as ApiError).code]).toEqual([503, 'database_unavailable']);
    expect(opened).toEqual([]);
    await lorisRuntimeFor(config, env, passwords);
    expect(opened).toEqual([
      expect.objectContaining({ host: 'db.internal', user: 'loris_ephys', password: SECRET }),
    ]);
    await lorisRuntimeFor(config, env, passwords);
    expect(ssm.inputs).toHaveLength(2);
  });

  it('uses LORIS_DB_PASSWORD when it is set (on premise), without asking SSM', async () => {
    const withPlain = { ...env, LORIS_DB_PASSWORD: 'plain' };
    await lorisRuntimeFor(parseConfig(withPlain), withPlain, () => Promise.reject(new Error('asked SSM')));
    expect(opened).toEqual([expect.objectContaining({ password: 'plain' })]);
  });
});

/**
 * The database password on AWS: a SecureString in SSM Parameter Store named by LORIS_DB_PASSWORD_PARAMETER,
 * read with decryption on first use and kept in memory for the life of the process (never in the environment,
 * never logged). A failed read is not remembered: the next request tries again, and meanwhile the answer is
 * 503 database_unavailable like any other way of not reaching the database. On premise LORIS_DB_PASSWORD (or
 * config.xml) is used as before and SSM is never contacted.
 */
import type { GetParameterCommand, GetParameterCommandOutput } from '@aws-sdk/client-ssm';
import { DatabaseUnavailableError, type DbSettings } from './db';

/** The one SSM call made here; the real SSMClient satisfies it, tests pass a fake. */
export interface SsmClientLike {
  send(command: GetParameterCommand): Promise<GetParameterCommandOutput>;
}

export interface SsmApi {
  client: SsmClientLike;
  /** Builds the GetParameter request (the SDK's command class, so a fake client sees the real input). */
  getParameter(input: { Name: string; WithDecryption: boolean }): GetParameterCommand;
}

/** Reads a SecureString parameter's decrypted value (cached per name). */
export type ParameterPasswords = (name: string) => Promise<string>;

/** SSM must answer quickly or not at all: a missing VPC endpoint must not hold a request until Lambda's timeout. */
const SSM_TIMEOUT_MS = 3000;

/**
 * The AWS SDK, loaded on first use (only processes configured for SSM pay for it). It is external to the
 * bundles: the Lambda Node.js 20 runtime provides AWS SDK v3, and locally it resolves from node_modules.
 */
export async function defaultSsmApi(): Promise<SsmApi> {
  const { SSMClient, GetParameterCommand } = await import('@aws-sdk/client-ssm');
  const client = new SSMClient({
    maxAttempts: 2,
    requestHandler: { connectionTimeout: SSM_TIMEOUT_MS, requestTimeout: SSM_TIMEOUT_MS },
  });
  return { client, getParameter: (input) => new GetParameterCommand(input) };
}

/** A driver code for logs and health details: the SDK error's name only, never its message or any value. */
function ssmFailureCode(error: unknown): string {
  const name = (error as { name?: unknown } | null)?.name;
  return typeof name === 'string' && /^[A-Z0-9]{1,64}$/i.test(name) ? `SSM_${name}` : 'SSM_ERROR';
}

async function readParameter(api: () => Promise<SsmApi>, name: string): Promise<string> {
  let output: GetParameterCommandOutput;
  try {
    const { client, getParameter } = await api();
    output = await client.send(getParameter({ Name: name, WithDecryption: true }));
  } catch (error) {
    throw new DatabaseUnavailableError(ssmFailureCode(error));
  }
  const value = output.Parameter?.Value;
  if (value === undefined || value === '') throw new DatabaseUnavailableError('SSM_EMPTY_PARAMETER');
  return value;
}

/**
 * A per-process password reader over `api` (created once, on first use): one request per parameter name,
 * shared by concurrent callers; a failure is forgotten so that the next call asks again.
 */
export function createParameterPasswords(api: () => Promise<SsmApi> = defaultSsmApi): ParameterPasswords {
  let apiOnce: Promise<SsmApi> | undefined;
  const sharedApi = (): Promise<SsmApi> => {
    apiOnce ??= api().catch((error: unknown) => {
      apiOnce = undefined;
      throw error;
    });
    return apiOnce;
  };
  const values = new Map<string, Promise<string>>();
  return (name) => {
    let value = values.get(name);
    if (!value) {
      value = readParameter(sharedApi, name);
      values.set(name, value);
      const mine = value;
      mine.catch(() => {
        if (values.get(name) === mine) values.delete(name);
      });
    }
    return value;
  };
}

/** The process-wide reader used by the handlers. */
export const parameterPasswords: ParameterPasswords = createParameterPasswords();

/**
 * Completes merged database settings with the password: an explicit LORIS_DB_PASSWORD (`explicitPassword`)
 * wins; otherwise the SSM parameter when one is named; otherwise the settings as they are (config.xml or none).
 */
export async function withDbPassword(
  settings: DbSettings,
  source: { explicitPassword?: string; parameter?: string },
  passwords: ParameterPasswords = parameterPasswords,
): Promise<DbSettings> {
  if (source.explicitPassword !== undefined || source.parameter === undefined) return settings;
  return { ...settings, password: await passwords(source.parameter) };
}

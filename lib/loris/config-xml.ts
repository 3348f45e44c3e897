/**
 * LORIS's `project/config.xml`: only its `<database>` section (host, username, password, database) is used,
 * to reach the same database LORIS uses. LORIS_DB_* environment variables win over it.
 */
import { readFile, stat } from 'node:fs/promises';
import { XMLParser } from 'fast-xml-parser';
import { ApiError } from '../core/errors';
import type { DbSettings } from './db';

export interface XmlDatabase {
  host?: string;
  username?: string;
  password?: string;
  database?: string;
}

const MAX_CONFIG_XML_BYTES = 1024 * 1024;

const configInvalid = (reason: string): ApiError =>
  new ApiError(500, 'config_invalid', `Invalid configuration: LORIS_CONFIG_XML ${reason}`);

const text = (value: unknown): string | undefined =>
  typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;

/** Parses config.xml text; entity declarations are refused (no expansion attacks from a config file). */
export function parseLorisConfigXml(xml: string): XmlDatabase {
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) throw configInvalid('must not declare a DOCTYPE or entities');
  let doc: unknown;
  try {
    const parser = new XMLParser({ parseTagValue: false, trimValues: false, ignoreAttributes: true });
    doc = parser.parse(xml, true);
  } catch {
    throw configInvalid('is not well-formed XML');
  }
  const config = (doc as { config?: { database?: unknown } } | null)?.config;
  const database = config?.database;
  if (!database || typeof database !== 'object') throw configInvalid('has no <config><database> section');
  const d = database as Record<string, unknown>;
  return {
    host: text(d.host),
    username: text(d.username),
    password: text(d.password),
    database: text(d.database),
  };
}

/** Reads config.xml (ISO-8859-1 when it says so, as LORIS's own file does; UTF-8 otherwise). */
export async function readLorisConfigXml(path: string): Promise<XmlDatabase> {
  let bytes: Buffer;
  try {
    if ((await stat(path)).size > MAX_CONFIG_XML_BYTES) throw configInvalid('is too large');
    bytes = await readFile(path);
  } catch (error) {
    if (error instanceof ApiError) throw error;
    throw configInvalid('cannot be read');
  }
  const head = bytes.subarray(0, 200).toString('latin1');
  const latin1 = /encoding=["']ISO-8859-1["']/i.test(head);
  return parseLorisConfigXml(bytes.toString(latin1 ? 'latin1' : 'utf8'));
}

/**
 * Database settings: an explicitly set LORIS_DB_* variable wins, then config.xml, then the defaults already in
 * `base` (parsed configuration). `env` is the raw environment, to tell "set" from "defaulted".
 */
export function mergeDbSettings(
  base: DbSettings,
  xml: XmlDatabase | undefined,
  env: Record<string, string | undefined>,
): DbSettings {
  const isSet = (name: string): boolean => (env[name] ?? '') !== '';
  const pick = <T>(envName: string, fromEnv: T, fromXml: T | undefined): T =>
    isSet(envName) || fromXml === undefined || fromXml === '' ? fromEnv : fromXml;
  return {
    ...base,
    host: pick('LORIS_DB_HOST', base.host, xml?.host),
    user: pick('LORIS_DB_USER', base.user, xml?.username),
    password: pick('LORIS_DB_PASSWORD', base.password, xml?.password),
    database: pick('LORIS_DB_NAME', base.database, xml?.database),
  };
}

/**
 * `upload`'s command line turned into a plan: the LORIS site, the account, what the archive targets, and how to
 * send it. Everything here is checked before any network or disk work (exit 2 on a wrong line).
 */
import { existsSync, statSync } from 'node:fs';
import { userInfo } from 'node:os';
import { basename, resolve } from 'node:path';
import { UPLOAD_KINDS, type UploadKind, type UploadTarget } from '../../lib/uploads/types';
import { flagOption, stringOption, UsageError, type OptionSpecs, type ParsedArgs } from '../commands';

export const DEFAULT_CHUNK_BYTES = 8 * 1024 * 1024;
const MIN_CHUNK_BYTES = 64 * 1024;
const MAX_CHUNK_BYTES = 1024 * 1024 * 1024;

export const uploadOptions: OptionSpecs = {
  loris: { type: 'string' },
  kind: { type: 'string' },
  pscid: { type: 'string' },
  candid: { type: 'string' },
  visit: { type: 'string' },
  user: { type: 'string' },
  phantom: { type: 'boolean' },
  'dry-run': { type: 'boolean' },
  'chunk-size': { type: 'string' },
  'no-wait': { type: 'boolean' },
  'wait-timeout': { type: 'string' },
  timeout: { type: 'string' },
  json: { type: 'boolean' },
  retries: { type: 'string' },
};

const DEFAULT_RETRIES = 8;

export interface UploadPlan {
  /** The file or directory to send, absolute. */
  source: string;
  sourceIsDirectory: boolean;
  /** LORIS's base URL without a trailing slash, e.g. `https://site.example/loris`. */
  lorisUrl: string;
  user: string;
  target: UploadTarget;
  dryRun: boolean;
  chunkBytes: number;
  wait: boolean;
  /** How long to follow the upload's state after the last byte, in ms. */
  waitTimeoutMs: number;
  /** A request with no network activity for this long is abandoned (and retried), in ms. */
  idleTimeoutMs: number;
  json: boolean;
  /** Retries with backoff after a network failure (tus requests, login, status polls). */
  retries: number;
}

const SIZE_UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1000,
  kb: 1000,
  kib: 1024,
  m: 1000 ** 2,
  mb: 1000 ** 2,
  mib: 1024 ** 2,
  g: 1000 ** 3,
  gb: 1000 ** 3,
  gib: 1024 ** 3,
};

/** `8MiB`, `5MB`, `512KiB`, `1048576` → bytes. */
export function parseByteSize(text: string): number {
  const match = /^(\d{1,10}(?:\.\d{1,6})?)\s?([a-z]{0,3})$/i.exec(text.trim());
  const unit = SIZE_UNITS[(match?.[2] ?? '?').toLowerCase()];
  if (!match || unit === undefined) throw new UsageError(`not a size: '${text}' (e.g. 8MiB, 5MB, 1048576)`);
  return Math.floor(Number(match[1]) * unit);
}

function parseRetries(args: ParsedArgs): number {
  const text = stringOption(args, 'retries');
  if (text === undefined) return DEFAULT_RETRIES;
  const retries = Number(text);
  if (!Number.isInteger(retries) || retries < 0 || retries > 50) throw new UsageError('--retries is 0 to 50');
  return retries;
}

function parseSeconds(args: ParsedArgs, name: string, fallback: number): number {
  const text = stringOption(args, name);
  if (text === undefined) return fallback * 1000;
  const seconds = Number(text);
  if (!Number.isFinite(seconds) || seconds <= 0) throw new UsageError(`--${name} is a number of seconds > 0`);
  return seconds * 1000;
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/** LORIS's base URL: https (http only on this machine, since the password crosses it), no query, no trailing slash. */
export function parseLorisUrl(text: string | undefined): string {
  if (!text) throw new UsageError('--loris <https://site/loris> is required');
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`--loris: not a URL: '${text}'`);
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.has(url.hostname)))
    throw new UsageError('--loris must be an https:// URL (http:// only for localhost)');
  if (url.search || url.hash || url.username || url.password)
    throw new UsageError('--loris is the base URL of LORIS, without query, fragment or credentials');
  let href = url.href;
  while (href.endsWith('/')) href = href.slice(0, -1);
  return href;
}

// Identifiers end up in a file name and in LORIS's lookups: no path separators, no spaces, no control characters.
const PSCID_RULE = /^[\w.-]{1,255}$/;
const CANDID_RULE = /^\d{1,10}$/;
const VISIT_RULE = /^[\w.-]{1,255}$/;

function required(args: ParsedArgs, name: string, rule: RegExp, what: string, needed: boolean): string {
  const value = stringOption(args, name);
  if (value === undefined) {
    if (needed) throw new UsageError(`--${name} is required`);
    return '';
  }
  if (!rule.test(value)) throw new UsageError(`--${name}: ${what}`);
  return value;
}

/** The name LORIS's uploader expects for a packed directory. */
export function archiveNameFor(target: Omit<UploadTarget, 'filename'>, directory: string): string {
  const stem = `${target.pscid}_${target.candid}_${target.visit}`;
  if (target.kind === 'eeg-bids') return `${stem}_bids.tar.gz`;
  if (target.isPhantom && !target.pscid) return `${basename(directory)}.tar.gz`;
  return `${stem}.tar.gz`;
}

/**
 * Whether an archive's own name is the one LORIS's uploader accepts for this target (null: fine; otherwise why
 * not). EEG: exactly `{PSCID}_{CandID}_{Visit}_bids.tar.gz`; DICOM: `{PSCID}_{CandID}_{Visit}[_…].(tgz|tar.gz|zip)`,
 * any name for phantoms.
 */
export function archiveNameProblem(target: UploadTarget): string | null {
  const stem = `${target.pscid}_${target.candid}_${target.visit}`;
  const name = target.filename;
  if (target.kind === 'eeg-bids') {
    return name === `${stem}_bids.tar.gz` ? null : `an EEG BIDS archive must be named ${stem}_bids.tar.gz`;
  }
  const extension = ['.tar.gz', '.tgz', '.zip'].find((ext) => name.toLowerCase().endsWith(ext));
  if (!extension) return 'a DICOM archive must be a .tar.gz, .tgz or .zip file';
  if (target.isPhantom) return null;
  const base = name.slice(0, -extension.length);
  return base === stem || base.startsWith(`${stem}_`)
    ? null
    : `a DICOM archive must be named ${stem}[_…]${extension}`;
}

function parseKind(text: string | undefined): UploadKind {
  if (text === undefined) throw new UsageError('--kind eeg-bids|dicom is required');
  const kind = UPLOAD_KINDS.find((k) => k === text);
  if (!kind) throw new UsageError(`--kind must be one of ${UPLOAD_KINDS.join(', ')}`);
  return kind;
}

export function parseUploadPlan(args: ParsedArgs, env: NodeJS.ProcessEnv = process.env): UploadPlan {
  if (args.positionals.length !== 1) throw new UsageError('expected exactly one file or directory to upload');
  const source = resolve(args.positionals[0] as string);
  if (!existsSync(source)) throw new UsageError(`no such file or directory: ${source}`);
  const stats = statSync(source);
  if (!stats.isFile() && !stats.isDirectory()) throw new UsageError(`not a file or directory: ${source}`);
  const kind = parseKind(stringOption(args, 'kind'));
  const isPhantom = flagOption(args, 'phantom');
  if (isPhantom && kind !== 'dicom') throw new UsageError('--phantom is for --kind dicom only');
  const needIds = !isPhantom;
  const partial = {
    kind,
    pscid: required(args, 'pscid', PSCID_RULE, 'letters, digits, ".", "_" or "-"', needIds),
    candid: required(args, 'candid', CANDID_RULE, 'the CandID is digits', needIds),
    visit: required(args, 'visit', VISIT_RULE, 'letters, digits, ".", "_" or "-"', needIds),
    isPhantom,
  };
  const target: UploadTarget = {
    ...partial,
    filename: stats.isDirectory() ? archiveNameFor(partial, source) : basename(source),
  };
  if (stats.isFile()) {
    const problem = archiveNameProblem(target);
    if (problem) throw new UsageError(`${basename(source)}: ${problem}`);
  }
  const chunkText = stringOption(args, 'chunk-size');
  const chunkBytes = chunkText === undefined ? DEFAULT_CHUNK_BYTES : parseByteSize(chunkText);
  if (chunkBytes < MIN_CHUNK_BYTES || chunkBytes > MAX_CHUNK_BYTES)
    throw new UsageError('--chunk-size must be between 64KiB and 1GiB');
  const dryRun = flagOption(args, 'dry-run');
  return {
    source,
    sourceIsDirectory: stats.isDirectory(),
    // Not needed for a dry run (nothing is sent), checked when given.
    lorisUrl: dryRun && !stringOption(args, 'loris') ? '' : parseLorisUrl(stringOption(args, 'loris')),
    user: stringOption(args, 'user') ?? env.LORIS_USER ?? userInfo().username,
    target,
    dryRun,
    chunkBytes,
    wait: !flagOption(args, 'no-wait'),
    waitTimeoutMs: parseSeconds(args, 'wait-timeout', 6 * 3600),
    idleTimeoutMs: parseSeconds(args, 'timeout', 120),
    json: flagOption(args, 'json'),
    retries: parseRetries(args),
  };
}

/**
 * What sensors and topomap handlers call: authorise the caller for the recording in the path, gather what
 * LORIS knows about it (stored electrodes, channel status, events) and open it through the cached recording
 * layer. Standalone mode has no database, so only the file and its sidecars count.
 */
import { createHash } from 'node:crypto';
import { notFound } from '../core/errors';
import type { HttpEvent, RequestContext } from '../core/http';
import type { Logger } from '../core/log';
import type { Db } from '../loris/db';
import { storedChannels } from '../loris/channels';
import { storedPositions, type StoredPoint } from '../loris/electrodes';
import { storedEvents } from '../loris/events';
import type { Fiducials, LengthUnit, Vec3 } from '../readers/positions';
import { authorizeRecording, lorisRuntimeFor, type AuthorizedRecording } from './access';
import type { LorisRecordingExtras, OpenedRecording, StoredElectrodes } from './open-recording';
import { openSource, type RecordingSource } from './recording-source';
import { createMemo } from './memo';
import { getConfig } from './runtime';

export interface RequestedRecording {
  access: AuthorizedRecording;
  opened: OpenedRecording;
}

const LENGTH_UNITS: readonly string[] = ['m', 'cm', 'mm'];
const FIDUCIAL_NAMES: Record<keyof Fiducials, string[]> = {
  nasion: ['nas', 'nasion', 'nz'],
  lpa: ['lpa', 'lpf', 'left'],
  rpa: ['rpa', 'rpf', 'right'],
};

const vec = (p: StoredPoint): Vec3 => [p.x ?? NaN, p.y ?? NaN, p.z ?? NaN];

/** LORIS's stored electrodes as positions in their coordinate system; null when there are none. */
export function toStoredElectrodes(
  electrodes: StoredPoint[],
  landmarks: StoredPoint[],
): StoredElectrodes | null {
  const first = electrodes[0];
  if (!first) return null;
  const unit = (LENGTH_UNITS.includes(first.unit ?? '') ? first.unit : 'm') as LengthUnit;
  const system = first.coordSystem.orientation || first.coordSystem.name || 'n/a';
  const sameSystem = landmarks.filter((l) => l.coordSystem.id === first.coordSystem.id);
  const find = (names: string[]): Vec3 | undefined => {
    const hit = sameSystem.find((l) => names.includes(l.name.toLowerCase().replace(/[\s_-]/g, '')));
    return hit ? vec(hit) : undefined;
  };
  const [nasion, lpa, rpa] = [
    find(FIDUCIAL_NAMES.nasion),
    find(FIDUCIAL_NAMES.lpa),
    find(FIDUCIAL_NAMES.rpa),
  ];
  const stored: StoredElectrodes = {
    points: electrodes.map((e) => ({ name: e.name, r: vec(e) })),
    unit,
    system,
  };
  if (nasion && lpa && rpa) stored.fiducials = { nasion, lpa, rpa };
  return stored;
}

/**
 * What LORIS stores for a recording: electrodes, channel status and, unless `events` is false, its events (a
 * recording can have thousands, and only ERP maps and the recording's description read them).
 */
export async function lorisExtras(
  db: Db,
  fileId: number,
  options: { events?: boolean } = {},
): Promise<LorisRecordingExtras> {
  const [positions, channels, events] = await Promise.all([
    storedPositions(db, fileId),
    storedChannels(db, fileId),
    options.events === false ? undefined : storedEvents(db, fileId),
  ]);
  const extras: LorisRecordingExtras = {
    electrodes: toStoredElectrodes(positions.electrodes, positions.landmarks),
    badChannels: channels.filter((c) => c.status?.toLowerCase() === 'bad').map((c) => c.name),
  };
  if (events) {
    extras.events = events.map((e) => ({
      onset: e.onset,
      duration: e.duration,
      type: e.eventType ?? e.trialType ?? 'event',
      value: e.eventValue ?? e.trialType ?? '',
    }));
  }
  return extras;
}

type KeyedExtras = { extras: LorisRecordingExtras; extrasKey: string };

/** Extras with their key; extras read without events say so in the key, so they are never taken for complete ones. */
const keyed = (extras: LorisRecordingExtras, events = true): KeyedExtras => ({
  extras,
  extrasKey:
    createHash('sha1').update(JSON.stringify(extras)).digest('hex').slice(0, 16) +
    (events ? '' : '/no-events'),
});
const NO_EXTRAS = keyed({});

/**
 * LORIS's extras per recording id (with or without its events) and their key, reused like the authorisation lookups
 * (LORIS_EPHYS_AUTH_CACHE_MS): a changed electrode table, channel status or event list is seen within that bound.
 */
const extrasMemo = createMemo<KeyedExtras>(256);

/** LORIS's extras for recording `id` with their key, through the memo (LORIS_EPHYS_AUTH_CACHE_MS). */
const extrasOf = (db: Db, id: number, ttlMs: number, events = true): Promise<KeyedExtras> =>
  extrasMemo.get(events ? String(id) : `${id}/no-events`, ttlMs, async () =>
    keyed(await lorisExtras(db, id, { events }), events),
  );

/**
 * An authorised recording and, in LORIS mode, its extras looked up beside the authorisation lookups (they start
 * once the token's signature holds, with the file row): a first request for a recording waits for one round of
 * queries instead of two. The extras are only used once authorisation has passed.
 */
export interface AuthorizedWithExtras {
  access: AuthorizedRecording;
  extras?: Promise<KeyedExtras>;
}

/** `events: false`: LORIS's events are left out of the extras (see lorisExtras). */
export async function authorizeWithExtras(
  event: HttpEvent,
  log?: Logger,
  options: { events?: boolean } = {},
): Promise<AuthorizedWithExtras> {
  let extras: Promise<KeyedExtras> | undefined;
  const access = await authorizeRecording(event, event.pathParameters?.physio_file_id, {
    log,
    alongside: (db, id) => {
      extras = extrasOf(db, id, getConfig().authCacheMs, options.events !== false);
      extras.catch(() => undefined); // observed by recordingSource, or dropped with a refused request
    },
  });
  return { access, extras };
}

/**
 * What LORIS knows about an authorised recording (404 when its file is missing); `prefetched` is the lookup
 * authorizeWithExtras started for this recording, else it is looked up here (without its events when `events` is
 * false).
 */
export async function recordingSource(
  access: AuthorizedRecording,
  options: { condition?: number; prefetched?: Promise<KeyedExtras>; events?: boolean } = {},
): Promise<RecordingSource> {
  const config = getConfig();
  if (!access.presentOnDisk)
    throw notFound('recording_missing', 'The recording is registered but its file is not on disk.');
  const { extras, extrasKey } =
    config.mode === 'loris' && access.file
      ? await (options.prefetched ??
          extrasOf(
            (await lorisRuntimeFor(config)).db,
            access.id,
            config.authCacheMs,
            options.events !== false,
          ))
      : NO_EXTRAS;
  return {
    path: access.absolutePath,
    dataRoot: access.dataRoot,
    physioFileId: access.id,
    extras,
    extrasKey,
    condition: options.condition,
    maxDecodedBytes: config.limits.maxDecodedBytes,
  };
}

/** Opens an authorised recording with what LORIS knows about it (cached per identity and extras). */
export async function openAuthorized(
  access: AuthorizedRecording,
  options: { condition?: number; log?: Logger } = {},
): Promise<OpenedRecording> {
  return openSource(await recordingSource(access, options), options.log);
}

/** `events: false` for a route that does not read the recording's events (see lorisExtras). */
export async function openRequestedRecording(
  event: HttpEvent,
  ctx: Pick<RequestContext, 'log'>,
  options: { condition?: number; events?: boolean } = {},
): Promise<RequestedRecording> {
  const { access, extras } = await authorizeWithExtras(event, ctx.log, { events: options.events });
  const source = await recordingSource(access, { ...options, prefetched: extras });
  return { access, opened: await openSource(source, ctx.log) };
}

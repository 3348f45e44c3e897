/**
 * Sensor positions for the viewer's 3D map (pure): MEG coil centres and coil frames, EEG electrode positions,
 * fiducials and the device-to-head transform, in the head or device frame, metres.
 */
import type { ChannelInfo, ChannelType, FileUnits, RecordingInfo } from '../readers/types';

export type Frame = 'head' | 'device';
type V3 = [number, number, number];

export interface SensorChannel {
  name: string;
  type: ChannelType;
  coilType: number;
  unit: string;
  position: V3 | null;
  orientation: { ex: V3; ey: V3; ez: V3 } | null;
  status: 'good' | 'bad';
}

export interface SensorsResponse {
  coordinateFrame: Frame;
  unit: 'm';
  devHeadTransform: number[][] | null;
  fiducials: { nasion: V3; lpa: V3; rpa: V3 } | null;
  channels: SensorChannel[];
  positionSource: string;
  /** The unit inferred for the file's own positions (when they are the ones given and had no unit). */
  fileUnits?: FileUnits;
}

const MEG_TYPES: ReadonlySet<ChannelType> = new Set(['mag', 'grad', 'ref_meg']);

export function invertRigid(t: number[][]): number[][] {
  const r = (i: number, j: number): number => t[i]?.[j] ?? 0;
  const rt = [0, 1, 2].map((i) => [0, 1, 2].map((j) => r(j, i)));
  const move = [r(0, 3), r(1, 3), r(2, 3)];
  const inv = rt.map((row) => [...row, -(row[0]! * move[0]! + row[1]! * move[1]! + row[2]! * move[2]!)]);
  return [...inv, [0, 0, 0, 1]];
}

export const applyPoint = (t: number[][], p: V3): V3 =>
  [0, 1, 2].map(
    (i) => (t[i]?.[0] ?? 0) * p[0] + (t[i]?.[1] ?? 0) * p[1] + (t[i]?.[2] ?? 0) * p[2] + (t[i]?.[3] ?? 0),
  ) as V3;

export const applyVector = (t: number[][], v: V3): V3 =>
  [0, 1, 2].map((i) => (t[i]?.[0] ?? 0) * v[0] + (t[i]?.[1] ?? 0) * v[1] + (t[i]?.[2] ?? 0) * v[2]) as V3;

const slice3 = (loc: number[], start: number): V3 => [
  loc[start] ?? NaN,
  loc[start + 1] ?? NaN,
  loc[start + 2] ?? NaN,
];
const finite = (v: V3): boolean => v.every(Number.isFinite);
const nonZero = (v: V3): boolean => v.some((x) => x !== 0);

/** The transform taking a channel's own frame to the requested one, or null when it is unknown. */
function frameTransform(ch: ChannelInfo, frame: Frame, devHead: number[][] | null): number[][] | null {
  const identity = [
    [1, 0, 0, 0],
    [0, 1, 0, 0],
    [0, 0, 1, 0],
    [0, 0, 0, 1],
  ];
  if (ch.coordFrame === frame) return identity;
  if (!devHead || ch.coordFrame === 'unknown') return null;
  return ch.coordFrame === 'device' ? devHead : invertRigid(devHead);
}

export function sensorChannel(
  ch: ChannelInfo,
  bads: ReadonlySet<string>,
  frame: Frame,
  devHead: number[][] | null,
): SensorChannel {
  const t = frameTransform(ch, frame, devHead);
  const r0 = slice3(ch.loc, 0);
  const hasPos = t !== null && finite(r0) && nonZero(r0);
  const isMeg = MEG_TYPES.has(ch.type);
  const axes = [slice3(ch.loc, 3), slice3(ch.loc, 6), slice3(ch.loc, 9)] as const;
  const hasAxes = isMeg && t !== null && axes.every((a) => finite(a) && nonZero(a));
  return {
    name: ch.name,
    type: ch.type,
    coilType: ch.coilType,
    unit: ch.unit,
    position: hasPos && t ? applyPoint(t, r0) : null,
    orientation:
      hasAxes && t
        ? { ex: applyVector(t, axes[0]), ey: applyVector(t, axes[1]), ez: applyVector(t, axes[2]) }
        : null,
    status: bads.has(ch.name) ? 'bad' : 'good',
  };
}

export function fiducialsOf(info: RecordingInfo, frame: Frame): SensorsResponse['fiducials'] {
  const find = (ident: number): V3 | undefined =>
    info.dig.find((d) => d.kind === 'cardinal' && d.ident === ident && d.coordFrame === 'head')?.r;
  const [lpa, nasion, rpa] = [find(1), find(2), find(3)];
  if (!lpa || !nasion || !rpa) return null;
  if (frame === 'head') return { nasion, lpa, rpa };
  if (!info.devHeadT) return null;
  const headDev = invertRigid(info.devHeadT);
  return {
    nasion: applyPoint(headDev, nasion),
    lpa: applyPoint(headDev, lpa),
    rpa: applyPoint(headDev, rpa),
  };
}

export function sensorsResponse(
  info: RecordingInfo,
  options: { frame: Frame; types?: readonly string[]; positionSource: string },
): SensorsResponse {
  const bads = new Set(info.bads);
  const wanted = options.types && options.types.length > 0 ? new Set(options.types) : null;
  const channels = info.channels
    .filter((c) => (wanted ? wanted.has(c.type) : true))
    .map((c) => sensorChannel(c, bads, options.frame, info.devHeadT));
  const hasEeg = channels.some((c) => c.type === 'eeg');
  return {
    coordinateFrame: options.frame,
    unit: 'm',
    devHeadTransform: info.devHeadT,
    fiducials: fiducialsOf(info, options.frame),
    channels,
    positionSource: hasEeg ? options.positionSource : channels.some((c) => c.position) ? 'file' : 'none',
    ...(info.fileUnits && hasEeg && options.positionSource === 'file' ? { fileUnits: info.fileUnits } : {}),
  };
}

/** The proof of concept's `/meg/sensors` shape: head frame, metres, `type` a plain string. */
export function pocSensors(info: RecordingInfo): {
  sensors: Record<string, { x: number; y: number; z: number; unit: string | null; type: string }>;
} {
  const bads = new Set(info.bads);
  const sensors: Record<string, { x: number; y: number; z: number; unit: string | null; type: string }> = {};
  for (const ch of info.channels) {
    const s = sensorChannel(ch, bads, 'head', info.devHeadT);
    if (!s.position) continue;
    sensors[ch.name] = {
      x: s.position[0],
      y: s.position[1],
      z: s.position[2],
      unit: ch.unit || null,
      type: ch.type,
    };
  }
  return { sensors };
}

/** Electrode positions: standard montages, BIDS sidecars, conversion to MNE's head frame. */
export { toHeadFrame, rasToNeuromagTrans, applyTrans, systemOrientation, toRas } from './frames';
export type { Fiducials, LengthUnit, NamedPoint, Vec3 } from './frames';
export { matchMontage, montagePositions, MONTAGE_NAMES } from './montages';
export type { MontageMatch } from './montages';
export {
  parseElectrodesTsv,
  parseChannelsTsv,
  parseCoordsystemJson,
  badChannels,
  bidsEntities,
  findSidecars,
  readBidsPositions,
} from './bids';
export type { BidsChannel, BidsPositions, CoordSystem, Electrode, Sidecars } from './bids';

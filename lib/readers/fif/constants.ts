/** FIFF constants used by the reader (values from MNE-Python's `io/constants.py`). */

/** Tag kinds. */
export const TAG = {
  fileId: 100,
  dirPointer: 101,
  dir: 102,
  blockStart: 104,
  blockEnd: 105,
  refRole: 115,
  nchan: 200,
  sfreq: 201,
  chInfo: 203,
  comment: 206,
  nave: 207,
  firstSample: 208,
  lastSample: 209,
  aspectKind: 210,
  digPoint: 213,
  coordTrans: 222,
  noSamples: 228,
  firstTime: 229,
  name: 233,
  dataBuffer: 300,
  dataSkip: 301,
  epoch: 302,
  mneCoordFrame: 3506,
  mneChNameList: 3507,
  projItemKind: 3411,
  projItemNvec: 3414,
  projItemVectors: 3415,
  projItemChNameList: 3417,
  projItemActive: 3560,
} as const;

/** Extended channel info tags (inside FIFFB_CH_INFO blocks). */
export const CH_TAG = {
  scanNo: 250,
  logNo: 251,
  kind: 252,
  range: 253,
  cal: 254,
  loc: 255,
  unit: 256,
  unitMul: 257,
  dacqName: 258,
  coilType: 350,
  coordFrame: 351,
} as const;

/** Block kinds. */
export const BLOCK = {
  meas: 100,
  measInfo: 101,
  rawData: 102,
  processedData: 103,
  evoked: 104,
  aspect: 105,
  isotrak: 107,
  hpiResult: 109,
  continuousData: 112,
  chInfo: 113,
  ref: 118,
  iasRawData: 119,
  iasAspect: 120,
  proj: 313,
  projItem: 314,
  mneBadChannels: 359,
  mneCtfComp: 370,
  mneEpochs: 373,
  mneAnnotations: 3810,
} as const;

/** Payload types. */
export const TYPE = {
  void: 0,
  byte: 1,
  short: 2,
  int: 3,
  float: 4,
  double: 5,
  julian: 6,
  ushort: 7,
  uint: 8,
  string: 10,
  dauPack16: 16,
  complexFloat: 20,
  complexDouble: 21,
  chInfoStruct: 30,
  idStruct: 31,
  dirEntryStruct: 32,
  digPointStruct: 33,
  coordTransStruct: 35,
} as const;

/** Matrix coding bits in the type field (`type & 0xFFFF0000`). */
export const MATRIX = { mask: 0xffff0000, dense: 0x40000000, ccs: 0x40100000, rcs: 0x40200000 } as const;

export const COORD = { device: 1, head: 4, ctfHead: 1004 } as const;

export const ROLE_NEXT_FILE = 2;

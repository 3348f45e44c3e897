/**
 * Writes a small synthetic DICOM study with dcmjs (no third-party DICOM files needed): MR images (8×8 pixels unless asked
 * otherwise) in the series asked for, all with one PatientName (`PSCID_CandID_Visit` for LORIS). Used by the upload-check tests
 * (test/helpers/dicom-study.ts) and by hand:
 *
 *   node scripts/run-ts.mjs scripts/make-dicom-study.ts <out-folder> [PatientName]
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import dcmjs from 'dcmjs';

export interface SeriesSpec {
  number: number;
  description: string;
  images: number;
  /** Rows = columns of each image (default 8). */
  side?: number;
}

export interface StudySpec {
  patientName: string;
  series: SeriesSpec[];
}

export const DEFAULT_SERIES: SeriesSpec[] = [
  { number: 1, description: 't1_mprage', images: 3 },
  { number: 2, description: 't2_tse', images: 2 },
];

const MR_IMAGE_STORAGE = '1.2.840.10008.5.1.4.1.1.4';
const EXPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2.1';
const DEFAULT_SIDE = 8;

/** One MR image as DICOM Part 10 bytes. */
function mrImage(spec: StudySpec, ids: { study: string; series: string }, series: SeriesSpec, index: number) {
  const { DicomMetaDictionary, DicomDict } = dcmjs.data;
  const sopInstance = DicomMetaDictionary.uid();
  const side = series.side ?? DEFAULT_SIDE;
  const pixels = new Uint16Array(side * side).map((_v, i) => (i * 37 + index * 11) % 4096);
  const meta = DicomMetaDictionary.denaturalizeDataset({
    FileMetaInformationVersion: new Uint8Array([0, 1]).buffer,
    MediaStorageSOPClassUID: MR_IMAGE_STORAGE,
    MediaStorageSOPInstanceUID: sopInstance,
    TransferSyntaxUID: EXPLICIT_VR_LITTLE_ENDIAN,
    ImplementationClassUID: '1.2.826.0.1.3680043.10.1',
  });
  const dict = new DicomDict(meta);
  dict.dict = DicomMetaDictionary.denaturalizeDataset({
    SOPClassUID: MR_IMAGE_STORAGE,
    SOPInstanceUID: sopInstance,
    StudyInstanceUID: ids.study,
    SeriesInstanceUID: ids.series,
    PatientName: spec.patientName,
    PatientID: spec.patientName,
    Modality: 'MR',
    StudyDate: '20260101',
    SeriesNumber: String(series.number),
    SeriesDescription: series.description,
    InstanceNumber: String(index + 1),
    Rows: side,
    Columns: side,
    SamplesPerPixel: 1,
    PhotometricInterpretation: 'MONOCHROME2',
    BitsAllocated: 16,
    BitsStored: 12,
    HighBit: 11,
    PixelRepresentation: 0,
    PixelData: [pixels.buffer],
    _vrMap: { PixelData: 'OW' },
  });
  return Buffer.from(dict.write());
}

/** Writes `<dir>/series<N>/IM<k>.dcm` for every image; answers the files written (relative to dir). */
export async function writeDicomStudy(dir: string, spec: StudySpec): Promise<string[]> {
  const study = dcmjs.data.DicomMetaDictionary.uid();
  const written: string[] = [];
  for (const series of spec.series) {
    const ids = { study, series: dcmjs.data.DicomMetaDictionary.uid() };
    const folder = `series${series.number}`;
    await mkdir(join(dir, folder), { recursive: true });
    for (let i = 0; i < series.images; i += 1) {
      const name = `${folder}/IM${i + 1}.dcm`;
      await writeFile(join(dir, name), mrImage(spec, ids, series, i));
      written.push(name);
    }
  }
  return written;
}

if (require.main === module) {
  const [out, patientName = 'MTL001_300001_V1'] = process.argv.slice(2);
  if (!out) {
    console.error('usage: make-dicom-study.ts <out-folder> [PatientName]');
    process.exit(2);
  }
  writeDicomStudy(out, { patientName, series: DEFAULT_SERIES }).then(
    (files) => console.log(`${files.length} DICOM files written to ${out}`),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}

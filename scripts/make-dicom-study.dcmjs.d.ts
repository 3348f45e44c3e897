/** The part of dcmjs (no published types) that scripts/make-dicom-study.ts uses. */
declare module 'dcmjs' {
  type Naturalized = Record<string, unknown>;
  type Denaturalized = Record<string, unknown>;
  const dcmjs: {
    data: {
      DicomMetaDictionary: {
        denaturalizeDataset(dataset: Naturalized): Denaturalized;
        uid(): string;
      };
      DicomDict: new (meta: Denaturalized) => { dict: Denaturalized; write(): ArrayBuffer };
    };
  };
  export default dcmjs;
}

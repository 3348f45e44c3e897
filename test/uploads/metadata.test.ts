/** Upload-Metadata → UploadTarget (lib/uploads/metadata.ts): what is accepted, and every way it is refused. */
import { ApiError } from '../../lib/core/errors';
import { formatUploadMetadata, parseMetadataHeader, parseUploadTarget } from '../../lib/uploads/metadata';
import type { UploadTarget } from '../../lib/uploads/types';

const b64 = (text: string): string => Buffer.from(text).toString('base64');
const EEG: UploadTarget = {
  kind: 'eeg-bids',
  filename: 'MTL001_300001_V1_bids.tar.gz',
  pscid: 'MTL001',
  candid: '300001',
  visit: 'V1',
  isPhantom: false,
};

function refusal(header: string): { code: string; fields: string[] } {
  try {
    parseUploadTarget(header);
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    expect(error.status).toBe(400);
    const details = (error.details ?? []) as { path: string }[];
    return { code: error.code, fields: details.map((d) => d.path) };
  }
  throw new Error(`accepted: ${header}`);
}

describe('Upload-Metadata', () => {
  it('round-trips a target through the header a client sends', () => {
    expect(parseUploadTarget(formatUploadMetadata(EEG))).toEqual(EEG);
    const phantom: UploadTarget = { ...EEG, kind: 'dicom', filename: 'phantom.zip', isPhantom: true };
    expect(parseUploadTarget(formatUploadMetadata(phantom))).toEqual(phantom);
  });

  it('reads tus pairs (a key alone has an empty value) and ignores keys it does not know', () => {
    expect(parseMetadataHeader(`filetype ${b64('application/gzip')},empty, kind ${b64('dicom')}`)).toEqual(
      new Map([
        ['filetype', 'application/gzip'],
        ['empty', ''],
        ['kind', 'dicom'],
      ]),
    );
    const header = `${formatUploadMetadata(EEG)},filetype ${b64('application/gzip')}`;
    expect(parseUploadTarget(header)).toEqual(EEG);
  });

  it('a phantom DICOM upload needs no candidate; any other upload needs pscid, candid and visit', () => {
    const phantom = `kind ${b64('dicom')},filename ${b64('p.zip')},isPhantom ${b64('true')}`;
    expect(parseUploadTarget(phantom)).toEqual({
      kind: 'dicom',
      filename: 'p.zip',
      pscid: '',
      candid: '',
      visit: '',
      isPhantom: true,
    });
    expect(refusal(`kind ${b64('dicom')},filename ${b64('p.zip')}`).fields.sort()).toEqual([
      'candid',
      'pscid',
      'visit',
    ]);
  });

  it.each([
    ['no header at all', '', ['filename', 'kind']],
    ['an unknown kind', formatUploadMetadata(EEG).replace(/^kind [^,]+/, `kind ${b64('nifti')}`), ['kind']],
    ['a filename with a slash', formatUploadMetadata({ ...EEG, filename: '../x_bids.tar.gz' }), ['filename']],
    ['a filename with a control character', formatUploadMetadata({ ...EEG, filename: 'a\nb' }), ['filename']],
    ['a filename of ..', formatUploadMetadata({ ...EEG, filename: '..' }), ['filename']],
    ['a CandID that is not digits', formatUploadMetadata({ ...EEG, candid: '30000a' }), ['candid']],
    ['an EEG phantom', formatUploadMetadata({ ...EEG, isPhantom: true }), ['isPhantom']],
    [
      'isPhantom not a boolean',
      formatUploadMetadata(EEG).replace(/isPhantom \S+$/, `isPhantom ${b64('yes')}`),
      ['isPhantom'],
    ],
  ])('refuses %s (400 invalid_metadata naming the field)', (_what, header, fields) => {
    const { code, fields: failing } = refusal(header);
    expect(code).toBe('invalid_metadata');
    expect(failing.sort()).toEqual(fields);
  });

  it.each([
    ['a value that is not base64', 'kind n!t'],
    ['a value with bad padding', 'kind abc'],
    ['a key twice', `kind ${b64('dicom')},kind ${b64('dicom')}`],
    ['three words in a pair', `kind ${b64('dicom')} extra`],
    ['an empty key', ` ${b64('dicom')}`],
    ['more than 32 pairs', Array.from({ length: 33 }, (_, i) => `k${i} ${b64('v')}`).join(',')],
    ['a header over 8192 characters', `kind ${'A'.repeat(8192)}`],
  ])('refuses a malformed header: %s', (_what, header) => {
    expect(refusal(header).code).toBe('invalid_metadata');
  });
});

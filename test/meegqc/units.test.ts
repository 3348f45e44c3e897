/**
 * The pure parts of the MEEGqc module and of modules and streaming: module lists, layout detection, lexical
 * path checks, byte ranges, zip entry and archive names, media types, and the stream bridge's two paths
 * (hand-over when the offline plugin is installed; buffered with a 413 past the limit otherwise).
 */
import { Readable } from 'node:stream';
import { parseModuleList } from '../../lib/core/modules';
import { parseConfig } from '../../lib/core/config';
import {
  BUFFERED_BODY_LIMIT,
  collect,
  handOver,
  STREAM_TOKEN_HEADER,
  streamedResponse,
} from '../../lib/core/stream-bridge';
import { layoutOf } from '../../lib/loris/meegqc';
import { noneMatch, parseRange } from '../../lib/meegqc/answers';
import { archiveName, entryNames } from '../../lib/meegqc/archive';
import { contentDisposition, mediaTypeOf, reportHeaders } from '../../lib/meegqc/content-type';
import { relativeDataPath } from '../../lib/meegqc/files';
import { moduleHealthChecks, SERVICE_MODULES } from '../../lib/modules';

describe('modules', () => {
  it('parses LORIS_EPHYS_MODULES (default ephys,meegqc) and refuses unknown names', () => {
    expect(parseConfig({}).modules).toEqual(['ephys', 'meegqc']);
    expect(parseConfig({ LORIS_EPHYS_MODULES: ' ephys , ephys,uploads' }).modules).toEqual([
      'ephys',
      'uploads',
    ]);
    expect(parseConfig({ LORIS_EPHYS_MODULES: '' }).modules).toEqual([]);
    expect(() => parseConfig({ LORIS_EPHYS_MODULES: 'ephys,dicom' })).toThrow(/unknown module dicom/);
    expect(parseModuleList.safeParse('MEEGQC').data).toEqual(['meegqc']);
  });

  it('registers every module once, each route under its own module, health checks by module', () => {
    expect(SERVICE_MODULES.map((m) => m.name)).toEqual(['ephys', 'meegqc', 'uploads']);
    for (const m of SERVICE_MODULES) for (const r of m.routes) expect(r.module).toBe(m.name);
    expect(Object.keys(moduleHealthChecks(['ephys', 'meegqc']))).toEqual(['meegqc.layout']);
    expect(Object.keys(moduleHealthChecks(['ephys']))).toEqual([]);
  });
});

describe('MEEGqc table layout', () => {
  const current = [
    'meegqc_file.ID',
    'meegqc_file.BidsFileID',
    'meegqc_file.Category',
    'meegqc_file_acquisition.MeegqcFileID',
    'meegqc_file_acquisition.AcquisitionFileID',
    'bids_file.ID',
    'bids_file.DatasetID',
    'bids_file.Path',
    'bids_file.Blake2bHash',
    'bids_dataset.ID',
    'bids_dataset.Path',
  ];
  const legacy = [
    'meegqc_file.ID',
    'meegqc_file.AcquisitionFileID',
    'meegqc_file.Path',
    'meegqc_file.Kind',
    'meegqc_file.Blake2bHash',
  ];
  it('tells the layouts apart, and none when tables or columns are missing', () => {
    expect(layoutOf(new Set(current))).toBe('current');
    expect(layoutOf(new Set(legacy))).toBe('legacy');
    expect(layoutOf(new Set())).toBe('none');
    expect(layoutOf(new Set(current.filter((c) => !c.startsWith('meegqc_file_acquisition'))))).toBe('none');
  });
});

describe('paths', () => {
  const row = (datasetPath: string, filePath: string) => ({
    id: 1,
    category: 'reports',
    datasetPath,
    filePath,
    blake2bHash: null,
  });
  it('keeps paths that stay inside the data directory and refuses the others', () => {
    expect(relativeDataPath(row('bids/ds', 'derivatives/MEEGqc/a.html'))).toBe(
      'bids/ds/derivatives/MEEGqc/a.html',
    );
    expect(relativeDataPath(row('', 'meg_qc/a.html'))).toBe('meg_qc/a.html');
    expect(relativeDataPath(row('bids/ds', '../ds2/a.html'))).toBe('bids/ds2/a.html');
    for (const [d, f] of [
      ['bids/ds', '../../../etc/passwd'],
      ['bids/ds', '/etc/passwd'],
      ['/abs', 'a.html'],
      ['bids/ds', 'a\0.html'],
      ['bids/ds', ''],
      ['bids/ds', 'x\\..\\..\\a'],
    ])
      expect([d, f, relativeDataPath(row(d ?? '', f ?? ''))]).toEqual([d, f, undefined]);
  });
});

describe('ranges and ETags', () => {
  it('parses one byte range; ignores several or malformed; refuses ranges past the end', () => {
    expect(parseRange(undefined, 100)).toEqual({ kind: 'full' });
    expect(parseRange('bytes=0-9', 100)).toEqual({ kind: 'partial', start: 0, end: 10 });
    expect(parseRange('bytes=90-', 100)).toEqual({ kind: 'partial', start: 90, end: 100 });
    expect(parseRange('bytes=90-500', 100)).toEqual({ kind: 'partial', start: 90, end: 100 });
    expect(parseRange('bytes=-5', 100)).toEqual({ kind: 'partial', start: 95, end: 100 });
    expect(parseRange('bytes=-500', 100)).toEqual({ kind: 'partial', start: 0, end: 100 });
    expect(parseRange('bytes=100-', 100)).toEqual({ kind: 'unsatisfiable' });
    expect(parseRange('bytes=-0', 100)).toEqual({ kind: 'unsatisfiable' });
    expect(parseRange('bytes=0-1,5-6', 100)).toEqual({ kind: 'full' });
    expect(parseRange('bytes=9-1', 100)).toEqual({ kind: 'full' });
    expect(parseRange('items=0-1', 100)).toEqual({ kind: 'full' });
    expect(parseRange(`bytes=${'9'.repeat(5000)}-`, 100)).toEqual({ kind: 'full' });
  });
  it('matches If-None-Match lists, weak tags and *', () => {
    expect(noneMatch('"a", W/"b"', '"b"')).toBe(true);
    expect(noneMatch('*', '"b"')).toBe(true);
    expect(noneMatch('"a"', '"b"')).toBe(false);
    expect(noneMatch(undefined, '"b"')).toBe(false);
  });
});

describe('archive names', () => {
  it('lays entries out flat by name, prefixing the category on collision, then the id', () => {
    expect(
      entryNames([
        { id: 1, name: 'a.html', category: 'reports' },
        { id: 2, name: 'a.html', category: 'summary_reports' },
        { id: 3, name: 'b.tsv', category: 'root' },
        { id: 4, name: 'c.json', category: 'x/y' },
        { id: 5, name: 'c.json', category: 'x y' },
      ]),
    ).toEqual(['reports_a.html', 'summary_reports_a.html', 'b.tsv', 'x_y_4_c.json', 'x_y_5_c.json']);
  });
  it("names the zip after the recording's stem and the category", () => {
    expect(archiveName('bids/sub-01/meg/sub-01_task-rest_meg.ds', undefined)).toBe(
      'sub-01_task-rest_meg_meegqc.zip',
    );
    expect(archiveName('bids/sub-01/meg/sub-01_task-rest_meg.ds/', 'reports')).toBe(
      'sub-01_task-rest_meg_meegqc_reports.zip',
    );
    expect(archiveName('a/b.tar.gz', 'we"ird')).toBe('b.tar_meegqc_we_ird.zip');
  });
});

describe('media types', () => {
  it('types report files by name and sandboxes HTML and SVG', () => {
    expect(mediaTypeOf('x.TSV')).toBe('text/plain; charset=utf-8');
    expect(mediaTypeOf('x.html')).toBe('text/html; charset=utf-8');
    expect(mediaTypeOf('x.pdf')).toBe('application/pdf');
    expect(mediaTypeOf('x.unknown')).toBe('application/octet-stream');
    expect(reportHeaders('x.html')['Content-Security-Policy']).toBe('sandbox allow-scripts');
    expect(reportHeaders('x.svg')['Content-Security-Policy']).toMatch(/^sandbox;/);
    expect(reportHeaders('x.png')['Content-Security-Policy']).toBeUndefined();
    expect(contentDisposition('inline', 'é "q".html')).toBe(
      `inline; filename="_ _q_.html"; filename*=UTF-8''%C3%A9%20%22q%22.html`,
    );
  });
});

describe('stream bridge', () => {
  const BRIDGE = Symbol.for('loris-ephys-api.stream-bridge.v1');
  const globals = globalThis as Record<symbol, unknown>;
  afterEach(() => delete globals[BRIDGE]);
  const body = (bytes: Buffer) => {
    const state = { opened: 0, disposed: 0 };
    return {
      state,
      body: {
        open: () => {
          state.opened++;
          return Readable.from([bytes]);
        },
        dispose: () => void state.disposed++,
      },
    };
  };

  it('without the offline plugin, buffers the body (base64) up to the limit', async () => {
    const { body: b } = body(Buffer.from('hello'));
    const r = await streamedResponse(200, { 'Content-Type': 'text/plain' }, b, 5);
    expect(r).toEqual({
      statusCode: 200,
      headers: { 'Content-Type': 'text/plain' },
      body: 'aGVsbG8=',
      isBase64Encoded: true,
    });
  });

  it('refuses 413 response_too_large past the limit: before opening when the size is known, while reading otherwise', async () => {
    const known = body(Buffer.alloc(10));
    await expect(streamedResponse(200, {}, known.body, BUFFERED_BODY_LIMIT + 1)).rejects.toMatchObject({
      status: 413,
      code: 'response_too_large',
    });
    expect(known.state).toEqual({ opened: 0, disposed: 1 });
    await expect(collect(Readable.from([Buffer.alloc(8), Buffer.alloc(8)]), 12)).rejects.toMatchObject({
      status: 413,
    });
  });

  it('with the plugin, hands the body over by a one-time token and an empty answer', async () => {
    const entries = new Map<string, { open: () => Readable; dispose: () => void; expires: number }>();
    globals[BRIDGE] = { entries };
    const { body: b, state } = body(Buffer.from('streamed'));
    const r = await streamedResponse(206, { 'Content-Type': 'text/plain' }, b, 8);
    const token = r.headers?.[STREAM_TOKEN_HEADER];
    expect(typeof token).toBe('string');
    expect(r).toMatchObject({ statusCode: 206, body: '', headers: { 'Content-Length': '8' } });
    expect(entries.has(String(token))).toBe(true);
    expect(state.opened).toBe(0);
    // an unclaimed body is disposed of once it expires
    handOver(body(Buffer.alloc(1)).body, Date.now() + 60_000);
    expect(state.disposed).toBe(1);
    expect(entries.has(String(token))).toBe(false);
  });
});

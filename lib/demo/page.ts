/**
 * GET /demo: a self-contained page (inline CSS and script, no external sources) to try the service on
 * one recording: time slider, window, band and filter controls, the topographic map and a 3D sensor view, and
 * the recording's MEEGqc reports (links) when the meegqc module is on.
 * The Content-Security-Policy allows exactly the inline style and script below, by their SHA-256 hashes.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { DEMO_SCRIPT } from './client-script';
import { BAND_NAMES } from '../core/dsp/welch';

/** `?id=` chooses the recording (required in LORIS mode; standalone mode lists the catalog). */
export const demoQuerySchema = z
  .object({
    id: z
      .string()
      .regex(/^[1-9]\d{0,9}$/, 'must be a positive integer')
      .optional()
      .describe('PhysiologicalFileID of the recording to show (standalone mode: defaults to the first)'),
  })
  .strict();

const STYLE = `
:root { --ink: #1d2733; --muted: #5b6b7d; --line: #d8e0ea; --accent: #1c7c7d; --bg: #f3f6fa; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink);
  background: var(--bg); }
header { display: flex; align-items: center; gap: 16px; padding: 12px 24px; background: #16324f; color: #fff; }
header h1 { font-size: 17px; font-weight: 600; margin: 0; white-space: nowrap; }
header select { max-width: 460px; flex: 1; }
header #info { color: #c9d6e6; font-size: 13px; }
main { display: grid; grid-template-columns: 270px minmax(380px, 1fr) minmax(300px, 1fr); gap: 16px; padding: 16px 24px; }
section { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 14px 16px; }
h2 { font-size: 13px; text-transform: uppercase; letter-spacing: .06em; color: var(--muted); margin: 0 0 10px; }
h2 + label { margin-top: 0; } label + h2, select + h2 { margin-top: 22px; }
label { display: block; margin: 10px 0 4px; font-weight: 600; font-size: 13px; }
select, input[type=number] { width: 100%; padding: 5px 6px; border: 1px solid var(--line); border-radius: 5px;
  font: inherit; background: #fff; color: var(--ink); }
input[type=range] { width: 100%; accent-color: var(--accent); }
.row { display: flex; gap: 8px; } .row > div { flex: 1; }
.check { display: flex; align-items: center; gap: 6px; font-weight: normal; }
.value { font-variant-numeric: tabular-nums; color: var(--accent); font-weight: 600; }
.figure { display: flex; flex-direction: column; align-items: center; }
#map { width: 440px; max-width: 100%; aspect-ratio: 1; background: #fff; }
#sensors { width: 100%; height: 440px; cursor: grab; touch-action: none; }
.caption { color: var(--muted); font-size: 12px; margin-top: 6px; text-align: center; word-break: break-all; }
#message { margin: 0 24px; padding: 10px 14px; border-radius: 6px; background: #fdecea; color: #8a1c12; }
.legend { display: flex; gap: 12px; justify-content: center; font-size: 12px; color: var(--muted); }
.dot { display: inline-block; width: 9px; height: 9px; border-radius: 50%; margin-right: 4px; }
.eeg { background: #1c7c7d; } .mag { background: #d9822b; } .grad { background: #7a5cc4; } .bad { background: #c0392b; }
#meegqc { margin: 0 24px 16px; }
#meegqc ul { margin: 0 0 8px; padding-left: 18px; columns: 2; }
#meegqc .category { color: var(--muted); font-size: 12px; margin-right: 6px; }
#meegqc a { color: var(--accent); }
footer { padding: 4px 24px 16px; color: var(--muted); font-size: 12px; }
footer a { color: var(--accent); }
`;

const sha256 = (text: string): string =>
  `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

/** The policy: nothing external; only this page's own style and script; images from itself or blob: URLs. */
export const DEMO_CSP = [
  "default-src 'none'",
  `script-src ${sha256(DEMO_SCRIPT)}`,
  `style-src ${sha256(STYLE)}`,
  "img-src 'self' blob: data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'self'",
].join('; ');

const WINDOWS = [0.01, 0.1, 0.5, 1, 2, 5, 10];

const options = (
  values: (string | number)[],
  selected: string | number,
  label = (v: string | number) => String(v),
) =>
  values.map((v) => `<option value="${v}"${v === selected ? ' selected' : ''}>${label(v)}</option>`).join('');

function controls(): string {
  return `<section>
  <h2>Window</h2>
  <label for="time">Time <span class="value" id="time-label">0.00 s</span></label>
  <input type="range" id="time" min="0" max="60" step="0.01" value="10">
  <label for="window">Window length</label>
  <select id="window">${options(WINDOWS, 1, (v) => `${v} s`)}</select>
  <h2>Measure</h2>
  <label for="metric">Metric</label>
  <select id="metric">${options(['mean', 'rms'], 'mean', (v) => (v === 'mean' ? 'mean amplitude' : 'RMS amplitude'))}</select>
  <label for="band">Band power</label>
  <select id="band"><option value="">— none (amplitude) —</option>${options([...BAND_NAMES], '')}</select>
  <label>Band-pass filter (Hz)</label>
  <div class="row"><div><input type="number" id="lfreq" min="0.1" step="0.1" placeholder="high-pass" aria-label="high-pass (Hz)"></div>
  <div><input type="number" id="hfreq" min="0.1" step="0.1" placeholder="low-pass" aria-label="low-pass (Hz)"></div></div>
  <label class="check"><input type="checkbox" id="reference"> average reference</label>
</section>`;
}

const escapeAttr = (s: string): string => s.replace(/[&"<>]/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * The whole page; `recordingId` (already validated) preselects a recording; `prefix` is the path this service is
 * served under ('' at the root, e.g. '/loris/imaging_gateway' behind LORIS's gateway); `meegqc` whether the
 * meegqc module is on (the page then lists the recording's MEEGqc reports).
 */
export function demoPage(recordingId?: string, prefix = '', { meegqc = false } = {}): string {
  const idAttr = recordingId ? ` data-recording-id="${escapeAttr(recordingId)}"` : '';
  const baseAttr =
    ` data-api-base="${escapeAttr(`${prefix}/ephys`)}"` +
    (meegqc ? ` data-meegqc-base="${escapeAttr(`${prefix}/meegqc`)}"` : '');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>LORIS electrophysiology – topographic map demo</title>
<style>${STYLE}</style>
</head>
<body${idAttr}${baseAttr} data-ready="false">
<header>
  <h1>LORIS · EEG/MEG topographic maps</h1>
  <select id="recording" aria-label="recording"></select>
  <span id="info"></span>
</header>
<p id="message" role="alert" hidden></p>
<main>
${controls()}
<section class="figure">
  <h2>Topographic map</h2>
  <img id="map" alt="topographic map of the selected window" width="440" height="440">
  <div class="caption" id="map-status"></div>
  <div class="caption" id="map-query"></div>
</section>
<section class="figure">
  <h2>Sensors (drag to rotate)</h2>
  <canvas id="sensors" data-sensor-count="0"></canvas>
  <div class="legend"><span><i class="dot eeg"></i>EEG</span><span><i class="dot mag"></i>MEG mag</span>
  <span><i class="dot grad"></i>MEG grad</span><span><i class="dot bad"></i>bad</span></div>
  <div class="caption" id="sensor-info"></div>
  <label class="check"><input type="checkbox" id="labels"> channel names</label>
</section>
</main>
<section id="meegqc" hidden>
  <h2>MEEGqc reports</h2>
  <ul id="meegqc-files"></ul>
  <div class="caption" id="meegqc-status"></div>
  <a id="meegqc-archive" href="#" hidden>Download every report (zip)</a>
</section>
<footer>Every request above is a public route of this service: see <a href="${escapeAttr(`${prefix}/openapi.json`)}">openapi.json</a>.</footer>
<script>${DEMO_SCRIPT}</script>
</body>
</html>
`;
}

/**
 * The demo page's inline script (browser JavaScript kept as text: the project compiles without DOM types).
 * It only calls the public routes under the API base the server wrote into the page (the gateway's prefix when
 * behind LORIS): /ephys/recordings (standalone list), /ephys/{id} (metadata), /ephys/{id}/sensors (3D view),
 * /ephys/{id}/topographic-map (PNG), and /meegqc/{id}/files when the server wrote a MEEGqc base (module on).
 * Written without template literals so it can live in this TypeScript template string untouched.
 */
export const DEMO_SCRIPT = String.raw`
'use strict';
(function () {
  // The server writes where the recording routes are (behind a gateway: its public prefix + /ephys).
  var apiBase = document.body.dataset.apiBase || location.pathname.replace(/\/demo\/?$/, '') + '/ephys';
  var $ = function (id) { return document.getElementById(id); };
  var ui = {
    recording: $('recording'), time: $('time'), timeLabel: $('time-label'), win: $('window'),
    metric: $('metric'), band: $('band'), lfreq: $('lfreq'), hfreq: $('hfreq'), reference: $('reference'),
    map: $('map'), mapStatus: $('map-status'), mapQuery: $('map-query'), info: $('info'),
    canvas: $('sensors'), sensorInfo: $('sensor-info'), labels: $('labels'), message: $('message')
  };
  var state = { id: null, start: 0, end: 60, sensors: [], yaw: -0.6, pitch: 0.35, dragging: null, spin: true,
                seq: 0, pending: null, controller: null, objectUrl: null };

  function show(text) { ui.message.textContent = text || ''; ui.message.hidden = !text; }

  function getJson(path) {
    return fetch(apiBase + path, { credentials: 'same-origin', headers: { Accept: 'application/json' } })
      .then(function (r) {
        return r.json().catch(function () { return {}; }).then(function (body) { return { status: r.status, body: body }; });
      });
  }

  function errorText(body, status) {
    return body && body.error ? body.error.message + ' (' + body.error.code + ')' : 'HTTP ' + status;
  }

  // ---- recording choice ----
  function start() {
    var fixed = document.body.dataset.recordingId;
    getJson('/recordings').then(function (res) {
      var list = res.status === 200 && res.body.recordings ? res.body.recordings : [];
      if (list.length === 0 && !fixed) {
        show(res.status === 404
          ? 'Open this page with ?id=<PhysiologicalFileID> to view a LORIS recording.'
          : 'No recordings found (' + errorText(res.body, res.status) + ').');
        return;
      }
      if (fixed && !list.some(function (r) { return String(r.id) === fixed; })) list.unshift({ id: Number(fixed), path: 'recording ' + fixed });
      list.forEach(function (r) {
        var o = document.createElement('option');
        o.value = String(r.id);
        o.textContent = r.path + (r.fileType ? ' (' + r.fileType + ')' : '');
        ui.recording.appendChild(o);
      });
      ui.recording.value = fixed || String(list[0].id);
      selectRecording(ui.recording.value);
    }).catch(function (e) { show('Cannot reach the service: ' + e.message); });
  }

  function selectRecording(id) {
    state.id = id;
    document.body.dataset.ready = 'false';
    loadReports(id);
    Promise.all([loadInfo(id), loadSensors(id)]).then(function () {
      document.body.dataset.ready = 'true';
      requestMap();
    });
  }

  // ---- MEEGqc reports (only when the meegqc module is on: the server then writes its base into the page) ----
  function loadReports(id) {
    var base = document.body.dataset.meegqcBase;
    var section = $('meegqc'), list = $('meegqc-files'), status = $('meegqc-status'), archive = $('meegqc-archive');
    if (!base || !section) return;
    section.hidden = false;
    while (list.firstChild) list.removeChild(list.firstChild);
    archive.hidden = true;
    status.textContent = 'loading\u2026';
    fetch(base + '/' + id + '/files', { credentials: 'same-origin', headers: { Accept: 'application/json' } })
      .then(function (r) {
        return r.json().catch(function () { return {}; }).then(function (body) { return { status: r.status, body: body }; });
      })
      .then(function (res) {
        if (state.id !== id) return;
        if (res.status !== 200) { status.textContent = errorText(res.body, res.status); return; }
        var files = res.body.files || [];
        section.dataset.count = String(files.length);
        status.textContent = files.length ? files.length + ' file(s)' : 'no MEEGqc reports for this recording';
        files.forEach(function (f) {
          var item = document.createElement('li');
          var category = document.createElement('span');
          category.className = 'category';
          category.textContent = f.category;
          var link = document.createElement('a');
          link.href = base + '/' + id + '/files/' + encodeURIComponent(String(f.id));
          link.target = '_blank';
          link.rel = 'noopener noreferrer';
          link.textContent = f.name;
          item.appendChild(category);
          item.appendChild(link);
          list.appendChild(item);
        });
        if (files.length) { archive.href = base + '/' + id + '/files/archive'; archive.hidden = false; }
      })
      .catch(function (e) { status.textContent = 'Cannot list MEEGqc reports: ' + e.message; });
  }

  // The time axis of the topographic-map route: from the metadata's description (first sample time, rate,
  // samples), or else from the range the route names when asked for a time far past the end.
  function loadInfo(id) {
    return getJson('/' + id).then(function (meta) {
      if (meta.status !== 200) { show(errorText(meta.body, meta.status)); return null; }
      var m = meta.body, d = m.description;
      ui.info.textContent = m.fileName + ' · ' + (m.modality || m.fileType || '?').toUpperCase() +
        (m.candidate && m.candidate.pscid ? ' · ' + m.candidate.pscid : '') +
        (m.session ? ' · ' + m.session.visitLabel : '') +
        (d ? ' · ' + d.channelCount + ' channels at ' + Number(d.sfreq.toFixed(2)) + ' Hz, ' + d.durationSeconds.toFixed(1) + ' s' : '');
      if (d && d.sfreq > 0 && d.nSamples > 0) return { start: d.tmin, end: d.tmin + (d.nSamples - 1) / d.sfreq };
      return getJson('/' + id + '/topographic-map?format=json&t=1e9').then(function (probe) {
        var found = probe.body && probe.body.error && /\(([-\d.e]+) to ([-\d.e]+) s\)/.exec(probe.body.error.message);
        return found ? { start: Number(found[1]), end: Number(found[2]) } : null;
      });
    }).then(function (range) {
      if (!range || !(range.end > range.start)) return;
      state.start = range.start;
      state.end = range.end;
      ui.time.min = String(range.start);
      ui.time.value = String(Math.min(range.start + 10, range.end));
      updateRange();
      document.body.dataset.start = String(range.start);
      document.body.dataset.end = String(range.end);
    });
  }

  // ---- topographic map ----
  function windowLength() { return Number(ui.win.value); }
  function windowEnd(t) { return Math.min(t + windowLength(), state.end); }
  function timeText() {
    var t = Number(ui.time.value);
    return t.toFixed(2) + ' \u2013 ' + windowEnd(t).toFixed(2) + ' s';
  }
  // The slider's range keeps the whole window inside the recording.
  function updateRange() {
    ui.time.max = String(Math.max(state.start, Math.floor((state.end - windowLength()) * 100) / 100));
    if (Number(ui.time.value) > Number(ui.time.max)) ui.time.value = ui.time.max;
    ui.timeLabel.textContent = timeText();
  }

  function mapQuery() {
    var t = Number(ui.time.value);
    var q = new URLSearchParams();
    q.set('tmin', t.toFixed(3));
    q.set('tmax', windowEnd(t).toFixed(3));
    if (ui.band.value) { q.set('metric', 'power'); q.set('band', ui.band.value); }
    else q.set('metric', ui.metric.value);
    if (ui.lfreq.value) q.set('lfreq', ui.lfreq.value);
    if (ui.hfreq.value) q.set('hfreq', ui.hfreq.value);
    if (ui.reference.checked) q.set('reference', 'average');
    q.set('size', '440');
    q.set('colorbar', 'true');
    q.set('background', 'white');
    return q.toString();
  }

  function requestMap() {
    clearTimeout(state.pending);
    state.pending = setTimeout(fetchMap, 120);
  }

  function hex(buffer) {
    return Array.prototype.map.call(new Uint8Array(buffer), function (b) { return (b + 256).toString(16).slice(1); }).join('');
  }

  function fetchMap() {
    if (!state.id) return;
    if (state.controller) state.controller.abort();
    var controller = new AbortController();
    state.controller = controller;
    var seq = ++state.seq;
    var query = mapQuery();
    ui.mapQuery.textContent = 'GET ' + apiBase + '/' + state.id + '/topographic-map?' + query;
    ui.mapStatus.textContent = 'computing\u2026';
    document.body.dataset.mapState = 'loading';
    var started = performance.now();
    fetch(apiBase + '/' + state.id + '/topographic-map?' + query, { credentials: 'same-origin', signal: controller.signal })
      .then(function (r) {
        if (!r.ok) return r.json().catch(function () { return {}; }).then(function (b) { throw new Error(errorText(b, r.status)); });
        return r.arrayBuffer();
      })
      .then(function (bytes) {
        return crypto.subtle.digest('SHA-256', bytes).then(function (digest) { return { bytes: bytes, digest: hex(digest) }; });
      })
      .then(function (got) {
        if (seq !== state.seq) return;
        if (state.objectUrl) URL.revokeObjectURL(state.objectUrl);
        state.objectUrl = URL.createObjectURL(new Blob([got.bytes], { type: 'image/png' }));
        ui.map.src = state.objectUrl;
        ui.map.dataset.bytes = String(got.bytes.byteLength);
        ui.map.dataset.sha256 = got.digest;
        ui.map.dataset.query = query;
        ui.mapStatus.textContent = (got.bytes.byteLength / 1024).toFixed(1) + ' KB in ' + Math.round(performance.now() - started) + ' ms';
        document.body.dataset.mapState = 'ready';
        show('');
      })
      .catch(function (e) {
        if (e.name === 'AbortError' || seq !== state.seq) return;
        ui.mapStatus.textContent = 'error';
        document.body.dataset.mapState = 'error';
        show(e.message);
      });
  }

  // ---- 3D sensor view: orthographic projection, drag to rotate ----
  var COLOURS = { eeg: '#1c7c7d', mag: '#d9822b', grad: '#7a5cc4', ref_meg: '#888888' };

  function loadSensors(id) {
    return getJson('/' + id + '/sensors').then(function (res) {
      if (res.status !== 200) { ui.sensorInfo.textContent = errorText(res.body, res.status); state.sensors = []; }
      else {
        // MEG reference sensors sit far from the head: they are counted but not drawn.
        var positioned = res.body.channels.filter(function (c) { return c.position; });
        state.sensors = positioned.filter(function (c) { return c.type !== 'ref_meg'; });
        var hidden = positioned.length - state.sensors.length;
        var centre = [0, 1, 2].map(function (k) {
          return state.sensors.reduce(function (s, c) { return s + c.position[k]; }, 0) / Math.max(1, state.sensors.length);
        });
        state.centre = [centre[0], centre[1], Math.min(centre[2], 0.04)];
        state.radius = state.sensors.reduce(function (m, c) {
          return Math.max(m, Math.hypot(c.position[0] - state.centre[0], c.position[1] - state.centre[1], c.position[2] - state.centre[2]));
        }, 0.01);
        var bads = state.sensors.filter(function (c) { return c.status === 'bad'; }).length;
        ui.sensorInfo.textContent = state.sensors.length + ' sensors with positions (' + positionText(res.body) +
          ', ' + res.body.coordinateFrame + ' frame' + (bads ? ', ' + bads + ' bad' : '') + ')' +
          (hidden ? '; ' + hidden + ' reference sensors not shown' : '');
      }
      ui.canvas.dataset.sensorCount = String(state.sensors.length);
      draw();
    });
  }

  // What positionSource means (README: Where electrode positions come from).
  function positionText(body) {
    var src = String(body.positionSource || 'none');
    var units = body.fileUnits ? ', unit inferred: ' + body.fileUnits.unit : '';
    if (src === 'database') return 'electrodes stored in LORIS';
    if (src === 'sidecar') return 'BIDS electrodes.tsv';
    if (src === 'file') return 'the file' + units;
    if (src.indexOf('montage:') === 0) return 'standard montage ' + src.slice(8) + ', matched on channel names';
    return 'no EEG positions: add them in LORIS, in an electrodes.tsv, or in the file';
  }

  function project(p) {
    var x = p[0] - state.centre[0], y = p[1] - state.centre[1], z = p[2] - state.centre[2];
    var cy = Math.cos(state.yaw), sy = Math.sin(state.yaw), cp = Math.cos(state.pitch), sp = Math.sin(state.pitch);
    var x1 = cy * x - sy * y, y1 = sy * x + cy * y;        // yaw about the vertical axis
    var depth = cp * y1 - sp * z, up = sp * y1 + cp * z;    // pitch about the screen's horizontal axis
    return { x: x1, y: up, depth: depth };
  }

  function draw() {
    var c = ui.canvas, ctx = c.getContext('2d'), dpr = window.devicePixelRatio || 1;
    var w = c.clientWidth, h = c.clientHeight;
    if (c.width !== Math.round(w * dpr)) { c.width = Math.round(w * dpr); c.height = Math.round(h * dpr); }
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, w, h);
    if (!state.sensors.length) return;
    var scale = 0.42 * Math.min(w, h) / state.radius, cx = w / 2, cy = h / 2;
    var halo = ctx.createRadialGradient(cx - 0.3 * scale * state.radius, cy - 0.3 * scale * state.radius, 0, cx, cy, scale * state.radius * 1.05);
    halo.addColorStop(0, '#f4f7fb'); halo.addColorStop(1, '#dde5ef');
    ctx.fillStyle = halo;
    ctx.beginPath(); ctx.arc(cx, cy, scale * state.radius * 1.04, 0, 2 * Math.PI); ctx.fill();
    drawGuides(ctx, scale, cx, cy);
    var nose = project([state.centre[0], state.centre[1] + state.radius * 1.12, state.centre[2] + state.radius * 0.2]);
    var points = state.sensors.map(function (s) { return { s: s, p: project(s.position) }; });
    points.sort(function (a, b) { return b.p.depth - a.p.depth; });
    ctx.fillStyle = nose.depth < 0 ? '#8aa0b8' : '#c3cfdc';
    ctx.beginPath(); ctx.arc(cx + nose.x * scale, cy - nose.y * scale, 6, 0, 2 * Math.PI); ctx.fill();
    points.forEach(function (q) {
      var front = (state.radius - q.p.depth) / (2 * state.radius);   // 0 at the back, 1 at the front
      ctx.globalAlpha = 0.25 + 0.75 * front;
      ctx.fillStyle = q.s.status === 'bad' ? '#c0392b' : (COLOURS[q.s.type] || '#555');
      ctx.beginPath(); ctx.arc(cx + q.p.x * scale, cy - q.p.y * scale, 3 + 3 * front, 0, 2 * Math.PI); ctx.fill();
      if (ui.labels.checked && front > 0.5) {
        ctx.fillStyle = '#223'; ctx.font = '10px system-ui, sans-serif';
        ctx.fillText(q.s.name, cx + q.p.x * scale + 6, cy - q.p.y * scale + 3);
      }
    });
    ctx.globalAlpha = 1;
    c.dataset.yaw = state.yaw.toFixed(4);
    c.dataset.pitch = state.pitch.toFixed(4);
  }

  // Great circles of the fitted head sphere (equator, midline, coronal) as depth cues; the back half is faint.
  function drawGuides(ctx, scale, cx, cy) {
    var r = state.radius, o = state.centre;
    var circles = [
      function (a) { return [o[0] + r * Math.cos(a), o[1] + r * Math.sin(a), o[2]]; },
      function (a) { return [o[0], o[1] + r * Math.cos(a), o[2] + r * Math.sin(a)]; },
      function (a) { return [o[0] + r * Math.cos(a), o[1], o[2] + r * Math.sin(a)]; }
    ];
    ctx.lineWidth = 1;
    circles.forEach(function (at) {
      for (var k = 0; k < 96; k++) {
        var a = project(at(2 * Math.PI * k / 96)), b = project(at(2 * Math.PI * (k + 1) / 96));
        ctx.strokeStyle = a.depth + b.depth > 0 ? 'rgba(90,110,140,0.12)' : 'rgba(60,80,110,0.35)';
        ctx.beginPath(); ctx.moveTo(cx + a.x * scale, cy - a.y * scale); ctx.lineTo(cx + b.x * scale, cy - b.y * scale); ctx.stroke();
      }
    });
  }

  function spin() {
    if (state.spin && !state.dragging) { state.yaw += 0.004; draw(); }
    requestAnimationFrame(spin);
  }

  ui.canvas.addEventListener('pointerdown', function (e) {
    state.dragging = { x: e.clientX, y: e.clientY }; state.spin = false; ui.canvas.setPointerCapture(e.pointerId);
  });
  ui.canvas.addEventListener('pointermove', function (e) {
    if (!state.dragging) return;
    state.yaw += (e.clientX - state.dragging.x) * 0.01;
    state.pitch = Math.max(-1.5, Math.min(1.5, state.pitch + (e.clientY - state.dragging.y) * 0.01));
    state.dragging = { x: e.clientX, y: e.clientY };
    draw();
  });
  ui.canvas.addEventListener('pointerup', function () { state.dragging = null; });
  ui.canvas.addEventListener('dblclick', function () { state.spin = !state.spin; });

  // ---- controls ----
  ui.recording.addEventListener('change', function () { selectRecording(ui.recording.value); });
  ui.time.addEventListener('input', function () { ui.timeLabel.textContent = timeText(); requestMap(); });
  ui.win.addEventListener('change', function () { updateRange(); requestMap(); });
  ui.band.addEventListener('change', function () {
    ui.metric.disabled = Boolean(ui.band.value);
    if (ui.band.value && windowLength() < 2) { ui.win.value = '2'; updateRange(); }
    requestMap();
  });
  [ui.metric, ui.reference].forEach(function (el) { el.addEventListener('change', requestMap); });
  [ui.lfreq, ui.hfreq].forEach(function (el) { el.addEventListener('input', requestMap); });
  ui.labels.addEventListener('change', draw);
  window.addEventListener('resize', draw);

  start();
  requestAnimationFrame(spin);
})();
`;

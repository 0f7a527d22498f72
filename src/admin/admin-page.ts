// The live admin page: one HTML document, its script and styles inline, fed by server-sent events.

/** The page served at the admin path; `eventsPath` is where its updates come from. */
export function adminPage(eventsPath: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Broadcaster admin</title>
<style>${STYLE}</style>
</head>
<body>
<header><h1>Broadcaster</h1><span id="state" class="state">connecting…</span><span id="where"></span></header>
<section class="cards">
  <div class="card"><b id="clients">–</b><span>clients here</span></div>
  <div class="card"><b id="cluster-clients">–</b><span>clients in the cluster</span></div>
  <div class="card"><b id="in">–</b><span>frames in / s</span></div>
  <div class="card"><b id="out">–</b><span>frames out / s</span></div>
  <div class="card"><b id="errors">–</b><span>errors / s</span></div>
</section>
<section class="charts">
  <figure><figcaption>Clients</figcaption><canvas id="chart-clients" width="520" height="150"></canvas></figure>
  <figure><figcaption>Frames per second <i class="in">in</i> <i class="out">out</i></figcaption><canvas id="chart-frames" width="520" height="150"></canvas></figure>
</section>
<section class="tables">
  <div><h2>Handlers (last second)</h2><table id="handlers"><thead><tr><th>HandlerID</th><th>calls/s</th><th>p50</th><th>p99</th><th>calls</th></tr></thead><tbody></tbody></table></div>
  <div><h2>Errors sent, by code</h2><table id="error-codes"><thead><tr><th>code</th><th>frames</th></tr></thead><tbody></tbody></table>
  <h2>Slow and misbehaving clients</h2><table id="slow"><tbody></tbody></table></div>
  <div><h2>Instances</h2><table id="instances"><thead><tr><th>instance</th><th>clients</th><th>link</th></tr></thead><tbody></tbody></table></div>
  <div><h2>Rooms (largest 50)</h2><table id="rooms"><thead><tr><th>room</th><th>members</th></tr></thead><tbody></tbody></table></div>
</section>
<script>
${SCRIPT}(${JSON.stringify(eventsPath)});
</script>
</body>
</html>
`;
}

const STYLE = `
body { font: 14px system-ui, sans-serif; margin: 0; background: #f4f5f7; color: #1d2330; }
header { display: flex; gap: 12px; align-items: baseline; padding: 12px 20px; background: #1d2330; color: #fff; }
h1 { font-size: 18px; margin: 0; }
h2 { font-size: 13px; text-transform: uppercase; color: #5b6475; margin: 14px 0 6px; }
.state { padding: 1px 8px; border-radius: 9px; background: #8a5a00; font-size: 12px; }
.state.live { background: #1f7a3a; }
#where { color: #b9c0cf; font-size: 12px; }
.cards { display: flex; gap: 12px; padding: 14px 20px 0; flex-wrap: wrap; }
.card { background: #fff; border-radius: 8px; padding: 10px 16px; min-width: 130px; box-shadow: 0 1px 2px #0001; }
.card b { display: block; font-size: 24px; font-variant-numeric: tabular-nums; }
.card span { color: #5b6475; font-size: 12px; }
.charts { display: flex; gap: 12px; padding: 14px 20px 0; flex-wrap: wrap; }
figure { margin: 0; background: #fff; border-radius: 8px; padding: 8px 12px; box-shadow: 0 1px 2px #0001; }
figcaption { font-size: 12px; color: #5b6475; }
i.in { color: #2563eb; font-style: normal; } i.out { color: #d97706; font-style: normal; }
.tables { display: grid; grid-template-columns: repeat(auto-fit, minmax(260px, 1fr)); gap: 12px; padding: 4px 20px 20px; }
table { border-collapse: collapse; width: 100%; background: #fff; border-radius: 8px; box-shadow: 0 1px 2px #0001; }
th, td { text-align: left; padding: 4px 10px; white-space: nowrap; border-bottom: 1px solid #eceef2; font-variant-numeric: tabular-nums; }
th { font-weight: 600; color: #5b6475; font-size: 12px; }
td.empty { color: #8b93a3; }
`;

// Runs in the browser (plain JavaScript, given the events' path): listens to the events and
// draws them. Kept as text: the library is compiled without the DOM's types.
const SCRIPT = String.raw`(function (eventsPath) {
  'use strict';
  var HISTORY = 120;
  var points = [];
  function byId(id) { return document.getElementById(id); }
  function text(id, value) { byId(id).textContent = value; }
  function number(value) { return value.toLocaleString('en-US'); }
  function ms(value) { return value === null ? '–' : '≤ ' + value + ' ms'; }

  function rows(tableId, cells, empty) {
    var body = byId(tableId).querySelector('tbody');
    body.replaceChildren();
    if (cells.length === 0) {
      var cell = body.insertRow().insertCell();
      cell.colSpan = 5;
      cell.className = 'empty';
      cell.textContent = empty;
      return;
    }
    cells.forEach(function (values) {
      var row = body.insertRow();
      values.forEach(function (value) { row.insertCell().textContent = value; });
    });
  }

  function chart(canvasId, series) {
    var canvas = byId(canvasId);
    var g = canvas.getContext('2d');
    var width = canvas.width, height = canvas.height;
    g.clearRect(0, 0, width, height);
    var top = 1;
    series.forEach(function (s) { s.values.forEach(function (v) { if (v > top) top = v; }); });
    g.fillStyle = '#8b93a3';
    g.font = '11px system-ui';
    g.fillText(number(top), 4, 11);
    g.strokeStyle = '#eceef2';
    g.beginPath();
    g.moveTo(0, height - 1);
    g.lineTo(width, height - 1);
    g.stroke();
    series.forEach(function (s) {
      g.strokeStyle = s.color;
      g.lineWidth = 2;
      g.beginPath();
      s.values.forEach(function (value, i) {
        var x = (i / (HISTORY - 1)) * width;
        var y = height - 2 - (value / top) * (height - 16);
        if (i === 0) g.moveTo(x, y); else g.lineTo(x, y);
      });
      g.stroke();
    });
  }

  function padded(pick) {
    var values = [];
    for (var i = points.length; i < HISTORY; i++) values.push(0);
    return values.concat(points.map(pick));
  }

  function show(sample) {
    text('clients', number(sample.clients));
    text('cluster-clients', number(sample.clusterClients));
    text('in', number(sample.framesInPerSecond));
    text('out', number(sample.framesOutPerSecond));
    text('errors', number(sample.errorsPerSecond));
    text('where', sample.cluster === null ? 'one instance' : sample.cluster.nodes + ' instances, link ' + (sample.cluster.linkUp ? 'up' : 'down'));
    points.push({ clients: sample.clients, in: sample.framesInPerSecond, out: sample.framesOutPerSecond });
    if (points.length > HISTORY) points.shift();
    chart('chart-clients', [{ values: padded(function (p) { return p.clients; }), color: '#1f7a3a' }]);
    chart('chart-frames', [
      { values: padded(function (p) { return p.in; }), color: '#2563eb' },
      { values: padded(function (p) { return p.out; }), color: '#d97706' }
    ]);
    rows('handlers', sample.handlers.map(function (h) {
      return [String(h.handlerId), number(h.perSecond), ms(h.p50Ms), ms(h.p99Ms), number(h.calls)];
    }), 'no handler called yet');
    rows('error-codes', Object.keys(sample.errors).map(function (code) { return [code, number(sample.errors[code])]; }), 'none');
    rows('slow', [
      ['frames dropped for slow clients', number(sample.slowClients.drops)],
      ['slow clients closed', number(sample.slowClients.disconnects)],
      ['flooding clients closed', number(sample.slowClients.floodDisconnects)],
      ['heartbeat timeouts', number(sample.slowClients.heartbeatTimeouts)]
    ], '');
    rows('instances', sample.instances.map(function (i) {
      var name = i.nodeId === null ? 'this instance' : i.nodeId.slice(0, 8) + (i.self ? ' (this one)' : '');
      var link = i.self ? (sample.cluster === null ? '–' : sample.cluster.linkUp ? 'up' : 'down') : 'alive';
      return [name, number(i.clients), link];
    }), '');
    rows('rooms', sample.rooms.map(function (r) { return [r.room, number(r.members)]; }), 'no rooms');
  }

  var events = new EventSource(eventsPath);
  events.onopen = function () { text('state', 'live'); byId('state').className = 'state live'; };
  events.onerror = function () { text('state', 'reconnecting…'); byId('state').className = 'state'; };
  events.onmessage = function (event) { show(JSON.parse(event.data)); };
})`;

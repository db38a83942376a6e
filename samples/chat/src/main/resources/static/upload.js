// The upload page: rt.upload() sends a file resumably (tus 1.0); every page follows every upload
// on the realtime topics `uploads` (announcements) and `uploads/<id>` (progress). No build step.
(function () {
  'use strict';

  var params = new URLSearchParams(location.search);
  var $ = function (id) { return document.getElementById(id); };
  var forced = params.get('transport');
  var rt = Realtime.connect('/realtime', forced && Realtime.TRANSPORTS.indexOf(forced) >= 0 ? { transports: [forced] } : {});
  var page = window.uploadsPage = { rt: rt, current: null, progress: {}, processed: {}, result: null, error: null };
  var rows = {};
  var controller = null;
  var cancelRequested = false;

  rt.on('state', function () {
    $('status').dataset.state = rt.state;
    $('status').dataset.transport = rt.transport || '';
    $('status-text').textContent = (rt.transport || 'no transport') + ' \u00b7 ' + rt.state;
  });

  // Announcements: a page starting an upload says so; the server says when it has processed one.
  rt.subscribe('uploads', function (data) {
    if (!data || typeof data.id !== 'string' || !/^[0-9a-f]{32}$/.test(data.id)) return;
    var row = follow(data.id, data.name, data.size);
    if (data.type === 'processed') {
      page.processed[data.id] = data;
      row.text.className = 'done';
      row.text.textContent = 'processed by the server \u00b7 sha256 ';
      var code = document.createElement('code');
      code.textContent = data.sha256;
      row.text.appendChild(code);
    }
  }, { rewind: 20 });

  /** A row for an upload, following its progress topic (rewound: it may have started before). */
  function follow(id, name, size) {
    if (rows[id]) return rows[id];
    var li = document.createElement('li');
    li.dataset.id = id;
    var title = document.createElement('div');
    title.textContent = (name || id) + (size != null ? ' (' + formatBytes(size) + ')' : '');
    var bar = document.createElement('progress');
    bar.max = 100;
    bar.value = 0;
    var text = document.createElement('div');
    li.append(title, bar, text);
    $('uploads').prepend(li);
    var row = rows[id] = { li: li, bar: bar, text: text };
    page.progress[id] = [];
    rt.subscribe('uploads/' + id, function (p) {
      page.progress[id].push(p);
      bar.value = p.length ? (100 * p.offset / p.length) : 100;
      if (!page.processed[id]) text.textContent = p.complete ? 'complete' : formatBytes(p.offset) + ' stored';
    }, { rewind: 50 });
    return row;
  }

  $('start').addEventListener('click', function () {
    var file = $('file').files[0];
    if (!file) { $('state').textContent = 'Pick a file first.'; return; }
    controller = new AbortController();
    cancelRequested = false;
    setBusy(true);
    page.result = page.error = null;
    $('state').textContent = 'Uploading\u2026';
    rt.upload(file, {
      signal: controller.signal,
      terminate: function () { return cancelRequested; },
      metadata: { filename: file.name },
      onStart: function (info) {
        page.current = info.id;
        if (info.offset > 0) $('state').textContent = 'Resuming at ' + formatBytes(info.offset) + '\u2026';
        follow(info.id, file.name, file.size);
        rt.publish('uploads', { type: 'started', id: info.id, name: file.name, size: file.size }).catch(function () {});
      },
      onProgress: function (sent, total) {
        $('bar').value = total ? 100 * sent / total : 100;
      }
    }).then(function (result) {
      page.result = result;
      $('state').textContent = 'Uploaded: ' + result.url;
    }, function (err) {
      page.error = err;
      $('state').textContent = err.name !== 'AbortError' ? 'Failed: ' + err.message
        : cancelRequested ? 'Cancelled.' : 'Paused. Pick the same file and press Upload to go on.';
    }).then(function () { setBusy(false); });
  });
  $('pause').addEventListener('click', function () { if (controller) controller.abort(); });
  $('cancel').addEventListener('click', function () {
    if (!controller) return;
    cancelRequested = true; // deleted on the server, where Pause keeps it

    controller.abort();
  });
  function setBusy(busy) {
    $('start').disabled = busy;
    $('pause').disabled = $('cancel').disabled = !busy;
  }

  function formatBytes(n) {
    return n >= 1048576 ? (n / 1048576).toFixed(1) + ' MB' : n >= 1024 ? (n / 1024).toFixed(1) + ' KB' : n + ' B';
  }
})();

// The chat page: one Realtime connection, shared with the page's other tabs, the topic `chat`,
// plain DOM. No build step.
(function () {
  'use strict';

  var TOPIC = 'chat';
  // Messages shown on open: the newest of the topic's history (realtime.history.size keeps 500).
  var HISTORY = 50;
  var params = new URLSearchParams(location.search);
  var $ = function (id) { return document.getElementById(id); };
  var status = $('status'), statusText = $('status-text'), statusDetail = $('status-detail');
  var list = $('messages'), nameInput = $('name'), picker = $('transport'), text = $('text');
  var rt = null;
  var sub = null;
  var members = new Map(); // who is online (presence): member id -> { id, user, info }
  var shown = new Set(); // ids on the page: a new connection (a transport switch) rewinds again

  // one name per browser: its tabs share one connection, so they are one member of the chat
  var stored = localStorage.getItem('chat.name');
  if (!stored) localStorage.setItem('chat.name', stored = 'guest-' + Math.random().toString(36).slice(2, 6));
  nameInput.value = params.get('name') || stored;
  nameInput.addEventListener('change', function () { localStorage.setItem('chat.name', nameInput.value.trim()); });
  var forced = params.get('transport');
  if (forced && Realtime.TRANSPORTS.indexOf(forced) >= 0) picker.value = forced;

  function connect() {
    if (rt) rt.close();
    var choice = picker.value;
    // One connection for the page; a forced transport is a list of one.
    // Tabs of this origin share one connection (the default); ?share=false gives this tab its own.
    var options = choice === 'auto' ? {} : { transports: [choice] };
    if (params.get('share') === 'false') options.share = false;
    rt = Realtime.connect('/realtime', options);
    rt.on('state', render);
    rt.on('reset', function (info) {
      notice('reset', 'History could not cover the gap on ' + info.topics.join(', ') +
        ': messages sent while you were away may be missing.');
    });
    rt.on('error', function (err) {
      statusDetail.textContent = 'last error: ' + (err.transport ? err.transport + ': ' : '') + err.message;
    });
    // presence: this page is a member with its name; others' joins and leaves keep the list
    sub = rt.subscribe(TOPIC, function (data, message) { show(message); },
      { rewind: HISTORY, presence: true, info: { name: nameInput.value.trim() || 'anonymous' } });
    sub.on('join', function (member) { members.set(member.id, member); renderPeople(); });
    sub.on('leave', function (member) { members.delete(member.id); renderPeople(); });
    // news missed while reconnecting is not replayed: take the whole list at every (re)open
    rt.on('state', function (state) { if (state === 'open') refreshPeople(sub); });
    members = new Map();
    renderPeople();
    render();
  }

  function refreshPeople(of) {
    of.presence().then(function (list) {
      if (of !== sub) return; // a newer connection took over
      members = new Map(list.map(function (member) { return [member.id, member]; }));
      renderPeople();
    }, function (err) {
      statusDetail.textContent = 'who is online: ' + err.message;
    });
  }

  /** One chip per name: a person with two tabs open is two members with one name. */
  function renderPeople() {
    var names = new Map(), mine = nameInput.value.trim() || 'anonymous';
    members.forEach(function (member) {
      var name = String((member.info && member.info.name) || member.user || 'anonymous');
      names.set(name, (names.get(name) || 0) + 1);
    });
    var people = $('people');
    people.textContent = '';
    Array.from(names.keys()).sort().forEach(function (name) {
      var chip = document.createElement('span');
      chip.className = 'person' + (name === mine ? ' me' : '');
      chip.textContent = name + (names.get(name) > 1 ? ' \u00d7' + names.get(name) : '');
      chip.dataset.name = name;
      people.appendChild(chip);
    });
  }

  function render() {
    status.dataset.state = rt.state;
    status.dataset.transport = rt.transport || '';
    statusText.textContent = (rt.transport || 'no transport') + ' \u00b7 ' + rt.state +
      (picker.value === 'auto' ? ' (auto)' : ' (forced)');
    if (rt.state === 'open') statusDetail.textContent = '';
  }

  function show(message) {
    if (shown.has(message.id)) return;
    shown.add(message.id);
    var data = message.data, user = '', body;
    if (data && typeof data === 'object') { user = String(data.user || ''); body = String(data.text == null ? '' : data.text); }
    else body = typeof data === 'string' ? data : JSON.stringify(data);
    var li = document.createElement('li');
    li.className = 'message' + (user === 'server' ? ' server' : '') + (user === nameInput.value.trim() ? ' mine' : '');
    li.dataset.id = message.id;
    var time = document.createElement('time');
    time.dateTime = new Date(message.ts).toISOString();
    time.textContent = new Date(message.ts).toLocaleTimeString();
    var who = document.createElement('b');
    who.className = 'user';
    who.textContent = user || 'anonymous';
    var what = document.createElement('span');
    what.className = 'text';
    what.textContent = body;
    li.append(time, who, what);
    append(li);
  }

  function notice(kind, textContent) {
    var li = document.createElement('li');
    li.className = 'notice ' + kind;
    li.textContent = textContent;
    append(li);
  }

  function append(li) {
    var atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
    list.appendChild(li);
    if (atBottom) list.scrollTop = list.scrollHeight;
  }

  picker.addEventListener('change', function () {
    notice('switch', 'Switching to ' + picker.value + '.');
    connect();
  });

  $('composer').addEventListener('submit', function (e) {
    e.preventDefault();
    var value = text.value.trim(), user = nameInput.value.trim() || 'anonymous';
    if (!value) return;
    text.value = '';
    rt.publish(TOPIC, { user: user, text: value }).catch(function (err) {
      text.value = text.value || value; // give the text back so it can be sent again
      notice('error', 'Not sent: ' + err.message);
    });
  });

  connect();
  // For the console and the browser tests.
  window.chat = { get rt() { return rt; } };
})();

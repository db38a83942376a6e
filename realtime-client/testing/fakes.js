'use strict';
const { afterEach } = require('node:test');
// Scriptable stand-ins for WebSocket, EventSource and fetch, injected through connect options.
// Kept outside test/ so `node --test test/` does not run this file as a test.

class FakeWebSocket {
  constructor(url) {
    this.url = url;
    this.readyState = 0;
    this.sent = [];
    this.closedWith = null;
    this.constructor.instances.push(this);
  }
  send(text) {
    if (this.readyState !== 1) throw new Error('send on a socket that is not open');
    this.sent.push(JSON.parse(text));
  }
  close(code) {
    if (this.closedWith === null) this.closedWith = code === undefined ? 1005 : code;
    this.readyState = 3;
  }
  // Server side
  _open() { this.readyState = 1; this.onopen && this.onopen({}); }
  _receive(frame) { this.onmessage && this.onmessage({ data: JSON.stringify(frame) }); }
  _receiveRaw(text) { this.onmessage && this.onmessage({ data: text }); }
  _fail() {
    this.readyState = 3;
    this.onerror && this.onerror({});
    this.onclose && this.onclose({ code: 1006, reason: '' });
  }
  _serverClose(code, reason = '') {
    this.readyState = 3;
    this.onclose && this.onclose({ code, reason });
  }
  frames(type) { return this.sent.filter((f) => !type || f.type === type); }
}
FakeWebSocket.instances = [];

class FakeEventSource {
  constructor(url) {
    this.url = url;
    this.readyState = 0;
    this.closed = false;
    this.listeners = {};
    this.constructor.instances.push(this);
  }
  addEventListener(type, fn) { (this.listeners[type] = this.listeners[type] || []).push(fn); }
  close() { this.closed = true; this.readyState = 2; }
  // Server side
  _open() { this.readyState = 1; this.onopen && this.onopen({}); }
  _event(type, data, id) {
    const e = { type, data: typeof data === 'string' ? data : JSON.stringify(data), lastEventId: id || '' };
    if (type === 'message' && this.onmessage) this.onmessage(e);
    (this.listeners[type] || []).forEach((fn) => fn(e));
  }
  _error() { this.readyState = 0; this.onerror && this.onerror({}); }
  get topics() { return new URL(this.url, 'http://x').searchParams.getAll('topic'); }
  get cursor() { return new URL(this.url, 'http://x').searchParams.get('cursor'); }
  get since() { return new URL(this.url, 'http://x').searchParams.getAll('since'); }
}
FakeEventSource.instances = [];

/** A fetch whose calls wait until the test answers them. */
function fakeFetch() {
  const calls = [];
  const fetch = (url, init = {}) => new Promise((resolve, reject) => {
    const call = {
      url, init, aborted: false, settled: false,
      get path() { return new URL(url, 'http://x').pathname; },
      get topics() { return new URL(url, 'http://x').searchParams.getAll('topic'); },
      get cursor() { return new URL(url, 'http://x').searchParams.get('cursor'); },
      get since() { return new URL(url, 'http://x').searchParams.getAll('since'); },
      respond(status, body, type = 'application/json', headers = {}) {
        call.settled = true;
        resolve(new Response(typeof body === 'string' ? body : JSON.stringify(body),
          { status, headers: { 'Content-Type': type, ...headers } }));
      },
      ok(body) { call.respond(200, body); },
      fail(err = new TypeError('Failed to fetch')) { call.settled = true; reject(err); },
    };
    if (init.signal) {
      init.signal.addEventListener('abort', () => {
        call.aborted = true;
        if (!call.settled) { call.settled = true; reject(new DOMException('aborted', 'AbortError')); }
      });
    }
    calls.push(call);
  });
  fetch.calls = calls;
  fetch.pending = () => calls.filter((c) => !c.settled);
  return fetch;
}

/** Resolves once `predicate()` is truthy (checked every millisecond), else rejects. */
async function waitFor(predicate, what = 'condition', timeout = 2000) {
  const end = Date.now() + timeout;
  for (;;) {
    const v = predicate();
    if (v) return v;
    if (Date.now() > end) throw new Error('timed out waiting for ' + what);
    await new Promise((r) => setTimeout(r, 1));
  }
}

const tick = (ms = 5) => new Promise((r) => setTimeout(r, ms));

function env(topic, id, data) { return { topic, id, data: data === undefined ? id : data, ts: 1732456789000 }; }

const Realtime = require('../src/realtime.js');

// A test that fails before rt.close() would leave its client reconnecting forever, and the test
// file's process with it: close every client once its test is over, passed or not.
const clients = new Set();
afterEach(() => {
  clients.forEach((rt) => rt.close());
  clients.clear();
});

/** Fresh fakes plus a client wired to them; `rt` is closed by `done()`. */
function setup(options = {}, base = 'http://app.test/realtime') {
  class WS extends FakeWebSocket {}
  WS.instances = [];
  class ES extends FakeEventSource {}
  ES.instances = [];
  const fetch = fakeFetch();
  const states = [];
  const errors = [];
  const rt = Realtime.connect(base, {
    WebSocket: WS, EventSource: ES, fetch,
    reconnect: { initialDelay: 1, maxDelay: 4, factor: 2, jitter: 0 },
    connectTimeout: 1000,
    ...options,
  });
  clients.add(rt);
  rt.on('state', (s) => states.push(s));
  rt.on('error', (e) => errors.push(e));
  return { rt, WS, ES, fetch, states, errors, ws: (i = -1) => WS.instances.at(i), es: (i = -1) => ES.instances.at(i) };
}

module.exports = { Realtime, FakeWebSocket, FakeEventSource, fakeFetch, waitFor, tick, env, setup };

/**
 * The tabs of one browser context: a Web Locks manager and BroadcastChannels shared by the tabs
 * it makes. `tab()` gives one tab's `locks` and `BroadcastChannel`; `crash(tab)` ends a tab as a
 * killed renderer does: its locks are released, its channels go silent.
 */
function fakeBrowser() {
  const queues = new Map(); // lock name -> [{ tab, cb, resolve, reject, granted, release }]
  const channels = new Set();
  const browser = { dropTo: null, posted: [] };
  const grant = (name) => {
    const q = queues.get(name);
    if (!q || !q.length || q[0].granted) return;
    const w = q[0];
    w.granted = true;
    const done = () => { const i = q.indexOf(w); if (i >= 0) q.splice(i, 1); grant(name); };
    w.release = done;
    Promise.resolve().then(() => w.cb({ name })).then((v) => { w.resolve(v); done(); }, (e) => { w.reject(e); done(); });
  };
  browser.tab = () => {
    const tab = { alive: true, channels: new Set() };
    tab.locks = {
      request(name, options, cb) {
        if (typeof options === 'function') cb = options;
        return new Promise((resolve, reject) => {
          const q = queues.get(name) || [];
          queues.set(name, q);
          q.push({ tab, cb, resolve, reject, granted: false });
          grant(name);
        });
      },
    };
    tab.BroadcastChannel = class {
      constructor(name) { this.name = name; this.closed = false; this.tab = tab; channels.add(this); tab.channels.add(this); }
      postMessage(data) {
        if (this.closed || !tab.alive) return;
        const copy = structuredClone(data);
        browser.posted.push(copy);
        for (const other of channels) {
          if (other === this || other.name !== this.name || other.closed) continue;
          if (browser.dropTo && browser.dropTo(other.tab, copy)) continue;
          setTimeout(() => { if (!other.closed && other.tab.alive && other.onmessage) other.onmessage({ data: structuredClone(copy) }); }, 0);
        }
      }
      close() { this.closed = true; channels.delete(this); }
    };
    return tab;
  };
  browser.crash = (tab) => {
    tab.alive = false;
    tab.channels.forEach((c) => c.close());
    queues.forEach((q, name) => q.slice().forEach((w) => {
      if (w.tab !== tab) return;
      if (w.granted) w.release();
      else q.splice(q.indexOf(w), 1);
    }));
  };
  return browser;
}

/**
 * `n` tabs of one browser context sharing one connection, each wired to the same WebSocket,
 * EventSource and fetch fakes (the server side): `tabs[i].rt`, `.states`, `.errors`, `.tab`.
 */
function setupTabs(n, options = {}, base = 'http://app.test/realtime') {
  class WS extends FakeWebSocket {}
  WS.instances = [];
  class ES extends FakeEventSource {}
  ES.instances = [];
  const fetch = fakeFetch();
  const browser = fakeBrowser();
  const open = () => {
    const tab = browser.tab();
    const rt = Realtime.connect(base, {
      WebSocket: WS, EventSource: ES, fetch, locks: tab.locks, BroadcastChannel: tab.BroadcastChannel,
      reconnect: { initialDelay: 1, maxDelay: 4, factor: 2, jitter: 0 }, connectTimeout: 1000,
      location: { href: 'http://app.test/chat' },
      ...options,
    });
    clients.add(rt);
    const t = { rt, tab, states: [], errors: [], resets: [] };
    rt.on('state', (s) => t.states.push(s));
    rt.on('error', (e) => t.errors.push(e));
    rt.on('reset', (r) => t.resets.push(r.topics));
    return t;
  };
  const tabs = Array.from({ length: n }, open);
  return { tabs, open, browser, WS, ES, fetch, ws: (i = -1) => WS.instances.at(i), es: (i = -1) => ES.instances.at(i) };
}

module.exports.fakeBrowser = fakeBrowser;
module.exports.setupTabs = setupTabs;

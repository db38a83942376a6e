/*!
 * realtime.js: browser client for the "realtime" wire protocol (docs/PROTOCOL.md).
 * One classic script, no dependencies, no build step. Defines globalThis.Realtime and, under
 * CommonJS, module.exports. The server appends an ES-module export line to serve it as .mjs, so
 * this file must not use a top-level `return` or `this`.
 *
 *   const rt = Realtime.connect('/realtime', options);
 *   const sub = rt.subscribe('chat', (data, message) => { ... });   sub.unsubscribe();
 *   rt.subscribe('chat', fn, { rewind: 50 });  // the newest 50 messages first, then live ones
 *   const id = await rt.publish('chat', { text: 'hi' });  // rejects with err.code/.status/.detail
 *   const off = rt.on('state' | 'message' | 'reset' | 'error', fn);
 *   rt.transport;  // 'websocket' | 'sse' | 'long-poll' | 'poll' | null (null while not open)
 *   rt.state;      // 'connecting' | 'open' | 'reconnecting' | 'closed'
 *   rt.close();
 *
 * Options (all optional):
 *   transports      ['websocket', 'sse', 'long-poll', 'poll']: tried in this order; a list with
 *                   one entry forces that transport. Once one has opened, reconnects try it
 *                   first and fall back along the list only if it fails before opening again.
 *   pollInterval    1000 ms between regular polls; a reply carrying messages polls again at once.
 *   connectTimeout  10000 ms for a transport to open (WebSocket open, EventSource open, first
 *                   /poll reply) before it counts as failed and the next one is tried. It
 *                   also bounds every /poll request (a held /long-poll ends on the server).
 *   reconnect       { initialDelay: 500, maxDelay: 30000, factor: 2, jitter: 0.5 }: delay before
 *                   retry n (n = 0, 1, ...) is min(maxDelay, initialDelay * factor^n) reduced by
 *                   a random share of up to `jitter`. See Realtime._internal.backoffDelay.
 *   dedupeWindow    1000 message ids remembered per topic, so no message is delivered twice.
 *   WebSocket, EventSource, fetch, location, document: implementations to use instead of the
 *                   globals. (No custom headers: EventSource and WebSocket cannot send them. Use
 *                   cookies.)
 *
 * CSRF. A publish over HTTP to the page's own origin carries Spring Security's CSRF token when
 * the page has one: from <meta name="_csrf" content="..."> (header named by
 * <meta name="_csrf_header">, else X-CSRF-TOKEN), else from the XSRF-TOKEN cookie as
 * X-XSRF-TOKEN. Read at every publish, since Spring Security may replace the token. Never sent
 * to another origin. The GETs and the WebSocket handshake need none.
 *
 * Positions and their limits. The server has two kinds of position: an opaque cursor (HTTP
 * transports: `cursor` of poll replies, `id:` of SSE events, the first of them on the `ready`
 * event) covering all topics of a request, and per-topic message ids (WebSocket `since`). A
 * client can convert neither into the other, so:
 *   - HTTP transports always resume with the latest cursor, also when the topic set changes
 *     (a topic new to the cursor starts now, as a new subscription should). SSE takes it from
 *     the stream's `ready` event, so a topic that has had no message yet resumes without a gap.
 *   - WebSocket resumes each topic with `since` = the last id received on it, or, before any
 *     message, the `position` of its `subscribed` frame: quiet topics resume without a gap too.
 *   - After WebSocket, an HTTP transport reuses the last cursor if at most `dedupeWindow`
 *     messages arrived since it was issued (the replayed ones are dropped by id); otherwise it
 *     starts now, and messages published while switching may be missed.
 *   - Every message is delivered at most once per topic (dedupe by id within dedupeWindow).
 * A subscribe the server refuses over WebSocket (e.g. `forbidden`) is an 'error' event whose
 * `topic` names it; the subscription stays, and the next connection asks again.
 * Rate limits (docs/PROTOCOL.md): a publish over the client's rate rejects with code
 * `rate_limited` and `retryAfter` (ms); a subscribe over it is asked again after `retryAfter` on
 * the same socket; a 429 on /poll or /long-poll retries the same transport no sooner than
 * `retryAfter`. EventSource cannot read a status, so an SSE stream refused with 429 backs off as
 * for any failure.
 * Rewind. `rt.subscribe(topic, fn, { rewind: N })` asks the server for the topic's newest N
 * messages (at most `realtime.history.max-rewind`, fewer when history holds fewer) before live
 * ones, when the topic's first handler subscribes: `"rewind"` in the WebSocket subscribe frame,
 * `rewind=` on /sse, /poll and /long-poll. Only until the topic is positioned (its `subscribed`
 * frame, or a cursor that covers it): a resume never rewinds. Over HTTP one request carries one
 * `rewind` for every topic it starts, the largest asked for, so topics subscribed at the same
 * moment may get more history than they asked for.
 * Long-poll starts each connection with one /poll, which answers at once: it proves the server
 * is reachable within connectTimeout and yields a cursor, so every later request is positioned.
 */
(function () {
  'use strict';

  var TRANSPORTS = ['websocket', 'sse', 'long-poll', 'poll'];
  var TOPIC = /^[A-Za-z0-9._\-:/]{1,128}$/;
  var RECONNECT = { initialDelay: 500, maxDelay: 30000, factor: 2, jitter: 0.5 };
  var HTTP_CODES = {
    400: 'bad_request', 403: 'forbidden', 413: 'too_large', 415: 'unsupported_media_type',
    429: 'rate_limited', 503: 'unavailable'
  };

  /** Delay in ms before reconnect attempt `attempt` (0-based); `random` returns [0, 1). */
  function backoffDelay(attempt, opts, random) {
    var o = Object.assign({}, RECONNECT, opts);
    var r = typeof random === 'function' ? random() : Math.random();
    var jitter = Math.min(1, Math.max(0, o.jitter));
    var base = Math.min(o.maxDelay, o.initialDelay * Math.pow(o.factor, Math.max(0, attempt)));
    return base * (1 - jitter * r);
  }

  function makeError(message, props) {
    return Object.assign(new Error(message), props);
  }

  function validTopic(topic) {
    return typeof topic === 'string' && TOPIC.test(topic);
  }

  /** Rejects with an Error built from an RFC 9457 problem body (or whatever came back). */
  function httpError(res) {
    var fail = function (text) {
      var p = null;
      try { p = JSON.parse(text); } catch (e) { /* not JSON */ }
      var detail = p && typeof p === 'object' ? p.detail || p.title : null;
      throw makeError(detail || text || res.statusText || 'HTTP ' + res.status, {
        status: res.status, code: HTTP_CODES[res.status] || (res.status >= 500 ? 'internal' : 'http_' + res.status),
        detail: detail || undefined, problem: p && typeof p === 'object' ? p : undefined,
        retryAfter: retryAfter(p, res.headers && res.headers.get('Retry-After'))
      });
    };
    return res.text().then(fail, function () { return fail(''); });
  }

  /**
   * [name, value] of the CSRF header for a POST to `url`, or null: only for the page's own
   * origin, so the token never leaves it.
   */
  function csrfHeader(url, doc, location) {
    if (!doc) return null;
    if (location && location.href) {
      if (new URL(url, location.href).origin !== new URL(location.href).origin) return null;
    } else if (/^[a-z][a-z0-9+.-]*:/i.test(url)) {
      return null;
    }
    var meta = function (name) {
      var el = doc.querySelector && doc.querySelector('meta[name="' + name + '"]');
      return el && el.getAttribute('content');
    };
    var token = meta('_csrf');
    if (token) return [meta('_csrf_header') || 'X-CSRF-TOKEN', token];
    var cookie = /(?:^|;\s*)XSRF-TOKEN=([^;]*)/.exec(doc.cookie || '');
    return cookie && cookie[1] ? ['X-XSRF-TOKEN', decodeURIComponent(cookie[1])] : null;
  }

  /**
   * Milliseconds to wait after a refusal: the problem's `retryAfter` (ms), else the
   * `Retry-After` header (seconds; a date is left to the back-off), else undefined.
   */
  function retryAfter(problem, header) {
    if (problem && typeof problem === 'object' && typeof problem.retryAfter === 'number') return problem.retryAfter;
    var seconds = header != null && /^\s*\d+\s*$/.test(header) ? Number(header) : NaN;
    return isNaN(seconds) ? undefined : seconds * 1000;
  }

  /** ws(s)://.../ws for a base that may be relative (resolved against `location`) or absolute. */
  function wsUrlFor(base, location) {
    var abs;
    if (/^wss?:\/\//i.test(base)) abs = base;
    else if (/^https?:\/\//i.test(base)) abs = base.replace(/^http/i, 'ws');
    else {
      if (!location || !location.href) throw new Error('a relative base URL needs `location`');
      var u = new URL(base, location.href);
      abs = (u.protocol === 'https:' ? 'wss:' : 'ws:') + '//' + u.host + u.pathname.replace(/\/+$/, '');
    }
    return abs + '/ws';
  }

  // ------------------------------------------------------------------------------------------
  // WebSocket: one socket, topics added and removed with subscribe/unsubscribe frames.

  function WsTransport(client, cb) {
    this.client = client; this.cb = cb; this.name = 'websocket';
    this.ws = null; this.isOpen = false; this.done = false;
    this.subs = new Set(); this.pending = new Map(); this.seq = 0; this.timer = null; this.resubscribe = null;
  }

  WsTransport.prototype.open = function () {
    var self = this, c = this.client;
    var Impl = c.opts.WebSocket || globalThis.WebSocket;
    if (!Impl) throw new Error('WebSocket is not available');
    var ws = this.ws = new Impl(wsUrlFor(c.base, c.opts.location || globalThis.location));
    this.timer = setTimeout(function () { self._end(makeError('WebSocket did not open in time', { code: 'timeout' })); },
      c.opts.connectTimeout);
    ws.onopen = function () {
      if (self.done) return;
      clearTimeout(self.timer);
      self.isOpen = true;
      self.setTopics();
      self.cb.opened();
      self.cb.healthy();
    };
    ws.onmessage = function (e) { if (!self.done) self._frame(e.data); };
    // After open, wait for `close`: it follows every error and carries the code (1013 etc.).
    ws.onerror = function () { if (!self.isOpen) self._end(makeError('WebSocket error', { code: 'network' })); };
    ws.onclose = function (e) {
      self._end(makeError('WebSocket closed (' + e.code + (e.reason ? ' ' + e.reason : '') + ')',
        { code: 'closed', closeCode: e.code, reason: e.reason }));
    };
  };

  WsTransport.prototype._send = function (frame) { this.ws.send(JSON.stringify(frame)); };

  WsTransport.prototype.setTopics = function () {
    if (!this.isOpen || this.done) return;
    var want = new Set(this.client._topicList()), self = this;
    want.forEach(function (topic) {
      if (self.subs.has(topic)) return;
      var frame = { type: 'subscribe', topic: topic }, since = self.client.lastIds.get(topic);
      var rewind = self.client.rewinds.get(topic);
      if (since != null) frame.since = since;
      else if (rewind) frame.rewind = rewind;
      self.subs.add(topic);
      self._send(frame);
    });
    this.subs.forEach(function (topic) {
      if (want.has(topic)) return;
      self.subs.delete(topic);
      self._send({ type: 'unsubscribe', topic: topic });
    });
  };

  WsTransport.prototype.publish = function (topic, data) {
    var self = this, ref = 'r' + (++this.seq);
    return new Promise(function (resolve, reject) {
      self.pending.set(ref, { resolve: resolve, reject: reject });
      try {
        self._send({ type: 'publish', topic: topic, data: data === undefined ? null : data, ref: ref });
      } catch (e) {
        self.pending.delete(ref);
        throw e;
      }
    });
  };

  WsTransport.prototype._frame = function (raw) {
    var f;
    try { f = JSON.parse(raw); } catch (e) { return this.cb.error(makeError('unreadable frame', { code: 'bad_frame' })); }
    if (!f || typeof f !== 'object') return;
    var p = f.ref != null ? this.pending.get(f.ref) : null;
    switch (f.type) {
      case 'message':
        this.cb.deliver({ topic: f.topic, id: f.id, data: f.data, ts: f.ts }, false);
        break;
      case 'subscribed':
        this.cb.subscribed(f.topic, f.position, f.recovered !== false);
        if (f.recovered === false) this.cb.reset([f.topic]);
        break;
      case 'published':
        if (p) { this.pending.delete(f.ref); p.resolve(f.id); }
        break;
      case 'error':
        var err = makeError(f.message || f.code || 'error', { code: f.code, ref: f.ref, topic: f.topic });
        if (typeof f.retryAfter === 'number') err.retryAfter = f.retryAfter;
        if (p) { this.pending.delete(f.ref); p.reject(err); return; }
        // A subscribe over the client's rate is asked again once it may be; the socket stays.
        if (f.code === 'rate_limited' && f.topic != null && this.subs.delete(f.topic)) this._resubscribeLater(err.retryAfter);
        this.cb.error(err);
        break;
      default: // 'unsubscribed', 'pong' and future frame types need nothing
    }
  };

  WsTransport.prototype._resubscribeLater = function (delay) {
    var self = this;
    if (this.resubscribe) return;
    this.resubscribe = setTimeout(function () { self.resubscribe = null; self.setTopics(); }, delay || 1000);
  };

  WsTransport.prototype._release = function (err) {
    this.done = true;
    clearTimeout(this.timer);
    clearTimeout(this.resubscribe);
    var ws = this.ws;
    if (ws) {
      ws.onopen = ws.onmessage = ws.onerror = ws.onclose = null;
      try { ws.close(1000); } catch (e) { /* already closed */ }
    }
    // A publish in flight has an unknown outcome once the socket is gone; the caller decides.
    this.pending.forEach(function (p) { p.reject(err); });
    this.pending.clear();
  };

  WsTransport.prototype._end = function (err) {
    if (this.done) return;
    this._release(err);
    if (this.isOpen) this.cb.dropped(err); else this.cb.failed(err);
  };

  WsTransport.prototype.close = function () {
    if (!this.done) this._release(makeError('connection closed', { code: 'closed' }));
  };

  // ------------------------------------------------------------------------------------------
  // Server-Sent Events: the topic set is in the URL, so a change means a new stream.

  function SseTransport(client, cb) {
    this.client = client; this.cb = cb; this.name = 'sse';
    this.cur = null;      // the stream in use
    this.next = null;     // a stream for a new topic set, still connecting
    this.opened = false;  // reported as open (also when idle without topics)
    this.verified = false; // a stream actually opened
    this.done = false; this.timer = null;
  }

  SseTransport.prototype.open = function () {
    this.Impl = this.client.opts.EventSource || globalThis.EventSource;
    if (!this.Impl) throw new Error('EventSource is not available');
    this.setTopics();
  };

  SseTransport.prototype.setTopics = function () {
    if (this.done) return;
    var self = this, c = this.client, topics = c._topicList();
    if (this.next) { this.next.close(); this.next = null; }
    if (!topics.length) {
      clearTimeout(this.timer);
      if (this.cur) { this.cur.close(); this.cur = null; }
      if (!this.opened) { this.opened = true; this.cb.opened(); } // nothing to stream yet
      return;
    }
    // The old stream stays open until the new one is: it may still deliver messages the new
    // one would not (its topics may have no cursor yet). Doubles are dropped by id.
    var es = this.next = new this.Impl(c._url('/sse', topics));
    clearTimeout(this.timer);
    this.timer = setTimeout(function () {
      if (es === self.next) self._end(makeError('EventSource did not open in time', { code: 'timeout' }));
    }, c.opts.connectTimeout);
    es.onopen = function () {
      if (es !== self.next || self.done) return;
      clearTimeout(self.timer);
      if (self.cur) self.cur.close();
      self.cur = es; self.next = null;
      if (!self.opened) { self.opened = true; self.cb.opened(); }
      if (!self.verified) { self.verified = true; self.cb.healthy(); }
    };
    es.addEventListener('message', function (e) {
      if (self.done || (es !== self.cur && es !== self.next)) return;
      var env;
      try { env = JSON.parse(e.data); } catch (x) { return self.cb.error(makeError('unreadable event', { code: 'bad_frame' })); }
      // Cursor first: a handler that changes topics reopens from after this message.
      if (e.lastEventId) self.cb.cursor(e.lastEventId);
      self.cb.deliver(env, true);
    });
    // The stream's first event: its id is the cursor of every topic, before any message.
    es.addEventListener('ready', function (e) {
      if (self.done || (es !== self.cur && es !== self.next)) return;
      if (e.lastEventId) self.cb.cursor(e.lastEventId);
      self.cb.positioned(topics);
    });
    es.addEventListener('reset', function (e) {
      if (self.done || (es !== self.cur && es !== self.next)) return;
      var body = {};
      try { body = JSON.parse(e.data) || {}; } catch (x) { /* reset of unknown topics */ }
      self.cb.reset(body.topics || c._topicList());
    });
    // EventSource would reconnect by itself; we reconnect ourselves so back-off and fallback
    // work as on every transport. The cursor we pass is the same one Last-Event-ID would carry.
    es.onerror = function () {
      if (self.done) return;
      if (es === self.cur && self.next) { es.close(); self.cur = null; return; } // the new one takes over
      if (es === self.cur || es === self.next) self._end(makeError('EventSource error', { code: 'network' }));
    };
  };

  SseTransport.prototype.close = function () {
    this.done = true;
    clearTimeout(this.timer);
    if (this.cur) this.cur.close();
    if (this.next) this.next.close();
    this.cur = this.next = null;
  };

  SseTransport.prototype._end = function (err) {
    if (this.done) return;
    this.close();
    if (this.verified) this.cb.dropped(err); else this.cb.failed(err);
  };

  // ------------------------------------------------------------------------------------------
  // Long polling and regular polling: one request at a time, positioned by the cursor.

  function PollTransport(client, cb, name) {
    this.client = client; this.cb = cb; this.name = name;
    this.long = name === 'long-poll';
    this.primed = false;   // long-poll: the opening /poll has answered
    this.opened = false;   // reported as open (also when idle without topics)
    this.verified = false; // the endpoint of this transport has answered
    this.done = false;
    this.ctrl = null; this.timer = null;
  }

  PollTransport.prototype.open = function () { this.setTopics(); };

  PollTransport.prototype._stop = function () {
    clearTimeout(this.timer); this.timer = null;
    if (this.ctrl) { var ctrl = this.ctrl; this.ctrl = null; ctrl.abort(); }
  };

  // A request for the old topic set is dropped: its reply would not advance the cursor, so
  // the new request (same cursor) gets those messages again. Nothing is lost.
  PollTransport.prototype.setTopics = function () {
    if (this.done) return;
    this._stop();
    if (this.client._topicList().length) this._request();
    else if (!this.opened) { this.opened = true; this.cb.opened(); } // nothing to poll yet
  };

  PollTransport.prototype._request = function () {
    var self = this, c = this.client, topics = c._topicList();
    this.timer = null;
    if (!topics.length || this.done) return;
    var useLong = this.long && this.primed;
    var ctrl = this.ctrl = new AbortController();
    var timedOut = false;
    // A held long-poll has the server's timeout; anything else must answer promptly.
    var guard = useLong ? null : setTimeout(function () { timedOut = true; ctrl.abort(); }, c.opts.connectTimeout);
    c._fetch(c._url(useLong ? '/long-poll' : '/poll', topics), {
      signal: ctrl.signal, cache: 'no-store', headers: { Accept: 'application/json' }
    }).then(function (res) {
      return res.ok ? res.json() : httpError(res);
    }).then(function (body) {
      clearTimeout(guard);
      if (ctrl !== self.ctrl || self.done) return;
      self.ctrl = null;
      self.primed = true;
      if (!self.opened) { self.opened = true; self.cb.opened(); }
      if (!self.verified && (useLong || !self.long)) { self.verified = true; self.cb.healthy(); }
      self.cb.positioned(topics);
      self.cb.reply(body || {});
      // Listeners above may have changed the topics, which already sent a new request.
      if (self.done || self.ctrl || self.timer) return;
      var more = !!(body && body.messages && body.messages.length);
      if (self.long || more) self._request();
      else self.timer = setTimeout(function () { self._request(); }, c.opts.pollInterval);
    }).catch(function (err) {
      clearTimeout(guard);
      if (ctrl !== self.ctrl || self.done) return;
      self.ctrl = null;
      if (timedOut) err = makeError(self.name + ' request timed out', { code: 'timeout' });
      self.close();
      // A 400 for a positioned request is a cursor the server no longer reads (e.g. after an
      // upgrade): retrying it would fail forever, so give up the position and say so.
      if (err && err.status === 400 && c.cursor) {
        c.cursor = null;
        self.cb.reset(topics);
      }
      // An HTTP error on the first held long-poll (404, 504 from a proxy, ...) means long
      // polling does not work here: fall back. A network error may be passing: reconnect.
      // A 429 says this transport works but this client must wait: retry it, no fallback.
      if (self.verified || (useLong && !(err && err.status)) || (err && err.status === 429)) self.cb.dropped(err);
      else self.cb.failed(err);
    });
  };

  PollTransport.prototype.close = function () { this.done = true; this._stop(); };

  // ------------------------------------------------------------------------------------------
  // The client: subscriptions, positions, dedupe, transport selection and reconnects.

  var FACTORIES = {
    'websocket': function (c, cb) { return new WsTransport(c, cb); },
    'sse': function (c, cb) { return new SseTransport(c, cb); },
    'long-poll': function (c, cb) { return new PollTransport(c, cb, 'long-poll'); },
    'poll': function (c, cb) { return new PollTransport(c, cb, 'poll'); }
  };

  function Client(base, options) {
    var o = Object.assign({}, options);
    var transports = o.transports || TRANSPORTS;
    if (!transports.length) throw new Error('transports must not be empty');
    transports.forEach(function (t) { if (!FACTORIES[t]) throw new Error('unknown transport: ' + t); });
    this.opts = {
      transports: transports.slice(),
      pollInterval: o.pollInterval != null ? o.pollInterval : 1000,
      connectTimeout: o.connectTimeout != null ? o.connectTimeout : 10000,
      reconnect: Object.assign({}, RECONNECT, o.reconnect),
      dedupeWindow: o.dedupeWindow != null ? o.dedupeWindow : 1000,
      random: o.random || Math.random,
      WebSocket: o.WebSocket, EventSource: o.EventSource, location: o.location, document: o.document
    };
    var fetchImpl = o.fetch;
    // Native fetch must be called unbound from the window, never as a method of `opts`.
    this._fetch = function (url, init) { return (fetchImpl || globalThis.fetch)(url, init); };
    base = String(base == null ? '/realtime' : base).replace(/\/+$/, '');
    this.base = base;
    this.httpBase = base.replace(/^ws(s?):\/\//i, 'http$1://');

    this.state = 'connecting';
    this.transport = null;
    this.topics = new Map();   // topic -> Set of handlers
    this.lastIds = new Map();  // topic -> id of the last message delivered
    this.rewinds = new Map();  // topic -> messages to rewind, until the server has positioned it
    this.seen = new Map();     // topic -> Set of recent ids (insertion ordered, bounded)
    this.cursor = null;        // latest HTTP cursor
    this.sinceCursor = 0;      // messages delivered (over WebSocket) after the cursor was issued
    this.listeners = {};
    this.current = null;       // the transport being tried or in use
    this.index = 0;            // its position in opts.transports
    this.roundStart = 0;       // where the current round of fallbacks began
    this.worked = -1;          // index of the last transport that opened
    this.attempt = 0;          // back-off attempts since the last open
    this.retryTimer = null;

    // Start after the caller's synchronous subscribe() calls, so the first request has them.
    var self = this;
    Promise.resolve().then(function () { if (self.state !== 'closed' && !self.current) self._start(0); });
  }

  Client.prototype.subscribe = function (topic, handler, options) {
    if (this.state === 'closed') throw new Error('connection is closed');
    if (!validTopic(topic)) throw new TypeError('invalid topic: ' + topic);
    if (typeof handler !== 'function') throw new TypeError('handler must be a function');
    var rewind = options && options.rewind != null ? options.rewind : 0;
    if (!Number.isSafeInteger(rewind) || rewind < 0) throw new TypeError('rewind must be a whole number, 0 or more');
    var self = this, set = this.topics.get(topic), active = true;
    if (!set) { set = new Set(); this.topics.set(topic, set); }
    var wasEmpty = set.size === 0;
    // Only a topic that starts now can go back: a later handler joins the subscription as it is.
    if (wasEmpty && rewind > 0) this.rewinds.set(topic, rewind);
    // Wrap so the same function may be subscribed twice and unsubscribed independently.
    var entry = function (data, message) { handler(data, message); };
    set.add(entry);
    if (wasEmpty) this._topicsChanged();
    return {
      topic: topic,
      unsubscribe: function () {
        if (!active) return;
        active = false;
        var s = self.topics.get(topic);
        if (!s || !s.delete(entry) || s.size) return;
        self.topics.delete(topic);
        self.lastIds.delete(topic); // a later subscribe starts now, not from here
        self.rewinds.delete(topic);
        self.seen.delete(topic);
        if (self.state !== 'closed') self._topicsChanged();
      }
    };
  };

  Client.prototype.publish = function (topic, data) {
    if (this.state === 'closed') return Promise.reject(makeError('connection is closed', { code: 'closed' }));
    if (!validTopic(topic)) return Promise.reject(makeError('invalid topic: ' + topic, { code: 'bad_request' }));
    var t = this.current;
    if (t && t.name === 'websocket' && t.isOpen && !t.done) return t.publish(topic, data);
    var url = this.httpBase + '/publish?topic=' + encodeURIComponent(topic);
    var headers = { 'Content-Type': 'application/json', Accept: 'application/json' };
    var csrf = csrfHeader(url, this.opts.document || globalThis.document, this.opts.location || globalThis.location);
    if (csrf) headers[csrf[0]] = csrf[1];
    return this._fetch(url, {
      method: 'POST',
      headers: headers,
      body: JSON.stringify(data === undefined ? null : data)
    }).then(function (res) {
      return res.ok ? res.json().then(function (b) { return b.id; }) : httpError(res);
    });
  };

  Client.prototype.on = function (event, fn) {
    var list = this.listeners[event] || (this.listeners[event] = []);
    list.push(fn);
    return function off() {
      var i = list.indexOf(fn);
      if (i >= 0) list.splice(i, 1);
    };
  };

  Client.prototype.close = function () {
    if (this.state === 'closed') return;
    clearTimeout(this.retryTimer);
    this._teardown();
    this._setState('closed');
  };

  Client.prototype._emit = function (event, a, b) {
    var list = (this.listeners[event] || []).slice();
    for (var i = 0; i < list.length; i++) {
      try { list[i](a, b); } catch (e) { this._report(e, event === 'error'); }
    }
    return list.length > 0;
  };

  /** Errors thrown by user callbacks must not break delivery; surface them as 'error'. */
  Client.prototype._report = function (err, fromErrorListener) {
    if (fromErrorListener || !this._emit('error', err)) {
      if (typeof console !== 'undefined') console.error(err);
    }
  };

  Client.prototype._setState = function (state) {
    var prev = this.state;
    if (prev === state) return;
    this.state = state;
    this._emit('state', state, prev);
  };

  Client.prototype._topicList = function () { return Array.from(this.topics.keys()); };

  Client.prototype._topicsChanged = function () {
    if (this.current) this.current.setTopics();
  };

  Client.prototype._url = function (path, topics) {
    var q = topics.map(function (t) { return 'topic=' + encodeURIComponent(t); });
    if (this.cursor) q.push('cursor=' + encodeURIComponent(this.cursor));
    // The server rewinds only the topics the cursor does not resume.
    var rewinds = this.rewinds;
    var rewind = topics.reduce(function (most, t) { return Math.max(most, rewinds.get(t) || 0); }, 0);
    if (rewind) q.push('rewind=' + rewind);
    return this.httpBase + path + '?' + q.join('&');
  };

  Client.prototype._setCursor = function (cursor) { this.cursor = cursor; this.sinceCursor = 0; };

  /** Hands one envelope to the topic's handlers unless it was already delivered. */
  Client.prototype._deliver = function (env, positionedByCursor) {
    if (!env || typeof env !== 'object') return;
    var handlers = this.topics.get(env.topic);
    if (!handlers) return; // unsubscribed meanwhile, or a stream for an older topic set
    if (env.id != null) {
      var seen = this.seen.get(env.topic);
      if (!seen) this.seen.set(env.topic, seen = new Set());
      if (seen.has(env.id)) return;
      seen.add(env.id);
      if (seen.size > this.opts.dedupeWindow) seen.delete(seen.values().next().value);
      this.lastIds.set(env.topic, env.id);
    }
    // The cursor only stays usable while every message past it can still be recognised.
    if (!positionedByCursor && this.cursor && ++this.sinceCursor > this.opts.dedupeWindow) this.cursor = null;
    var list = Array.from(handlers);
    for (var i = 0; i < list.length; i++) {
      try { list[i](env.data, env); } catch (e) { this._report(e); }
    }
    this._emit('message', env);
  };

  /**
   * A WebSocket subscribe was accepted; `position` is the id delivery starts after. A topic with
   * no message yet resumes from there. After a reset the old id is from a history the server no
   * longer has, so the new position replaces it.
   */
  Client.prototype._subscribed = function (topic, position, recovered) {
    this.rewinds.delete(topic);
    if (typeof position !== 'string' || !position || !this.topics.has(topic)) return;
    if (!recovered || !this.lastIds.has(topic)) this.lastIds.set(topic, position);
  };

  /** The server has positioned these topics (a cursor covers them): no rewind from now on. */
  Client.prototype._positioned = function (topics) {
    var rewinds = this.rewinds;
    topics.forEach(function (t) { rewinds.delete(t); });
  };

  Client.prototype._reset = function (topics) {
    var self = this;
    topics = (topics || []).filter(function (t) { return self.topics.has(t); });
    if (topics.length) this._emit('reset', { topics: topics });
  };

  /**
   * A poll or long-poll reply: reset first (the gap precedes these messages), then messages.
   * The cursor is taken first, so a handler that changes topics re-requests from after them.
   */
  Client.prototype._reply = function (body) {
    if (body.cursor) this._setCursor(body.cursor);
    if (body.recovered === false) this._reset(body.reset || this._topicList());
    var msgs = body.messages || [];
    for (var i = 0; i < msgs.length; i++) this._deliver(msgs[i], true);
  };

  Client.prototype._start = function (index) {
    if (this.state === 'closed') return;
    var self = this, t = null, name = this.opts.transports[index];
    var live = function (fn) {
      return function (a, b) { if (t === self.current && self.state !== 'closed') fn.call(self, a, b); };
    };
    this.index = index;
    this.transport = null;
    t = this.current = FACTORIES[name](this, {
      opened: live(function () {
        this.worked = this.index; this.transport = name;
        this._setState('open');
      }),
      // Back-off restarts only once the transport really carried traffic, so one that opens
      // and breaks at once (long-poll behind a proxy cutting held requests) still slows down.
      healthy: live(function () { this.attempt = 0; }),
      failed: live(this._failed),
      dropped: live(this._dropped),
      deliver: live(this._deliver),
      reply: live(this._reply),
      reset: live(this._reset),
      cursor: live(this._setCursor),
      subscribed: live(this._subscribed),
      positioned: live(this._positioned),
      error: live(function (err) { err.transport = name; this._emit('error', err); })
    });
    try { t.open(); } catch (e) { if (t === this.current) this._failed(e); }
  };

  Client.prototype._teardown = function () {
    var t = this.current;
    this.current = null;
    this.transport = null;
    if (t) t.close();
  };

  Client.prototype._asError = function (err) {
    if (!(err instanceof Error)) err = makeError(String(err && err.message || err), { cause: err });
    if (!err.transport) err.transport = this.opts.transports[this.index];
    return err;
  };

  /** The transport could not (re)open: try the next one now; after a full round, back off. */
  Client.prototype._failed = function (err) {
    err = this._asError(err);
    this._teardown();
    if (this.state === 'open') this._setState('reconnecting');
    this._emit('error', err);
    if (this.state === 'closed') return;
    var next = (this.index + 1) % this.opts.transports.length;
    if (next !== this.roundStart) this._start(next);
    else this._retryLater(this.worked >= 0 ? this.worked : 0, err.retryAfter);
  };

  /** The transport was open and broke: retry the same one first, after a back-off. */
  Client.prototype._dropped = function (err) {
    err = this._asError(err);
    this._teardown();
    this._setState('reconnecting');
    this._emit('error', err);
    if (this.state !== 'closed') this._retryLater(this.index, err.retryAfter);
  };

  /** Retry after the back-off, or after `atLeast` ms when the server said so (429, Retry-After). */
  Client.prototype._retryLater = function (index, atLeast) {
    var self = this;
    this.roundStart = index;
    this._setState('reconnecting');
    var delay = Math.max(backoffDelay(this.attempt++, this.opts.reconnect, this.opts.random), atLeast || 0);
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(function () { self.retryTimer = null; self._start(index); }, delay);
  };

  /* ---- Resumable uploads (tus 1.0, issue 15): self-contained, used only by Client#upload. ---- */

  var UPLOAD_RETRY_DELAYS = [0, 1000, 3000, 5000, 10000, 20000];

  /** Base64 of the UTF-8 bytes of `text`, as Upload-Metadata wants its values. */
  function uploadBase64(text) {
    var bytes = new TextEncoder().encode(String(text)), bin = '';
    for (var i = 0; i < bytes.length; i++) bin += String.fromCharCode(bytes[i]);
    return btoa(bin);
  }

  /**
   * Uploads `file` (a Blob or File) to {base}/uploads, resuming where the server is: after a
   * dropped connection (HEAD, then PATCH from the server's offset, with back-off) and after a
   * page reload (the upload URL is remembered in localStorage under the file's fingerprint, as
   * tus clients do). One PATCH carries the rest of the file unless `chunkSize` is set.
   */
  function upload(client, file, options) {
    var o = Object.assign({}, options);
    var endpoint = new URL(client.httpBase + '/uploads', (client.opts.location || globalThis.location || {}).href).href;
    var XHR = o.XMLHttpRequest || globalThis.XMLHttpRequest;
    var storage = o.storage !== undefined ? o.storage : globalThis.localStorage;
    var delays = o.retryDelays || UPLOAD_RETRY_DELAYS;
    var chunkSize = o.chunkSize || Infinity;
    var signal = o.signal;
    var size = file.size;
    var key = 'realtime-upload::' + endpoint + '::' + (o.fingerprint ||
      [file.name, file.type, size, file.lastModified].join('-'));
    var metadata = Object.assign({}, file.name ? { filename: file.name } : {},
      file.type ? { filetype: file.type } : {}, o.metadata);
    var url = null, xhr = null, retries = 0, timer = null, known = 0;

    function headers(extra) {
      var h = Object.assign({ 'Tus-Resumable': '1.0.0' }, extra);
      var csrf = csrfHeader(endpoint, client.opts.document || globalThis.document, client.opts.location || globalThis.location);
      if (csrf) h[csrf[0]] = csrf[1];
      return h;
    }
    function remember() { try { if (storage) storage.setItem(key, JSON.stringify({ url: url, size: size })); } catch (e) { /* full or denied */ } }
    function forget() { try { if (storage) storage.removeItem(key); } catch (e) { /* denied */ } }
    function remembered() {
      try { var r = storage && JSON.parse(storage.getItem(key) || 'null'); return r && r.size === size ? r.url : null; } catch (e) { return null; }
    }
    function aborted() { return makeError('upload aborted', { name: 'AbortError', code: 'aborted' }); }
    function refused(res) { return httpError(res).catch(function (err) { err.retryable = res.status === 409 || res.status === 423 || res.status === 429 || res.status >= 500; throw err; }); }
    function started(offset) {
      var id = url.replace(/[?#].*$/, '').split('/').pop();
      if (o.onStart) o.onStart({ id: id, url: url, topic: 'uploads/' + id, offset: offset });
      if (o.onProgress) o.onProgress(offset, size);
    }

    function create() {
      var pairs = Object.keys(metadata).map(function (k) { return k + ' ' + uploadBase64(metadata[k]); });
      var h = headers({ 'Upload-Length': String(size) });
      if (pairs.length) h['Upload-Metadata'] = pairs.join(',');
      return client._fetch(endpoint, { method: 'POST', headers: h, signal: signal }).then(function (res) {
        if (res.status !== 201) return refused(res);
        url = new URL(res.headers.get('Location'), endpoint).href;
        remember();
        return 0;
      });
    }
    function offsetOnServer() {
      return client._fetch(url, { method: 'HEAD', headers: headers(), signal: signal, cache: 'no-store' }).then(function (res) {
        if (res.ok) return Number(res.headers.get('Upload-Offset'));
        if (res.status === 404 || res.status === 410 || res.status === 403) { forget(); url = null; return create(); }
        return refused(res);
      });
    }
    function patch(offset) {
      return new Promise(function (resolve, reject) {
        if (signal && signal.aborted) { reject(aborted()); return; }
        var end = Math.min(size, offset + chunkSize);
        xhr = new XHR();
        xhr.open('PATCH', url);
        var h = headers({ 'Upload-Offset': String(offset), 'Content-Type': 'application/offset+octet-stream' });
        Object.keys(h).forEach(function (k) { xhr.setRequestHeader(k, h[k]); });
        if (xhr.upload && o.onProgress) xhr.upload.onprogress = function (e) { o.onProgress(offset + e.loaded, size); };
        xhr.onload = function () {
          if (xhr.status === 204) { resolve(Number(xhr.getResponseHeader('Upload-Offset'))); return; }
          var err = makeError('upload refused: HTTP ' + xhr.status, { status: xhr.status, code: HTTP_CODES[xhr.status] || 'http_' + xhr.status });
          err.retryable = xhr.status === 409 || xhr.status === 423 || xhr.status === 429 || xhr.status >= 500;
          reject(err);
        };
        xhr.onerror = function () { reject(makeError('upload connection failed', { code: 'network', retryable: true })); };
        xhr.onabort = function () { reject(aborted()); };
        xhr.send(file.slice(offset, end));
      });
    }
    function run(offset) {
      if (offset >= size) { forget(); if (o.onProgress) o.onProgress(size, size); return Promise.resolve(offset); }
      return patch(offset).then(function (next) { if (next > offset) retries = 0; return run(next); });
    }
    function attempt(first) {
      var start = url ? offsetOnServer() : create();
      return start.then(function (offset) {
        if (offset > known) retries = 0; // progress since the last try: the back-off starts over
        known = offset;
        if (first || offset === 0) started(offset);
        return run(offset);
      })
        .catch(function (err) {
          if (err.name === 'AbortError' || (signal && signal.aborted)) throw aborted();
          if (err.retryable === false || (err.status && err.retryable !== true) || retries >= delays.length) throw err;
          var delay = delays[retries++];
          return new Promise(function (resolve, reject) {
            timer = setTimeout(function () { timer = null; attempt(false).then(resolve, reject); }, delay);
            if (signal) signal.addEventListener('abort', function () { clearTimeout(timer); reject(aborted()); }, { once: true });
          });
        });
    }

    if (signal) {
      signal.addEventListener('abort', function () {
        if (xhr) xhr.abort();
        if ((typeof o.terminate === 'function' ? o.terminate() : o.terminate) && url) {
          forget();
          client._fetch(url, { method: 'DELETE', headers: headers() }).catch(function () { /* best effort */ });
        }
      }, { once: true });
    }
    url = remembered();
    return attempt(true).then(function () {
      var id = url.replace(/[?#].*$/, '').split('/').pop();
      return { id: id, url: url, topic: 'uploads/' + id };
    });
  }

  /** See `upload` above and docs/PROTOCOL.md, "Uploads". */
  Client.prototype.upload = function (file, options) { return upload(this, file, options); };

  var Realtime = {
    /** Opens one shared connection to the server at `base` (default '/realtime'). */
    connect: function (base, options) { return new Client(base, options); },
    TRANSPORTS: TRANSPORTS.slice(),
    _internal: {
      backoffDelay: backoffDelay, validTopic: validTopic, wsUrlFor: wsUrlFor, httpError: httpError,
      Client: Client, WsTransport: WsTransport, SseTransport: SseTransport, PollTransport: PollTransport
    }
  };

  globalThis.Realtime = Realtime;
  if (typeof module !== 'undefined' && module.exports) module.exports = Realtime;
})();

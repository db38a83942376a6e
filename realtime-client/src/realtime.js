/*!
 * realtime.js: browser client for the "realtime" wire protocol (docs/PROTOCOL.md).
 * One classic script, no dependencies, no build step. Defines globalThis.Realtime and, under
 * CommonJS, module.exports. The server appends an ES-module export line to serve it as .mjs, so
 * this file must not use a top-level `return` or `this`.
 *
 *   const rt = Realtime.connect('/realtime', options);
 *   const sub = rt.subscribe('chat', (data, message) => { ... });   sub.unsubscribe();
 *   rt.subscribe('chat', fn, { rewind: 50 });  // the newest 50 messages first, then live ones
 *   const sub = rt.subscribe('chat', fn, { presence: true, info: { name: 'Ada' } });
 *   await sub.presence();  sub.on('join' | 'leave', (member) => { ... });  // see Presence below
 *   const id = await rt.publish('chat', { text: 'hi' });  // rejects with err.code/.status/.detail
 *   const off = rt.on('state' | 'message' | 'reset' | 'error', fn);
 *   rt.transport;  // 'websocket' | 'sse' | 'long-poll' | 'poll' | null (null while not open)
 *   rt.state;      // 'connecting' | 'open' | 'reconnecting' | 'closed'
 *   rt.close();
 *   rt.subscribe(Realtime.userTopic(me, 'notifications'), fn);  // publishToUser(me, ...) on the server
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
 *   share           true: share one connection with the other tabs of this origin that connect
 *                   to the same base with the same transports (a string: only with tabs passing
 *                   the same string); false: a connection of its own. See "Tabs" below.
 *   WebSocket, EventSource, fetch, location, document, locks, BroadcastChannel: implementations
 *                   to use instead of the globals. (No custom headers: EventSource and WebSocket
 *                   cannot send them. Use cookies.)
 *
 * CSRF. A publish over HTTP to the page's own origin carries Spring Security's CSRF token when
 * the page has one: from <meta name="_csrf" content="..."> (header named by
 * <meta name="_csrf_header">, else X-CSRF-TOKEN), else from the XSRF-TOKEN cookie as
 * X-XSRF-TOKEN. Read at every publish, since Spring Security may replace the token. Never sent
 * to another origin. The GETs and the WebSocket handshake need none.
 *
 * Positions. The server has two kinds of position: an opaque cursor (HTTP transports: `cursor`
 * of poll replies, `id:` of SSE events, the first of them on the `ready` event) covering all
 * topics of a request, and per-topic message ids (WebSocket `since`). Each transport takes the
 * other's (docs/PROTOCOL.md, "Switching transports"), so every switch resumes every topic:
 *   - HTTP transports resume with the latest cursor, also when the topic set changes (a topic
 *     new to the cursor starts now, as a new subscription should). SSE takes it from the
 *     stream's `ready` event, so a topic that has had no message yet resumes without a gap.
 *     A topic whose position moved on over WebSocket (a message, a `subscribed` position) is
 *     sent as `since=<topic>=<id>`, which the server prefers to the cursor.
 *   - WebSocket resumes each topic with `since` = the last id received on it, or, before any
 *     message, the `position` of its `subscribed` frame; a topic it has never positioned sends
 *     the HTTP cursor instead (`"cursor"`), so quiet topics resume without a gap too (unless the
 *     cursor is longer than MAX_FRAME_CURSOR, many topics: such a quiet topic starts now).
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
 * Tabs. With Web Locks and BroadcastChannel, the tab holding the lock runs the connection for
 * every tab's topics and relays to the others (TabClient, Relay below): a seventh tab works on
 * HTTP/1.1, and ten tabs cost the server one connection. Each tab keeps its own handlers,
 * positions and dedupe. When the leader goes, the next tab in the lock's queue opens a new
 * connection from the positions the tabs announce; tabs see `reconnecting`, then `open`. A tab
 * behind the new connection (or joining a live topic with `rewind`) first fetches its gap with
 * /poll, holding back live messages meanwhile, so every tab gets every message once, in order.
 * Presence (on topics the server lists in `realtime.presence.topics`). Every subscriber is a
 * member, `{ id, user?, info? }`; `info` (a small JSON object) goes with the subscribe: `"info"`
 * in the WebSocket frame, `info=` on /sse, /poll, /long-poll (one per request: the first topic's
 * that has one). Polls of subscriptions with `presence` or `info` carry this connection's random
 * `client` id, so a polling client stays one member (without them it is no member on polls). `presence: true` asks for news: `join` / `leave` frames, SSE events or the `presence`
 * entries of poll replies, handed to `sub.on('join' | 'leave', fn)` (never one's own). News
 * missed while reconnecting is not replayed: call `sub.presence()` again once open.
 * Long-poll starts each connection with one /poll, which answers at once: it proves the server
 * is reachable within connectTimeout and yields a cursor, so every later request is positioned.
 * It reports `open` only once /long-poll itself works: its first reply, or the request held
 * for LONG_POLL_PROOF ms without an error (a proxy refusing held requests answers sooner).
 */
(function () {
  'use strict';

  var TRANSPORTS = ['websocket', 'sse', 'long-poll', 'poll'];
  var TOPIC = /^[A-Za-z0-9._\-:/]{1,128}$/;
  var RECONNECT = { initialDelay: 500, maxDelay: 30000, factor: 2, jitter: 0.5 };
  var LONG_POLL_PROOF = 1000; // ms a held /long-poll must live to count as working
  var MAX_FRAME_CURSOR = 2048; // longest cursor sent in a WebSocket subscribe frame
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

  /**
   * A user's private topic, `user/<name>/<topic>`, named as the server's UserTopics does: bytes
   * of the UTF-8 name outside A-Z a-z 0-9 . _ - become `:XX`.
   */
  function userTopic(user, topic) {
    if (typeof user !== 'string' || !user) throw new TypeError('user is required');
    var name = '';
    var bytes = new TextEncoder().encode(user);
    for (var i = 0; i < bytes.length; i++) {
      var c = String.fromCharCode(bytes[i]);
      name += /[A-Za-z0-9._-]/.test(c) ? c : ':' + (bytes[i] < 16 ? '0' : '') + bytes[i].toString(16).toUpperCase();
    }
    var full = 'user/' + name + '/' + topic;
    if (!validTopic(topic) || !validTopic(full)) throw new TypeError('invalid topic: ' + full);
    return full;
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
      // positions the topic if the cursor holds it; a very long one would not fit the frame limit
      else if (self.client.cursor && self.client.cursor.length <= MAX_FRAME_CURSOR) frame.cursor = self.client.cursor;
      if (since == null && rewind) frame.rewind = rewind;
      Object.assign(frame, self.client._presenceOf([topic], true));
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

  /** Asks for a topic's members: resolves with the `presence` frame's. */
  WsTransport.prototype.members = function (topic) {
    var self = this, ref = 'r' + (++this.seq);
    return new Promise(function (resolve, reject) {
      self.pending.set(ref, { resolve: resolve, reject: reject });
      self._send({ type: 'presence', topic: topic, ref: ref });
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
      case 'presence':
        if (p) { this.pending.delete(f.ref); p.resolve(f.members || []); }
        break;
      case 'join': case 'leave':
        this.cb.presence(f);
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
    ['join', 'leave'].forEach(function (type) {
      es.addEventListener(type, function (e) {
        if (self.done || (es !== self.cur && es !== self.next)) return;
        try { self.cb.presence(Object.assign({ type: type }, JSON.parse(e.data))); } catch (x) { /* unreadable */ }
      });
    });
    es.addEventListener('reset', function (e) {
      if (self.done || (es !== self.cur && es !== self.next)) return;
      var body = {};
      try { body = JSON.parse(e.data) || {}; } catch (x) { /* reset of unknown topics */ }
      self.cb.reset(body.topics || c._topicList(), true);
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
    this.ctrl = null; this.timer = null; this.proof = null;
  }

  PollTransport.prototype.open = function () { this.setTopics(); };

  PollTransport.prototype._stop = function () {
    clearTimeout(this.timer); this.timer = null;
    clearTimeout(this.proof); this.proof = null;
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
    // The opening /poll does not prove /long-poll works (a proxy may refuse held requests):
    // open once the held request answers or has lived long enough without an error.
    if (useLong && !this.opened) {
      this.proof = setTimeout(function () {
        self.proof = null;
        if (ctrl === self.ctrl && !self.done && !self.opened) { self.opened = true; self.cb.opened(); }
      }, Math.min(LONG_POLL_PROOF, c.opts.connectTimeout));
    }
    c._fetch(c._url(useLong ? '/long-poll' : '/poll', topics), {
      signal: ctrl.signal, cache: 'no-store', headers: { Accept: 'application/json' }
    }).then(function (res) {
      return res.ok ? res.json() : httpError(res);
    }).then(function (body) {
      clearTimeout(guard);
      if (ctrl !== self.ctrl || self.done) return;
      self.ctrl = null;
      clearTimeout(self.proof); self.proof = null;
      self.primed = true;
      if (!self.opened && (useLong || !self.long)) { self.opened = true; self.cb.opened(); }
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
      else if (!err || (err.code == null && err.status == null)) {
        // fetch rejects with a bare TypeError when the network fails
        err = makeError((err && err.message) || 'network error', { code: 'network', cause: err });
      }
      self.close();
      // A 400 for a positioned request is a position the server no longer reads (e.g. after an
      // upgrade): retrying it would fail forever, so give up the position and say so.
      if (err.status === 400 && (c.cursor || c._ahead(topics).length)) {
        c.cursor = null;
        self.cb.reset(topics, true);
      }
      // An HTTP error on the first held long-poll (404, 504 from a proxy, ...) means long
      // polling does not work here: fall back. A network error may be passing: reconnect.
      // A 429 says this transport works but this client must wait: retry it, no fallback.
      if (self.verified || (useLong && !err.status) || err.status === 429) self.cb.dropped(err);
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
    this.presenceSubs = new Map(); // topic -> Set of { news, info, on: { join: [], leave: [] } }
    // A polling client's own id (PROTOCOL "Presence"), the same on every poll of this connection.
    this.clientId = 'k' + Math.floor(this.opts.random() * 1e15).toString(36) + Date.now().toString(36);
    this.cursor = null;        // latest HTTP cursor
    this.ahead = new Set();    // topics whose lastIds moved past the cursor (over WebSocket)
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
    var presence = newPresence(options);
    if (!Number.isSafeInteger(rewind) || rewind < 0) throw new TypeError('rewind must be a whole number, 0 or more');
    var self = this, set = this.topics.get(topic), active = true;
    if (!set) { set = new Set(); this.topics.set(topic, set); }
    var wasEmpty = set.size === 0;
    // Only a topic that starts now can go back: a later handler joins the subscription as it is.
    if (wasEmpty && rewind > 0) this.rewinds.set(topic, rewind);
    // Wrap so the same function may be subscribed twice and unsubscribed independently.
    var entry = function (data, message) { handler(data, message); };
    set.add(entry);
    var presenceChanged = this._addPresence(topic, presence);
    if (wasEmpty) this._topicsChanged();
    else if (presenceChanged) this._presenceChanged(topic);
    return {
      topic: topic,
      /** Resolves with the topic's members, `[{ id, user?, info? }]`. */
      presence: function () { return self._members(topic); },
      /** `'join'` or `'leave'` of another member (needs `presence: true`); returns `off`. */
      on: function (event, fn) { return presenceOn(presence, event, fn); },
      unsubscribe: function () {
        if (!active) return;
        active = false;
        self._removePresence(topic, presence);
        var s = self.topics.get(topic);
        if (!s || !s.delete(entry) || s.size) return;
        self.topics.delete(topic);
        self.lastIds.delete(topic); // a later subscribe starts now, not from here
        self.ahead.delete(topic);
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
    var lastIds = this.lastIds;
    this._ahead(topics).forEach(function (t) { q.push('since=' + encodeURIComponent(t + '=' + lastIds.get(t))); });
    // The server rewinds only the topics the cursor does not resume.
    var rewinds = this.rewinds;
    var rewind = topics.reduce(function (most, t) { return Math.max(most, rewinds.get(t) || 0); }, 0);
    if (rewind) q.push('rewind=' + rewind);
    var presence = this._presenceOf(topics, false);
    if (path !== '/sse' && presence.member) q.push('client=' + this.clientId);
    if (presence.presence) q.push('presence=true');
    if (presence.info) q.push('info=' + encodeURIComponent(JSON.stringify(presence.info)));
    return this.httpBase + path + '?' + q.join('&');
  };

  Client.prototype._setCursor = function (cursor) { this.cursor = cursor; };

  /** Those of `topics` an HTTP request must position by `since`: the cursor is behind them. */
  Client.prototype._ahead = function (topics) {
    var self = this;
    return topics.filter(function (t) { return self.ahead.has(t) && self.lastIds.has(t); });
  };

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
      if (positionedByCursor) this.ahead.delete(env.topic); else this.ahead.add(env.topic);
    }
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
    if (!recovered || !this.lastIds.has(topic)) { this.lastIds.set(topic, position); this.ahead.add(topic); }
  };

  /**
   * The server has positioned these topics (a cursor covers them, `since` included): no rewind
   * from now on, and the cursor is as new as the last ids.
   */
  Client.prototype._positioned = function (topics) {
    var rewinds = this.rewinds, ahead = this.ahead;
    topics.forEach(function (t) { rewinds.delete(t); ahead.delete(t); });
  };

  /**
   * History could not cover a gap. `forget`: an HTTP reset, whose last ids belong to the lost
   * history (WebSocket replaces them with the new `subscribed` position instead).
   */
  Client.prototype._reset = function (topics, forget) {
    var self = this;
    if (forget) (topics || []).forEach(function (t) { self.lastIds.delete(t); self.ahead.delete(t); });
    topics = (topics || []).filter(function (t) { return self.topics.has(t); });
    if (topics.length) this._emit('reset', { topics: topics });
  };

  /**
   * A poll or long-poll reply: reset first (the gap precedes these messages), then messages.
   * The cursor is taken first, so a handler that changes topics re-requests from after them.
   */
  Client.prototype._reply = function (body) {
    if (body.cursor) this._setCursor(body.cursor);
    if (body.recovered === false) this._reset(body.reset || this._topicList(), true);
    var msgs = body.messages || [];
    for (var i = 0; i < msgs.length; i++) this._deliver(msgs[i], true);
    var news = body.presence || [];
    for (var j = 0; j < news.length; j++) this._presence(news[j]);
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
      presence: live(this._presence),
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

  // ------------------------------------------------------------------------------------------
  // Tab sharing: the tabs of one origin that connect to the same base with the same transports
  // share one connection. The tab holding a Web Lock is the leader: it runs a Client (above) for
  // the topics of every tab and relays what it gets over a BroadcastChannel. Every tab, the
  // leader's own included, is a TabClient with its own handlers, positions and dedupe, so each
  // receives each message of its topics once and in order. When the leader goes, the lock passes
  // to another tab, which starts a new Client from the positions every tab announces.
  //
  // Tab -> leader: hello, sub {topic, seq, since, cursor, rewind, presence, info}, unsub {topic},
  // presence {topic, presence, info}, members {ref, topic}, pub {ref, topic, data}, on {topic,
  // name}, bye. Leader -> tabs: leader {state, transport}, ack {to, topic, seq, at, fresh}, msg
  // {env}, reset {topics}, pos {topic, at, reset}, cursor {cursor}, state {state, transport},
  // error {error}, pubd {to, ref, id | error}, membersd {to, ref, members | error}, ev {topic,
  // name, args}. Leader messages
  // carry `from`; tabs keep only the current leader's. `on`/`ev` relay any per-subscription event
  // of the connection's subscriptions (`sub.on(name, fn)`, when they have one) without knowing it.

  /** What of a RealtimeError survives structured cloning. */
  function plainError(err) {
    var e = {};
    ['message', 'code', 'status', 'detail', 'retryAfter', 'problem', 'ref', 'topic', 'closeCode', 'transport']
      .forEach(function (k) { if (err && err[k] !== undefined) e[k] = err[k]; });
    if (e.message === undefined) e.message = String(err);
    return e;
  }

  function errorFrom(plain) {
    var props = Object.assign({}, plain);
    delete props.message;
    return makeError(plain.message, props);
  }

  /** The leader's side: one Client for the union of every tab's topics. */
  function Relay(tab) {
    var self = this;
    this.tab = tab;
    this.closed = false;
    this.wants = new Map(); // topic -> Set of tab ids
    this.subs = new Map();  // topic -> subscription on the Client
    this.hooked = new Map(); // topic -> Set of per-subscription event names relayed
    this.presence = new Map(); // topic -> { news, info, subs }: what the tabs asked of presence
    this.watched = new Set(); // tab ids whose end is awaited
    var inner = this.inner = new Client(tab.base, Object.assign({}, tab.options, { share: false }));
    inner.on('state', function (state) { self.send({ t: 'state', state: state, transport: inner.transport }); });
    inner.on('reset', function (info) { self.send({ t: 'reset', topics: info.topics }); });
    inner.on('error', function (err) { self.send({ t: 'error', error: plainError(err) }); });
    // Positions the tabs keep, so a later leader resumes quiet topics too.
    var setCursor = inner._setCursor, subscribed = inner._subscribed;
    inner._setCursor = function (cursor) {
      var changed = cursor !== this.cursor;
      setCursor.call(this, cursor);
      if (changed) self.send({ t: 'cursor', cursor: cursor });
    };
    inner._subscribed = function (topic, position, recovered) {
      subscribed.call(this, topic, position, recovered);
      if (this.lastIds.has(topic)) self.send({ t: 'pos', topic: topic, at: this.lastIds.get(topic), reset: !recovered });
    };
  }

  Relay.prototype.send = function (msg) {
    if (this.closed) return;
    msg.from = this.tab.id;
    this.tab.channel.postMessage(msg);
    this.tab._fromLeader(msg);
  };

  Relay.prototype.handle = function (msg) {
    if (this.closed || !msg || typeof msg !== 'object') return;
    var self = this, inner = this.inner;
    switch (msg.t) {
      case 'hello':
        this.send({ t: 'leader', state: inner.state, transport: inner.transport });
        break;
      case 'sub':
        if (!validTopic(msg.topic)) return;
        this._watch(msg.from);
        var topic = msg.topic, set = this.wants.get(topic), fresh = !this.subs.has(topic);
        if (!set) this.wants.set(topic, set = new Set());
        set.add(msg.from);
        if (fresh) {
          // The first tab positions the Client's subscription; others catch up to it themselves.
          if (msg.since != null) { inner.lastIds.set(topic, msg.since); inner.ahead.add(topic); }
          else if (msg.cursor && !inner.cursor) inner.cursor = msg.cursor;
          var rewind = msg.since == null && Number.isSafeInteger(msg.rewind) && msg.rewind > 0 ? msg.rewind : 0;
          var info = msg.info != null && typeof msg.info === 'object' && !Array.isArray(msg.info) ? msg.info : undefined;
          this.subs.set(topic, inner.subscribe(topic, function (data, env) { self.send({ t: 'msg', env: env }); },
            { rewind: rewind, presence: !!msg.presence, info: info }));
          this.presence.set(topic, { news: !!msg.presence, info: info !== undefined, subs: [] });
        } else {
          this._presence(msg);
        }
        this.send({ t: 'ack', to: msg.from, topic: topic, seq: msg.seq, at: inner.lastIds.get(topic), fresh: fresh });
        break;
      case 'unsub':
        this._drop(msg.from, msg.topic);
        break;
      case 'presence':
        if (this.subs.has(msg.topic)) this._presence(msg);
        break;
      case 'on':
        var sub = this.subs.get(msg.topic), names = this.hooked.get(msg.topic);
        if (!sub || typeof sub.on !== 'function' || typeof msg.name !== 'string') return;
        if (!names) this.hooked.set(msg.topic, names = new Set());
        if (names.has(msg.name)) return;
        names.add(msg.name);
        try {
          sub.on(msg.name, function () {
            self.send({ t: 'ev', topic: msg.topic, name: msg.name, args: Array.prototype.slice.call(arguments) });
          });
        } catch (e) { /* an event this connection does not have */ }
        break;
      case 'bye':
        this.wants.forEach(function (tabs, t) { if (tabs.has(msg.from)) self._drop(msg.from, t); });
        break;
      case 'members':
        if (!validTopic(msg.topic)) return;
        inner._members(msg.topic).then(function (members) {
          self.send({ t: 'membersd', to: msg.from, ref: msg.ref, members: members });
        }, function (err) {
          self.send({ t: 'membersd', to: msg.from, ref: msg.ref, error: plainError(err) });
        });
        break;
      case 'pub':
        inner.publish(msg.topic, msg.data).then(function (id) {
          self.send({ t: 'pubd', to: msg.from, ref: msg.ref, id: id });
        }, function (err) {
          self.send({ t: 'pubd', to: msg.from, ref: msg.ref, error: plainError(err) });
        });
        break;
      default: // leader messages from a previous leader, and future types
    }
  };

  /**
   * Every tab holds a lock of its own while it lives: asking for it is granted when the tab has
   * gone, also when it crashed without a word, and its topics are released then.
   */
  Relay.prototype._watch = function (tabId) {
    var self = this;
    if (tabId === this.tab.id || this.watched.has(tabId)) return;
    this.watched.add(tabId);
    this.tab.locks.request(this.tab.lockName + ' tab ' + tabId, function () {
      self.watched.delete(tabId);
      self.handle({ t: 'bye', from: tabId });
    }).catch(function () { /* no watch: the tab's topics stay until this leader goes */ });
  };

  /**
   * A tab asks presence news or sends member info for a topic: the connection's subscription
   * asks it too (one more subscription on the Client, whose presence requests add up). Tabs
   * sharing the connection are one member, with the info of the first tab that sent one.
   */
  Relay.prototype._presence = function (msg) {
    var has = this.presence.get(msg.topic) || { news: false, info: false, subs: [] };
    var news = !!msg.presence && !has.news, info = msg.info !== undefined && !has.info;
    if (!news && !info) return;
    has.news = has.news || news;
    has.info = has.info || info;
    try {
      has.subs.push(this.inner.subscribe(msg.topic, function () {}, { presence: news, info: info ? msg.info : undefined }));
    } catch (e) { return; } // info that is no object: the tab's own subscribe refused it already
    this.presence.set(msg.topic, has);
  };

  Relay.prototype._drop = function (tabId, topic) {
    var set = this.wants.get(topic);
    if (!set || !set.delete(tabId) || set.size) return;
    this.wants.delete(topic);
    this.hooked.delete(topic);
    var extra = this.presence.get(topic);
    this.presence.delete(topic);
    if (extra) extra.subs.forEach(function (s) { s.unsubscribe(); });
    var sub = this.subs.get(topic);
    this.subs.delete(topic);
    if (sub) sub.unsubscribe();
  };

  Relay.prototype.close = function () {
    this.closed = true;
    this.inner.close();
  };

  /**
   * One tab's connection when tabs share: the same API as Client, fed by the leader. `lastIds`
   * and `cursor` show the shared connection's positions on the leader tab (for tests and the
   * console), this tab's own elsewhere.
   */
  function TabClient(base, options, locks, Channel) {
    var self = this, o = Object.assign({}, options);
    var transports = o.transports || TRANSPORTS;
    if (!transports.length) throw new Error('transports must not be empty');
    transports.forEach(function (t) { if (!FACTORIES[t]) throw new Error('unknown transport: ' + t); });
    this.options = o;
    this.dedupeWindow = o.dedupeWindow != null ? o.dedupeWindow : 1000;
    var fetchImpl = o.fetch;
    this._fetch = function (url, init) { return (fetchImpl || globalThis.fetch)(url, init); };
    this.base = String(base == null ? '/realtime' : base).replace(/\/+$/, '');
    this.httpBase = this.base.replace(/^ws(s?):\/\//i, 'http$1://');
    var loc = o.location || globalThis.location;
    var key = (loc && loc.href ? new URL(this.httpBase, loc.href).href : this.httpBase) + ' ' + transports.join(',') +
      (typeof o.share === 'string' ? ' ' + o.share : '');

    this.id = Math.random().toString(36).slice(2) + Date.now().toString(36);
    this.state = 'connecting';
    this.transport = null;
    this.wasOpen = false;
    this.topics = new Map();    // topic -> Set of handlers
    this.positions = new Map(); // topic -> id of the last message delivered (or where it starts)
    this.rewinds = new Map();   // topic -> messages to rewind, until the topic is positioned
    this.seen = new Map();      // topic -> Set of recent ids
    this.syncing = new Map();   // topic -> { seq, since, cursor, rewind, buffer } until caught up
    this.events = new Map();    // topic -> Map of event name -> Set of listeners (sub.on)
    this.presenceAsked = new Map(); // topic -> { presence, info } this tab's subscriptions asked for
    this.leaderCursor = null;   // the leader's latest HTTP cursor
    this.listeners = {};
    this.leaderId = null;
    this.relay = null;
    this.pending = new Map();   // publish ref -> { resolve, reject, leader }
    this.asking = new Map();    // members ref -> { resolve, reject, topic }
    this.seq = 0;
    this.releaseLock = null;

    this.locks = locks;
    this.lockName = 'realtime:' + key;
    this.channel = new Channel('realtime:' + key);
    this.channel.onmessage = function (e) {
      if (self.state === 'closed') return;
      var msg = e.data;
      if (!msg || typeof msg !== 'object') return;
      if (self.relay) self.relay.handle(msg);
      else self._fromLeader(msg);
    };
    this._onHide = function () {
      if (self.relay) self._goingAway();
      else self._toLeader({ t: 'bye' });
    };
    if (typeof globalThis.addEventListener === 'function') globalThis.addEventListener('pagehide', this._onHide);
    var living = new Promise(function (resolve) { self.releaseLock = resolve; });
    // Held while this tab lives, so a leader learns when it has gone (Relay._watch).
    locks.request(this.lockName + ' tab ' + this.id, function () { return living; })
      .catch(function () { /* the leader keeps this tab's topics until it goes */ });
    // Waits while another tab leads; granted when it goes (closed, crashed or rt.close()).
    locks.request(this.lockName, function () {
      if (self.state === 'closed') return undefined;
      self._lead();
      return living;
    }).catch(function () {
      // No lock here (e.g. an opaque origin): a connection of its own, sharing nothing.
      if (self.state === 'closed' || self.relay) return;
      self.channel.close();
      self.channel = { postMessage: function () {}, close: function () {} };
      self._lead();
    });
    this.channel.postMessage({ t: 'hello', from: this.id });
  }

  /** The leader leaves: the other tabs show reconnecting until the next leader's connection opens. */
  TabClient.prototype._goingAway = function () {
    this.channel.postMessage({ t: 'state', state: 'reconnecting', transport: null, from: this.id });
  };

  TabClient.prototype._lead = function () {
    this.relay = new Relay(this);
    this.relay.send({ t: 'leader', state: this.relay.inner.state, transport: null });
  };

  TabClient.prototype._toLeader = function (msg) {
    msg.from = this.id;
    if (this.relay) this.relay.handle(msg);
    else this.channel.postMessage(msg);
  };

  /** Notes what a subscription asks of presence; true when it asks more than the tab did. */
  TabClient.prototype._askPresence = function (topic, presence) {
    var had = this.presenceAsked.get(topic) || {};
    var now = { presence: had.presence || presence.news, info: had.info !== undefined ? had.info : presence.info };
    if (!now.presence && now.info === undefined) return false;
    this.presenceAsked.set(topic, now);
    return now.presence !== !!had.presence || now.info !== had.info;
  };

  /**
   * Members as the shared connection sees them: asked over it (after its subscribe, so this
   * connection is among them), by the leader for the others; over HTTP while no tab leads.
   */
  TabClient.prototype._members = function (topic) {
    if (this.state === 'closed') return Promise.reject(makeError('connection is closed', { code: 'closed' }));
    if (this.relay) return this.relay.inner._members(topic);
    if (this.leaderId == null) return Client.prototype._members.call(this, topic);
    var self = this, ref = 'm' + (++this.seq);
    return new Promise(function (resolve, reject) {
      self.asking.set(ref, { resolve: resolve, reject: reject, topic: topic });
      self._toLeader({ t: 'members', ref: ref, topic: topic });
    });
  };

  Object.defineProperty(TabClient.prototype, 'lastIds', {
    get: function () { return this.relay ? this.relay.inner.lastIds : this.positions; }
  });
  Object.defineProperty(TabClient.prototype, 'cursor', {
    get: function () { return this.relay ? this.relay.inner.cursor : this.leaderCursor; }
  });

  TabClient.prototype.subscribe = function (topic, handler, options) {
    if (this.state === 'closed') throw new Error('connection is closed');
    if (!validTopic(topic)) throw new TypeError('invalid topic: ' + topic);
    if (typeof handler !== 'function') throw new TypeError('handler must be a function');
    var rewind = options && options.rewind != null ? options.rewind : 0;
    if (!Number.isSafeInteger(rewind) || rewind < 0) throw new TypeError('rewind must be a whole number, 0 or more');
    var presence = newPresence(options);
    var self = this, set = this.topics.get(topic), active = true;
    if (!set) { set = new Set(); this.topics.set(topic, set); }
    var wasEmpty = set.size === 0;
    if (wasEmpty && rewind > 0) this.rewinds.set(topic, rewind);
    var entry = function (data, message) { handler(data, message); };
    set.add(entry);
    var asked = this._askPresence(topic, presence);
    if (wasEmpty && this.leaderId != null) this._announce(topic);
    else if (asked && this.leaderId != null) this._toLeader(Object.assign({ t: 'presence', topic: topic }, this.presenceAsked.get(topic)));
    var mine = [];
    return {
      topic: topic,
      /** Resolves with the topic's members, `[{ id, user?, info? }]` (tabs sharing a connection are one). */
      presence: function () { return self._members(topic); },
      /** A per-subscription event of the shared connection's subscription, relayed by name. */
      on: function (name, fn) {
        if (!active) throw new Error('subscription has ended');
        var byName = self.events.get(topic);
        if (!byName) self.events.set(topic, byName = new Map());
        var fns = byName.get(name);
        if (!fns) { byName.set(name, fns = new Set()); if (self.leaderId != null) self._toLeader({ t: 'on', topic: topic, name: name }); }
        var wrapped = function (args) { fn.apply(null, args); };
        fns.add(wrapped);
        mine.push([name, wrapped]);
        return function off() { fns.delete(wrapped); };
      },
      unsubscribe: function () {
        if (!active) return;
        active = false;
        var byName = self.events.get(topic);
        mine.forEach(function (e) { if (byName && byName.get(e[0])) byName.get(e[0]).delete(e[1]); });
        var s = self.topics.get(topic);
        if (!s || !s.delete(entry) || s.size) return;
        self.topics.delete(topic);
        self.positions.delete(topic);
        self.rewinds.delete(topic);
        self.seen.delete(topic);
        self.syncing.delete(topic);
        self.events.delete(topic);
        self.presenceAsked.delete(topic);
        if (self.state !== 'closed' && self.leaderId != null) self._toLeader({ t: 'unsub', topic: topic });
      }
    };
  };

  /** Asks the leader for a topic; its messages wait until this tab has caught up to the leader. */
  TabClient.prototype._announce = function (topic) {
    var s = {
      seq: ++this.seq, since: this.positions.get(topic), cursor: this.leaderCursor,
      rewind: this.rewinds.get(topic) || 0, buffer: []
    };
    this.syncing.set(topic, s);
    this._toLeader(Object.assign({ t: 'sub', topic: topic, seq: s.seq, since: s.since, cursor: s.cursor, rewind: s.rewind },
      this.presenceAsked.get(topic)));
    var self = this, byName = this.events.get(topic);
    if (byName) byName.forEach(function (fns, name) { self._toLeader({ t: 'on', topic: topic, name: name }); });
  };

  TabClient.prototype.publish = function (topic, data) {
    if (this.state === 'closed') return Promise.reject(makeError('connection is closed', { code: 'closed' }));
    if (!validTopic(topic)) return Promise.reject(makeError('invalid topic: ' + topic, { code: 'bad_request' }));
    if (this.relay) return this.relay.inner.publish(topic, data);
    var self = this, ref = 'p' + (++this.seq);
    return new Promise(function (resolve, reject) {
      self.pending.set(ref, { resolve: resolve, reject: reject, leader: self.leaderId, topic: topic, data: data });
      if (self.leaderId != null) self._toLeader({ t: 'pub', ref: ref, topic: topic, data: data === undefined ? null : data });
    });
  };

  TabClient.prototype.on = Client.prototype.on;
  TabClient.prototype._emit = Client.prototype._emit;
  TabClient.prototype._report = Client.prototype._report;

  TabClient.prototype._setState = function (state, transport) {
    if (state === 'connecting' && this.wasOpen) state = 'reconnecting'; // a new leader's connection
    if (state === 'open') this.wasOpen = true;
    this.transport = state === 'open' ? transport || null : null;
    var prev = this.state;
    if (prev === state) return;
    this.state = state;
    this._emit('state', state, prev);
  };

  TabClient.prototype.close = function () {
    if (this.state === 'closed') return;
    if (typeof globalThis.removeEventListener === 'function') globalThis.removeEventListener('pagehide', this._onHide);
    if (this.relay) { this._goingAway(); this.relay.close(); this.relay = null; }
    else if (this.leaderId != null) this._toLeader({ t: 'bye' });
    if (this.releaseLock) this.releaseLock();
    this.channel.close();
    var err = makeError('connection closed', { code: 'closed' });
    this.pending.forEach(function (p) { p.reject(err); });
    this.pending.clear();
    this.asking.forEach(function (m) { m.reject(err); });
    this.asking.clear();
    this.syncing.clear();
    this.transport = null;
    var prev = this.state;
    this.state = 'closed';
    this._emit('state', 'closed', prev);
  };

  /** Everything the leader says, over the channel or (on the leader) directly. */
  TabClient.prototype._fromLeader = function (msg) {
    if (this.state === 'closed') return;
    if (msg.t === 'leader') return this._newLeader(msg);
    if (msg.from !== this.leaderId) return; // an earlier leader's last words, or not a leader message
    if (msg.to != null && msg.to !== this.id) return;
    var self = this, s;
    switch (msg.t) {
      case 'state':
        this._setState(msg.state, msg.transport);
        break;
      case 'msg':
        s = msg.env && this.syncing.get(msg.env.topic);
        if (s) s.buffer.push(msg.env); else this._deliver(msg.env);
        break;
      case 'ack':
        s = this.syncing.get(msg.topic);
        if (!s || s.seq !== msg.seq) return;
        if (msg.at != null && !this.positions.has(msg.topic)) this.positions.set(msg.topic, msg.at);
        if (msg.fresh || (s.since != null ? s.since === msg.at : s.cursor == null && !s.rewind)) this._synced(msg.topic, s);
        else this._catchUp(msg.topic, s);
        break;
      case 'pos':
        if (this.topics.has(msg.topic) && (msg.reset || !this.positions.has(msg.topic))) this.positions.set(msg.topic, msg.at);
        break;
      case 'cursor':
        this.leaderCursor = msg.cursor;
        break;
      case 'reset':
        var topics = (msg.topics || []).filter(function (t) { return self.topics.has(t); });
        // ids from a history the server no longer has: a later leader must not resume from them
        topics.forEach(function (t) { self.positions.delete(t); });
        if (topics.length) this._emit('reset', { topics: topics });
        break;
      case 'error':
        if (msg.error && msg.error.topic != null && !this.topics.has(msg.error.topic)) return;
        this._emit('error', errorFrom(msg.error || {}));
        break;
      case 'ev':
        var listeners = this.events.get(msg.topic), fns = listeners && listeners.get(msg.name);
        if (fns) Array.from(fns).forEach(function (fn) {
          try { fn(Array.isArray(msg.args) ? msg.args : []); } catch (e) { self._report(e); }
        });
        break;
      case 'membersd':
        var m = this.asking.get(msg.ref);
        if (!m) return;
        this.asking.delete(msg.ref);
        if (msg.error) m.reject(errorFrom(msg.error)); else m.resolve(msg.members || []);
        break;
      case 'pubd':
        var p = this.pending.get(msg.ref);
        if (!p) return;
        this.pending.delete(msg.ref);
        if (msg.error) p.reject(errorFrom(msg.error)); else p.resolve(msg.id);
        break;
      default:
    }
  };

  /** A tab leads (maybe this one): hand it every topic with this tab's position. */
  TabClient.prototype._newLeader = function (msg) {
    if (msg.from === this.leaderId) { this._setState(msg.state, msg.transport); return; }
    var self = this, previous = this.leaderId;
    this.leaderId = msg.from;
    this._setState(msg.state, msg.transport);
    // A publish the old leader had may or may not have been sent: as on a lost socket, the caller decides.
    this.pending.forEach(function (p, ref) {
      if (p.leader != null && p.leader === previous) {
        self.pending.delete(ref);
        p.reject(makeError('the tab holding the connection went away', { code: 'closed' }));
      } else {
        p.leader = self.leaderId;
        self._toLeader({ t: 'pub', ref: ref, topic: p.topic, data: p.data === undefined ? null : p.data });
      }
    });
    this.asking.forEach(function (m, ref) { self._toLeader({ t: 'members', ref: ref, topic: m.topic }); });
    // Messages still buffered from the old leader are dropped: the resume below covers them.
    this.topics.forEach(function (handlers, topic) { self._announce(topic); });
  };

  /** This tab is behind (or ahead of) the leader's subscription: fetch its gap with /poll. */
  TabClient.prototype._catchUp = function (topic, s) {
    var self = this, cursor = null, attempt = 0;
    var step = function () {
      if (self.syncing.get(topic) !== s) return;
      var q = 'topic=' + encodeURIComponent(topic);
      if (cursor) q += '&cursor=' + encodeURIComponent(cursor);
      else if (s.since != null) q += '&since=' + encodeURIComponent(topic + '=' + s.since);
      else if (s.cursor) q += '&cursor=' + encodeURIComponent(s.cursor);
      else if (s.rewind) q += '&rewind=' + s.rewind;
      self._fetch(self.httpBase + '/poll?' + q, { cache: 'no-store', headers: { Accept: 'application/json' } })
        .then(function (res) { return res.ok ? res.json() : httpError(res); })
        .then(function (body) {
          if (self.syncing.get(topic) !== s || self.state === 'closed') return;
          body = body || {};
          if (body.recovered === false) { self.positions.delete(topic); self._emit('reset', { topics: [topic] }); }
          var msgs = body.messages || [];
          for (var i = 0; i < msgs.length; i++) self._deliver(msgs[i]);
          cursor = body.cursor || cursor;
          if (msgs.length && cursor) step(); else self._synced(topic, s);
        })
        .catch(function (err) {
          if (self.syncing.get(topic) !== s || self.state === 'closed') return;
          if (!err || (err.code == null && err.status == null)) {
            err = makeError((err && err.message) || 'network error', { code: 'network', cause: err });
          }
          err.transport = 'poll';
          err.topic = topic;
          self._emit('error', err);
          if (err.status === 400 || err.status === 403 || err.status === 404) {
            // this position cannot be read (or /poll is not served): go on from the leader's
            self.positions.delete(topic);
            self._emit('reset', { topics: [topic] });
            self._synced(topic, s);
          } else {
            setTimeout(step, Math.max(backoffDelay(attempt++, self.options.reconnect, self.options.random), err.retryAfter || 0));
          }
        });
    };
    step();
  };

  TabClient.prototype._synced = function (topic, s) {
    this.syncing.delete(topic);
    this.rewinds.delete(topic);
    for (var i = 0; i < s.buffer.length; i++) this._deliver(s.buffer[i]);
  };

  TabClient.prototype._deliver = function (env) {
    if (!env || typeof env !== 'object') return;
    var handlers = this.topics.get(env.topic);
    if (!handlers) return;
    if (env.id != null) {
      var seen = this.seen.get(env.topic);
      if (!seen) this.seen.set(env.topic, seen = new Set());
      if (seen.has(env.id)) return;
      seen.add(env.id);
      if (seen.size > this.dedupeWindow) seen.delete(seen.values().next().value);
      this.positions.set(env.topic, env.id);
    }
    var list = Array.from(handlers);
    for (var i = 0; i < list.length; i++) {
      try { list[i](env.data, env); } catch (e) { this._report(e); }
    }
    this._emit('message', env);
  };

  /** Web Locks and BroadcastChannel, when this runtime has both and sharing is not turned off. */
  function sharing(options) {
    var o = options || {};
    if (o.share === false) return null;
    var nav = globalThis.navigator;
    var locks = o.locks || (nav && nav.locks);
    var Channel = o.BroadcastChannel || globalThis.BroadcastChannel;
    return locks && typeof locks.request === 'function' && typeof Channel === 'function'
      ? { locks: locks, Channel: Channel } : null;
  }

  // Presence: what each subscription asked for, and the news handed to it.

  function newPresence(options) {
    var info = options && options.info != null ? options.info : undefined;
    if (info !== undefined && (typeof info !== 'object' || Array.isArray(info))) throw new TypeError('info must be an object');
    return { news: !!(options && options.presence), info: info, on: { join: [], leave: [] } };
  }

  function presenceOn(presence, event, fn) {
    var list = presence.on[event];
    if (!list) throw new TypeError('unknown presence event: ' + event);
    list.push(fn);
    return function off() { var i = list.indexOf(fn); if (i >= 0) list.splice(i, 1); };
  }

  /** Adds a subscription's presence; true when the topic's news is asked for only now. */
  Client.prototype._addPresence = function (topic, presence) {
    var set = this.presenceSubs.get(topic);
    if (!set) this.presenceSubs.set(topic, set = new Set());
    var before = this._presenceOf([topic], true).presence;
    set.add(presence);
    return !before && presence.news;
  };

  Client.prototype._removePresence = function (topic, presence) {
    var set = this.presenceSubs.get(topic);
    if (set && set.delete(presence) && !set.size) this.presenceSubs.delete(topic);
  };

  /**
   * `{ presence: true, info }` as the subscribe of these topics asks (`info` of the first that has
   * one); for HTTP also `member`: a poll names its client only for subscriptions with presence.
   */
  Client.prototype._presenceOf = function (topics, frame) {
    var out = {}, subs = this.presenceSubs;
    topics.forEach(function (t) {
      (subs.get(t) || []).forEach(function (p) {
        if (!frame && (p.news || p.info !== undefined)) out.member = true;
        if (p.news) out.presence = true;
        if (p.info !== undefined && out.info === undefined) out.info = p.info;
      });
    });
    return out;
  };

  /** A topic already subscribed now asks for news: subscribe it again (WebSocket) or reopen. */
  Client.prototype._presenceChanged = function (topic) {
    var t = this.current;
    if (!t) return;
    if (t.subs) t.subs.delete(topic);
    t.setTopics();
  };

  Client.prototype._members = function (topic) {
    var t = this.current;
    if (this.state === 'closed') return Promise.reject(makeError('connection is closed', { code: 'closed' }));
    if (t && t.name === 'websocket' && t.isOpen && !t.done) return t.members(topic);
    return this._fetch(this.httpBase + '/presence?topic=' + encodeURIComponent(topic), {
      cache: 'no-store', headers: { Accept: 'application/json' }
    }).then(function (res) {
      return res.ok ? res.json().then(function (b) { return b.members || []; }) : httpError(res);
    });
  };

  /** News `{ type: 'join' | 'leave', topic, member }` for the topic's subscriptions that asked. */
  Client.prototype._presence = function (change) {
    var self = this, set = change && this.presenceSubs.get(change.topic);
    if (!set || (change.type !== 'join' && change.type !== 'leave')) return;
    Array.from(set).forEach(function (p) {
      p.on[change.type].slice().forEach(function (fn) {
        try { fn(change.member, change); } catch (e) { self._report(e); }
      });
    });
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
    function refused(res) { return httpError(res).catch(function (err) { err.retryable = res.status === 408 || res.status === 409 || res.status === 423 || res.status === 429 || res.status >= 500; throw err; }); }
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
          err.retryable = xhr.status === 408 || xhr.status === 409 || xhr.status === 423 || xhr.status === 429 || xhr.status >= 500;
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
  /** Uploads go over plain HTTP from the tab itself, whether or not it holds the shared connection. */
  TabClient.prototype.upload = function (file, options) {
    return upload({ httpBase: this.httpBase, opts: this.options, _fetch: this._fetch }, file, options);
  };

  var Realtime = {
    /**
     * Opens one connection to the server at `base` (default '/realtime'), shared with the other
     * tabs of this origin unless `share: false` or the browser lacks Web Locks or BroadcastChannel.
     */
    connect: function (base, options) {
      var shared = sharing(options);
      if (shared) {
        try {
          return new TabClient(base, options, shared.locks, shared.Channel);
        } catch (e) {
          if (!(e instanceof DOMException)) throw e; // BroadcastChannel refused here: no sharing
        }
      }
      return new Client(base, options);
    },
    /** `user/<name>/<topic>`: the private topic the server's publishToUser(name, topic, ...) sends on. */
    userTopic: userTopic,
    TRANSPORTS: TRANSPORTS.slice(),
    _internal: {
      backoffDelay: backoffDelay, validTopic: validTopic, wsUrlFor: wsUrlFor, httpError: httpError,
      Client: Client, WsTransport: WsTransport, SseTransport: SseTransport, PollTransport: PollTransport,
      TabClient: TabClient, Relay: Relay
    }
  };

  globalThis.Realtime = Realtime;
  if (typeof module !== 'undefined' && module.exports) module.exports = Realtime;
})();

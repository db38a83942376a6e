'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { Realtime, setup, waitFor, tick, env } = require('../testing/fakes.js');

async function openWs(options, base) {
  const ctx = setup({ transports: ['websocket'], ...options }, base);
  const ws = await waitFor(() => ctx.WS.instances[0], 'websocket');
  return { ...ctx, ws };
}

test('subscribe and unsubscribe frames share one socket', async () => {
  const { rt, ws, WS } = await openWs();
  const s1 = rt.subscribe('chat', () => {});
  const s2 = rt.subscribe('chat', () => {});
  rt.subscribe('news', () => {});
  ws._open();
  assert.deepEqual(ws.frames(), [
    { type: 'subscribe', topic: 'chat' },
    { type: 'subscribe', topic: 'news' },
  ]);
  rt.subscribe('late', () => {});
  assert.deepEqual(ws.frames().at(-1), { type: 'subscribe', topic: 'late' });
  s1.unsubscribe();
  assert.equal(ws.frames('unsubscribe').length, 0, 'chat still has a handler');
  s2.unsubscribe();
  s2.unsubscribe();
  assert.deepEqual(ws.frames('unsubscribe'), [{ type: 'unsubscribe', topic: 'chat' }]);
  ws._receive({ type: 'unsubscribed', topic: 'chat' });
  ws._receive({ type: 'pong' });
  assert.equal(WS.instances.length, 1);
  rt.close();
});

test('messages reach handlers with data and envelope, and the message event', async () => {
  const { rt, ws } = await openWs();
  const got = [];
  const all = [];
  rt.subscribe('chat', (data, message) => got.push([data, message]));
  rt.on('message', (m) => all.push(m.id));
  ws._open();
  ws._receive({ type: 'message', topic: 'chat', id: '7', data: { text: 'hi' }, ts: 5 });
  ws._receive({ type: 'message', topic: 'other', id: '8', data: 1, ts: 5 }); // not subscribed
  assert.deepEqual(got, [[{ text: 'hi' }, { topic: 'chat', id: '7', data: { text: 'hi' }, ts: 5 }]]);
  assert.deepEqual(all, ['7']);
  rt.close();
});

test('reconnect subscribes with since and surfaces a re-sent message once', async () => {
  const { rt, WS, ws } = await openWs();
  const got = [];
  rt.subscribe('chat', (d) => got.push(d));
  rt.subscribe('quiet', () => {});
  ws._open();
  ws._receive({ type: 'subscribed', topic: 'chat', recovered: true });
  ws._receive({ type: 'message', ...env('chat', 'm1') });
  ws._receive({ type: 'message', ...env('chat', 'm1') }); // duplicate on the same socket
  ws._serverClose(1013, 'slow consumer');
  assert.equal(rt.state, 'reconnecting');
  const ws2 = await waitFor(() => WS.instances[1], 'reconnect after 1013');
  ws2._open();
  assert.deepEqual(ws2.frames(), [
    { type: 'subscribe', topic: 'chat', since: 'm1' },
    { type: 'subscribe', topic: 'quiet' },
  ]);
  ws2._receive({ type: 'message', ...env('chat', 'm1') }); // server re-sends from an earlier point
  ws2._receive({ type: 'message', ...env('chat', 'm2') });
  assert.deepEqual(got, ['m1', 'm2']);
  rt.close();
});

test('subscribed with recovered:false emits reset', async () => {
  const { rt, ws } = await openWs();
  const resets = [];
  rt.on('reset', (r) => resets.push(r));
  rt.subscribe('chat', () => {});
  ws._open();
  ws._receive({ type: 'subscribed', topic: 'chat', recovered: true });
  ws._receive({ type: 'subscribed', topic: 'chat', recovered: false });
  assert.deepEqual(resets, [{ topics: ['chat'] }]);
  rt.close();
});

test('publish over websocket resolves with the id of the published ack', async () => {
  const { rt, ws, fetch } = await openWs();
  ws._open();
  const p1 = rt.publish('chat', { text: 'a' });
  const p2 = rt.publish('chat', 'b');
  const [f1, f2] = ws.frames('publish');
  assert.deepEqual(f1, { type: 'publish', topic: 'chat', data: { text: 'a' }, ref: f1.ref });
  assert.notEqual(f1.ref, f2.ref);
  ws._receive({ type: 'published', topic: 'chat', id: 'id-2', ref: f2.ref }); // acks may come in any order
  ws._receive({ type: 'published', topic: 'chat', id: 'id-1', ref: f1.ref });
  assert.equal(await p1, 'id-1');
  assert.equal(await p2, 'id-2');
  assert.equal(fetch.calls.length, 0);
  rt.close();
});

test('publish over websocket rejects on an error frame with its ref', async () => {
  const { rt, ws, errors } = await openWs();
  ws._open();
  const p = rt.publish('chat', 1);
  const { ref } = ws.frames('publish')[0];
  ws._receive({ type: 'error', code: 'forbidden', message: 'not allowed', ref });
  await assert.rejects(p, (err) => err.code === 'forbidden' && err.message === 'not allowed' && err.ref === ref);
  ws._receive({ type: 'error', code: 'bad_request', message: 'bad since' }); // no ref: an error event
  assert.equal(errors.at(-1).code, 'bad_request');
  assert.equal(errors.at(-1).transport, 'websocket');
  assert.equal(rt.state, 'open', 'error frames keep the connection');
  rt.close();
});

test('a publish in flight is rejected when the socket drops', async () => {
  const { rt, ws } = await openWs();
  ws._open();
  const p = rt.publish('chat', 1);
  ws._serverClose(1006);
  await assert.rejects(p, (err) => err.closeCode === 1006);
  rt.close();
});

test('publish before the socket is open goes over HTTP', async () => {
  const { rt, fetch } = await openWs();
  const p = rt.publish('chat', 1);
  const call = await waitFor(() => fetch.calls[0]);
  assert.equal(call.path, '/realtime/publish');
  call.respond(202, { topic: 'chat', id: 'h1' });
  assert.equal(await p, 'h1');
  rt.close();
});

test('the websocket URL follows the page location for a relative base', async () => {
  const https = await openWs({ location: { href: 'https://shop.example:8443/app/page?q=1' } }, '/realtime/');
  assert.equal(https.ws.url, 'wss://shop.example:8443/realtime/ws');
  https.rt.close();
  const http = await openWs({ location: { href: 'http://localhost:8080/' } }, '/realtime');
  assert.equal(http.ws.url, 'ws://localhost:8080/realtime/ws');
  http.rt.close();
  const { wsUrlFor } = Realtime._internal;
  assert.equal(wsUrlFor('https://api.example/rt'), 'wss://api.example/rt/ws');
  assert.equal(wsUrlFor('http://api.example/rt'), 'ws://api.example/rt/ws');
  assert.equal(wsUrlFor('//cdn.example/rt', { href: 'https://a.example/' }), 'wss://cdn.example/rt/ws');
});

test('unreadable frames are reported, not fatal', async () => {
  const { rt, ws, errors } = await openWs();
  ws._open();
  ws._receiveRaw('not json');
  assert.equal(errors.at(-1).code, 'bad_frame');
  assert.equal(rt.state, 'open');
  rt.close();
});

test('invalid topics are refused on the client', async () => {
  const { rt } = await openWs();
  assert.throws(() => rt.subscribe('bad topic', () => {}), TypeError);
  assert.throws(() => rt.subscribe('x'.repeat(129), () => {}), TypeError);
  assert.throws(() => rt.subscribe('a', 'not a function'), TypeError);
  await assert.rejects(rt.publish('', 1), (e) => e.code === 'bad_request');
  rt.subscribe('A-z_0.9:/x', () => {});
  rt.close();
});

test('unsubscribe then subscribe again starts fresh (no since)', async () => {
  const { rt, ws } = await openWs();
  ws._open();
  const sub = rt.subscribe('chat', () => {});
  ws._receive({ type: 'message', ...env('chat', 'm1') });
  sub.unsubscribe();
  rt.subscribe('chat', () => {});
  assert.deepEqual(ws.frames().map((f) => [f.type, f.since]), [['subscribe', undefined], ['unsubscribe', undefined], ['subscribe', undefined]]);
  await tick();
  rt.close();
});

test('a topic with no message yet resumes from the position of its subscribed frame', async () => {
  const { rt, WS, ws } = await openWs();
  const got = [];
  rt.subscribe('quiet', (d) => got.push(d));
  rt.subscribe('busy', () => {});
  ws._open();
  ws._receive({ type: 'subscribed', topic: 'quiet', recovered: true, position: 'e.4' });
  ws._receive({ type: 'subscribed', topic: 'busy', recovered: true, position: 'f.1' });
  ws._receive({ type: 'message', ...env('busy', 'f.2') });
  ws._serverClose(1006);
  const ws2 = await waitFor(() => WS.instances[1], 'reconnect');
  ws2._open();
  assert.deepEqual(ws2.frames(), [
    { type: 'subscribe', topic: 'quiet', since: 'e.4' },
    { type: 'subscribe', topic: 'busy', since: 'f.2' }, // the message is newer than the position
  ]);
  ws2._receive({ type: 'subscribed', topic: 'quiet', recovered: true, position: 'e.4' });
  ws2._receive({ type: 'message', ...env('quiet', 'e.5') }); // published while away
  assert.deepEqual(got, ['e.5']);
  rt.close();
});

test('after a reset the position of the subscribed frame replaces the lost one', async () => {
  const { rt, WS, ws } = await openWs();
  const resets = [];
  rt.on('reset', (r) => resets.push(r.topics));
  rt.subscribe('chat', () => {});
  ws._open();
  ws._receive({ type: 'message', ...env('chat', 'old.7') });
  ws._serverClose(1001, 'server restarting');
  const ws2 = await waitFor(() => WS.instances[1], 'reconnect');
  ws2._open();
  assert.deepEqual(ws2.frames(), [{ type: 'subscribe', topic: 'chat', since: 'old.7' }]);
  ws2._receive({ type: 'subscribed', topic: 'chat', recovered: false, position: 'new.0' });
  assert.deepEqual(resets, [['chat']]);
  ws2._serverClose(1006);
  const ws3 = await waitFor(() => WS.instances[2], 'second reconnect');
  ws3._open();
  assert.deepEqual(ws3.frames(), [{ type: 'subscribe', topic: 'chat', since: 'new.0' }], 'no second reset');
  rt.close();
});

test('a position for a topic no longer subscribed is ignored', async () => {
  const { rt, ws } = await openWs();
  const sub = rt.subscribe('chat', () => {});
  ws._open();
  sub.unsubscribe();
  ws._receive({ type: 'subscribed', topic: 'chat', recovered: true, position: 'e.1' });
  rt.subscribe('chat', () => {});
  assert.deepEqual(ws.frames().at(-1), { type: 'subscribe', topic: 'chat' }, 'starts now');
  rt.close();
});

test('a refused subscribe is an error event naming the topic, and the next connection asks again', async () => {
  const { rt, WS, ws, errors } = await openWs();
  rt.subscribe('secret', () => {});
  rt.subscribe('chat', () => {});
  ws._open();
  ws._receive({ type: 'error', code: 'forbidden', message: 'may not subscribe to secret', topic: 'secret' });
  const err = errors.at(-1);
  assert.equal(err.code, 'forbidden');
  assert.equal(err.topic, 'secret');
  assert.equal(err.message, 'may not subscribe to secret');
  assert.equal(err.transport, 'websocket');
  assert.equal(rt.state, 'open', 'the other topics go on');
  rt.subscribe('news', () => {});
  assert.deepEqual(ws.frames().map((f) => f.topic), ['secret', 'chat', 'news'], 'not asked again on this socket');
  ws._serverClose(1006);
  const ws2 = await waitFor(() => WS.instances[1], 'reconnect');
  ws2._open();
  assert.deepEqual(ws2.frames().map((f) => f.topic), ['secret', 'chat', 'news']);
  rt.close();
});

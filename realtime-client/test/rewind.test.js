'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { setup, waitFor, env } = require('../testing/fakes.js');

const reply = (messages, cursor, extra = {}) => ({ messages, cursor, recovered: true, ...extra });
const rewindOf = (url) => new URL(url, 'http://x').searchParams.get('rewind');

test('websocket: rewind goes in the subscribe frame until the topic is positioned, never with since', async () => {
  const { rt, WS } = setup({ transports: ['websocket'] });
  const got = [];
  rt.subscribe('chat', (d) => got.push(d), { rewind: 50 });
  rt.subscribe('news', () => {});
  const ws = await waitFor(() => WS.instances[0], 'websocket');
  ws._open();
  assert.deepEqual(ws.frames('subscribe'), [
    { type: 'subscribe', topic: 'chat', rewind: 50 },
    { type: 'subscribe', topic: 'news' },
  ]);
  ws._receive({ type: 'subscribed', topic: 'chat', recovered: true, position: 'p0' });
  ws._receive({ type: 'message', ...env('chat', 'm1') });
  ws._receive({ type: 'message', ...env('chat', 'm2') });
  assert.deepEqual(got, ['m1', 'm2']);
  ws._serverClose(1013, 'slow consumer');
  const ws2 = await waitFor(() => WS.instances[1], 'reconnect');
  ws2._open();
  assert.deepEqual(ws2.frames('subscribe')[0], { type: 'subscribe', topic: 'chat', since: 'm2' });
  rt.close();
});

test('websocket: a second handler of a subscribed topic does not rewind it', async () => {
  const { rt, WS } = setup({ transports: ['websocket'] });
  rt.subscribe('chat', () => {});
  const ws = await waitFor(() => WS.instances[0], 'websocket');
  ws._open();
  rt.subscribe('chat', () => {}, { rewind: 5 });
  assert.deepEqual(ws.frames('subscribe'), [{ type: 'subscribe', topic: 'chat' }]);
  rt.close();
});

test('poll: the first request rewinds, later ones resume with the cursor only', async () => {
  const { rt, fetch } = setup({ transports: ['poll'], pollInterval: 1 });
  const got = [];
  rt.subscribe('chat', (d) => got.push(d), { rewind: 20 });
  const first = await waitFor(() => fetch.calls[0]);
  assert.equal(first.url, 'http://app.test/realtime/poll?topic=chat&rewind=20');
  first.ok(reply([env('chat', 'old1'), env('chat', 'old2')], 'c1'));
  const next = await waitFor(() => fetch.calls[1]);
  assert.equal(next.url, 'http://app.test/realtime/poll?topic=chat&cursor=c1');
  assert.deepEqual(got, ['old1', 'old2']);
  rt.close();
});

test('long-poll: a topic added later rewinds with the cursor of the others', async () => {
  const { rt, fetch } = setup({ transports: ['long-poll'] });
  rt.subscribe('a', () => {});
  (await waitFor(() => fetch.calls[0])).ok(reply([], 'c1'));
  const held = await waitFor(() => fetch.calls[1]);
  assert.equal(rewindOf(held.url), null);
  rt.subscribe('b', () => {}, { rewind: 3 });
  const next = await waitFor(() => fetch.calls[2]);
  assert.equal(next.url, 'http://app.test/realtime/long-poll?topic=a&topic=b&cursor=c1&rewind=3');
  next.ok(reply([env('b', 'b1')], 'c2'));
  assert.equal(rewindOf((await waitFor(() => fetch.calls[3])).url), null);
  rt.close();
});

test('sse: the stream asks for the rewind until its ready event positions the topic', async () => {
  const { rt, ES } = setup({ transports: ['sse'] });
  rt.subscribe('chat', () => {}, { rewind: 7 });
  const es = await waitFor(() => ES.instances[0], 'event source');
  assert.equal(rewindOf(es.url), '7');
  es._open();
  es._event('ready', '{"topics":["chat"]}', 'c1');
  rt.subscribe('news', () => {});
  const es2 = await waitFor(() => ES.instances[1], 'new stream');
  assert.equal(es2.cursor, 'c1');
  assert.equal(rewindOf(es2.url), null);
  rt.close();
});

test('rewind must be a whole number, 0 or more', () => {
  const { rt } = setup({ transports: ['poll'] });
  for (const rewind of [-1, 1.5, '3', NaN, Infinity]) {
    assert.throws(() => rt.subscribe('chat', () => {}, { rewind }), TypeError, String(rewind));
  }
  rt.subscribe('chat', () => {}, { rewind: 0 });
  rt.subscribe('chat', () => {}, {});
  rt.close();
});

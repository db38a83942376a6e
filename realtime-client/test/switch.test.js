'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { setup, waitFor, env } = require('../testing/fakes.js');

// Every switch between WebSocket and HTTP resumes every topic from where it stopped
// (docs/PROTOCOL.md, "Switching transports"), and failures are reported as they are.

const reply = (messages, cursor, extra = {}) => ({ messages, cursor, recovered: true, ...extra });

test('from websocket to long-poll: each topic resumes from its last id or subscribed position', async () => {
  const { rt, WS, fetch } = setup({ transports: ['websocket', 'long-poll'] });
  const got = [];
  rt.subscribe('a', (d) => got.push(d));
  rt.subscribe('quiet', (d) => got.push(d));
  const ws = await waitFor(() => WS.instances[0]);
  ws._open();
  ws._receive({ type: 'subscribed', topic: 'a', recovered: true, position: 'p-a' });
  ws._receive({ type: 'subscribed', topic: 'quiet', recovered: true, position: 'p-q' });
  ws._receive({ type: 'message', ...env('a', 'm1') });
  ws._receive({ type: 'message', ...env('a', 'm2') });
  ws._serverClose(1006);
  (await waitFor(() => WS.instances[1]))._fail(); // websocket now fails: long-poll
  const first = await waitFor(() => fetch.calls[0]);
  assert.equal(first.path, '/realtime/poll');
  assert.equal(first.cursor, null, 'never had an HTTP cursor');
  assert.deepEqual(first.since, ['a=m2', 'quiet=p-q']);
  first.ok(reply([env('a', 'm3'), env('quiet', 'q1')], 'c1')); // published during the switch
  const held = await waitFor(() => fetch.calls[1]);
  assert.equal(held.path, '/realtime/long-poll');
  assert.equal(held.cursor, 'c1');
  assert.deepEqual(held.since, [], 'the cursor now holds every topic');
  assert.deepEqual(got, ['m1', 'm2', 'm3', 'q1']);
  rt.close();
});

test('from poll to websocket and back: no gap on a quiet topic, no duplicate', async () => {
  const { rt, WS, fetch } = setup({ transports: ['poll', 'websocket'], pollInterval: 10 });
  const got = [];
  rt.subscribe('a', (d) => got.push(d));
  (await waitFor(() => fetch.calls[0])).ok(reply([], 'c0'));
  (await waitFor(() => fetch.calls[1])).fail(); // drop
  (await waitFor(() => fetch.calls[2])).fail(); // fails from the start: websocket
  const ws = await waitFor(() => WS.instances[0]);
  ws._open();
  assert.deepEqual(ws.frames(), [{ type: 'subscribe', topic: 'a', cursor: 'c0' }]);
  ws._receive({ type: 'subscribed', topic: 'a', recovered: true, position: 'p0' });
  ws._receive({ type: 'message', ...env('a', 'm1') });
  ws._serverClose(1006);
  (await waitFor(() => WS.instances[1]))._fail();
  const back = await waitFor(() => fetch.calls[3]);
  assert.equal(back.cursor, 'c0');
  assert.deepEqual(back.since, ['a=m1']);
  back.ok(reply([env('a', 'm1'), env('a', 'm2')], 'c2'));
  await waitFor(() => got.length === 2);
  assert.deepEqual(got, ['m1', 'm2']);
  rt.close();
});

test('a reset over HTTP gives up the old ids: the next request is positioned by the cursor alone', async () => {
  const { rt, WS, fetch } = setup({ transports: ['websocket', 'poll'], pollInterval: 5 });
  const resets = [];
  rt.on('reset', (r) => resets.push(r.topics));
  rt.subscribe('a', () => {});
  const ws = await waitFor(() => WS.instances[0]);
  ws._open();
  ws._receive({ type: 'message', ...env('a', 'old') });
  ws._serverClose(1006);
  (await waitFor(() => WS.instances[1]))._fail();
  const first = await waitFor(() => fetch.calls[0]);
  assert.deepEqual(first.since, ['a=old']);
  first.ok(reply([], 'c1', { recovered: false, reset: ['a'] }));
  const next = await waitFor(() => fetch.calls[1]);
  assert.deepEqual(next.since, []);
  assert.equal(next.cursor, 'c1');
  assert.deepEqual(resets, [['a']]);
  rt.close();
});

for (const transport of ['poll', 'long-poll']) {
  test(transport + ': a network failure reaches error listeners with code network', async () => {
    const { rt, fetch, errors } = setup({ transports: [transport] });
    rt.subscribe('a', () => {});
    (await waitFor(() => fetch.calls[0])).fail(new TypeError('Failed to fetch'));
    await waitFor(() => errors.length === 1);
    assert.equal(errors[0].code, 'network');
    assert.equal(errors[0].transport, transport);
    assert.equal(errors[0].message, 'Failed to fetch');
    rt.close();
  });
}

test('long-poll whose held request a proxy refuses (504) never reports open before falling back', async () => {
  const { rt, fetch, states } = setup({ transports: ['long-poll', 'poll'] });
  rt.subscribe('a', () => {});
  (await waitFor(() => fetch.calls[0])).ok(reply([], 'c1'));
  const held = await waitFor(() => fetch.calls[1]);
  assert.equal(held.path, '/realtime/long-poll');
  held.respond(504, 'Gateway Timeout', 'text/plain');
  (await waitFor(() => fetch.calls[2])).ok(reply([], 'c2'));
  await waitFor(() => rt.transport === 'poll');
  assert.deepEqual(states, ['open']);
  rt.close();
});

test('long-poll reports open once its held request has lived a while without an error', async () => {
  const { rt, fetch } = setup({ transports: ['long-poll'], connectTimeout: 30 });
  rt.subscribe('a', () => {});
  (await waitFor(() => fetch.calls[0])).ok(reply([], 'c1'));
  await waitFor(() => fetch.calls[1]);
  assert.equal(rt.state, 'connecting');
  await waitFor(() => rt.state === 'open', 'open while held');
  assert.equal(rt.transport, 'long-poll');
  assert.equal(fetch.calls[1].settled, false);
  rt.close();
});

test('a cursor too long for a subscribe frame is not sent', async () => {
  const { rt, WS, fetch } = setup({ transports: ['poll', 'websocket'] });
  rt.subscribe('a', () => {});
  (await waitFor(() => fetch.calls[0])).ok(reply([], 'c'.repeat(3000)));
  (await waitFor(() => fetch.calls[1], 'next poll', 3000)).fail();
  (await waitFor(() => fetch.calls[2])).fail();
  const ws = await waitFor(() => WS.instances[0]);
  ws._open();
  assert.deepEqual(ws.frames(), [{ type: 'subscribe', topic: 'a' }]);
  rt.close();
});

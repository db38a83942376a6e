'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { setup, waitFor, tick, env } = require('../testing/fakes.js');

test('default order: websocket fails -> sse fails -> long-poll fails -> poll', async () => {
  const { rt, WS, ES, fetch, states } = setup();
  rt.subscribe('a', () => {});
  const ws = await waitFor(() => WS.instances[0], 'websocket');
  assert.equal(ws.url, 'ws://app.test/realtime/ws');
  assert.equal(rt.state, 'connecting');
  ws._fail();
  const es = await waitFor(() => ES.instances[0], 'event source');
  assert.equal(es.url, 'http://app.test/realtime/sse?topic=a');
  es._error();
  const first = await waitFor(() => fetch.calls[0], 'long-poll opening request');
  assert.equal(first.path, '/realtime/poll'); // long-poll opens with a /poll
  first.fail();
  const poll = await waitFor(() => fetch.calls[1], 'poll request');
  assert.equal(poll.path, '/realtime/poll');
  poll.ok({ messages: [], cursor: 'c1', recovered: true });
  await waitFor(() => rt.state === 'open', 'open');
  assert.equal(rt.transport, 'poll');
  assert.deepEqual(states, ['open']);
  assert.equal(WS.instances.length, 1);
  assert.equal(ES.instances.length, 1);
  rt.close();
});

test('websocket that does not open within connectTimeout counts as failed', async () => {
  const { rt, WS, ES } = setup({ connectTimeout: 20 });
  rt.subscribe('a', () => {});
  const ws = await waitFor(() => WS.instances[0]);
  const es = await waitFor(() => ES.instances[0], 'fallback to sse');
  assert.ok(ws.closedWith !== null, 'the late socket is closed');
  ws._open(); // too late: ignored
  assert.equal(rt.transport, null);
  es._open();
  assert.equal(rt.transport, 'sse');
  assert.equal(rt.state, 'open');
  rt.close();
});

test('a single transport is forced and retried after back-off, never falling back', async () => {
  const { rt, WS, ES, fetch, states } = setup({ transports: ['sse'] });
  rt.subscribe('a', () => {});
  (await waitFor(() => ES.instances[0]))._error();
  await waitFor(() => rt.state === 'reconnecting');
  (await waitFor(() => ES.instances[1], 'retry'))._error();
  const es = await waitFor(() => ES.instances[2], 'second retry');
  es._open();
  assert.equal(rt.state, 'open');
  assert.equal(rt.transport, 'sse');
  assert.equal(WS.instances.length, 0);
  assert.equal(fetch.calls.length, 0);
  assert.deepEqual(states, ['reconnecting', 'open']);
  rt.close();
});

test('a transport that worked is retried first, then fallback continues along the list', async () => {
  const { rt, WS, ES, fetch, states } = setup();
  rt.subscribe('a', () => {});
  (await waitFor(() => WS.instances[0]))._fail();
  const es = await waitFor(() => ES.instances[0]);
  es._open();
  assert.equal(rt.transport, 'sse');
  es._error(); // drop after open
  assert.equal(rt.state, 'reconnecting');
  assert.equal(rt.transport, null);
  const again = await waitFor(() => ES.instances[1], 'sse retried first');
  assert.equal(WS.instances.length, 1, 'websocket not retried before sse');
  again._error(); // fails from the start: fall back
  const lp = await waitFor(() => fetch.calls[0], 'long-poll');
  lp.ok({ messages: [], cursor: 'c1', recovered: true });
  await waitFor(() => rt.transport === 'long-poll');
  assert.deepEqual(states, ['open', 'reconnecting', 'open']);
  rt.close();
});

test('after a whole round fails it backs off and starts again from the top', async () => {
  const { rt, WS, ES, fetch } = setup({ transports: ['websocket', 'sse'] });
  rt.subscribe('a', () => {});
  (await waitFor(() => WS.instances[0]))._fail();
  (await waitFor(() => ES.instances[0]))._error();
  await waitFor(() => rt.state === 'reconnecting');
  const ws = await waitFor(() => WS.instances[1], 'websocket again');
  ws._open();
  assert.equal(rt.transport, 'websocket');
  assert.equal(fetch.calls.length, 0);
  rt.close();
});

test('state transitions: connecting -> open -> reconnecting -> open -> closed', async () => {
  const { rt, WS, states } = setup({ transports: ['websocket'] });
  assert.equal(rt.state, 'connecting');
  assert.equal(rt.transport, null);
  (await waitFor(() => WS.instances[0]))._open();
  WS.instances[0]._serverClose(1006);
  assert.equal(rt.state, 'reconnecting');
  (await waitFor(() => WS.instances[1]))._open();
  rt.close();
  assert.equal(rt.state, 'closed');
  assert.equal(rt.transport, null);
  assert.deepEqual(states, ['open', 'reconnecting', 'open', 'closed']);
  rt.close(); // idempotent
  assert.deepEqual(states, ['open', 'reconnecting', 'open', 'closed']);
});

test('close releases everything: websocket', async () => {
  const { rt, WS } = setup({ transports: ['websocket'] });
  const ws = await waitFor(() => WS.instances[0]);
  ws._open();
  rt.close();
  assert.equal(ws.closedWith, 1000);
  await tick(20);
  assert.equal(WS.instances.length, 1, 'no reconnect after close');
  assert.throws(() => rt.subscribe('a', () => {}), /closed/);
  await assert.rejects(rt.publish('a', 1), /closed/);
});

test('close releases everything: event source', async () => {
  const { rt, ES } = setup({ transports: ['sse'] });
  rt.subscribe('a', () => {});
  const es = await waitFor(() => ES.instances[0]);
  es._open();
  rt.close();
  assert.equal(es.closed, true);
  await tick(20);
  assert.equal(ES.instances.length, 1);
});

test('close releases everything: a pending long-poll is aborted', async () => {
  const { rt, fetch } = setup({ transports: ['long-poll'] });
  const seen = [];
  rt.subscribe('a', (d) => seen.push(d));
  (await waitFor(() => fetch.calls[0])).ok({ messages: [], cursor: 'c1', recovered: true });
  const held = await waitFor(() => fetch.calls[1], 'held long-poll');
  assert.equal(held.path, '/realtime/long-poll');
  rt.close();
  assert.equal(held.aborted, true);
  assert.equal(held.init.signal.aborted, true);
  await tick(20);
  assert.equal(fetch.calls.length, 2);
  assert.deepEqual(seen, []);
});

test('close before the first attempt starts nothing', async () => {
  const { rt, WS, ES, fetch } = setup();
  rt.close();
  await tick(10);
  assert.equal(WS.instances.length + ES.instances.length + fetch.calls.length, 0);
});

test('transport errors are reported as error events with the transport name', async () => {
  const { rt, WS, ES, errors } = setup({ transports: ['websocket', 'sse'] });
  rt.subscribe('a', () => {});
  (await waitFor(() => WS.instances[0]))._fail();
  (await waitFor(() => ES.instances[0]))._open();
  assert.equal(errors.length, 1);
  assert.equal(errors[0].transport, 'websocket');
  rt.close();
});

test('a throwing handler does not stop delivery and is reported', async () => {
  const { rt, WS, errors } = setup({ transports: ['websocket'] });
  const got = [];
  rt.subscribe('a', () => { throw new Error('boom'); });
  rt.subscribe('a', (d) => got.push(d));
  const ws = await waitFor(() => WS.instances[0]);
  ws._open();
  ws._receive({ type: 'message', ...env('a', '1') });
  assert.deepEqual(got, ['1']);
  assert.equal(errors[0].message, 'boom');
  rt.close();
});

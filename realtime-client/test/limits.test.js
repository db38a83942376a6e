'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { setup, waitFor, tick } = require('../testing/fakes.js');

// The server's per-client limits (docs/PROTOCOL.md, "Rate limits"): the client waits as long as
// it is told, keeps its WebSocket, and rejects a refused publish with the wait.

const problem = (detail, retryAfter) => ({ title: 'Too Many Requests', status: 429, detail, retryAfter });

test('an HTTP publish over the rate rejects with rate_limited and retryAfter in ms', async () => {
  const { rt, fetch } = setup({ transports: ['poll'] });
  const p1 = rt.publish('chat', 1);
  (await waitFor(() => fetch.calls.find((c) => c.path.endsWith('/publish'))))
    .respond(429, problem('more than 10 publishes', 1500), 'application/problem+json', { 'Retry-After': '2' });
  await assert.rejects(p1, (err) => err.status === 429 && err.code === 'rate_limited' && err.retryAfter === 1500
    && err.message === 'more than 10 publishes');
  // without the body's member, the header's seconds
  const p2 = rt.publish('chat', 2);
  (await waitFor(() => fetch.calls.filter((c) => c.path.endsWith('/publish'))[1]))
    .respond(429, 'slow down', 'text/plain', { 'Retry-After': '3' });
  await assert.rejects(p2, (err) => err.code === 'rate_limited' && err.retryAfter === 3000);
  rt.close();
});

test('a 429 on long-poll retries the same transport, no sooner than retryAfter', async () => {
  const { rt, fetch } = setup({ transports: ['long-poll', 'poll'] });
  rt.subscribe('a', () => {});
  (await waitFor(() => fetch.calls[0])).ok({ messages: [], cursor: 'c1', recovered: true });
  const refused = await waitFor(() => fetch.calls[1]);
  assert.equal(refused.path, '/realtime/long-poll');
  refused.respond(429, problem('more than 20 subscribes', 400), 'application/problem+json', { 'Retry-After': '1' });
  await tick(150);
  assert.equal(fetch.calls.length, 2, 'waits retryAfter, not the 1 ms back-off');
  const retry = await waitFor(() => fetch.calls[2], 'retry', 3000);
  assert.equal(retry.path, '/realtime/poll', 'long-poll again (it opens with /poll), no fallback to poll');
  assert.equal(retry.cursor, 'c1');
  retry.ok({ messages: [], cursor: 'c1', recovered: true });
  const held = await waitFor(() => fetch.calls[3]);
  assert.equal(held.path, '/realtime/long-poll');
  held.ok({ messages: [], cursor: 'c2', recovered: true });
  await waitFor(() => rt.transport === 'long-poll');
  rt.close();
});

test('a 503 is an outage: the client backs off and reconnects', async () => {
  const { rt, fetch, states } = setup({ transports: ['long-poll'] });
  rt.subscribe('a', () => {});
  (await waitFor(() => fetch.calls[0])).ok({ messages: [], cursor: 'c1', recovered: true });
  (await waitFor(() => fetch.calls[1])).ok({ messages: [], cursor: 'c2', recovered: true });
  (await waitFor(() => fetch.calls[2])).respond(503, { status: 503, detail: 'connection limit reached' },
    'application/problem+json');
  await waitFor(() => rt.state === 'reconnecting');
  const resume = await waitFor(() => fetch.calls[3], 'reconnect');
  assert.equal(resume.cursor, 'c2');
  resume.ok({ messages: [], cursor: 'c2', recovered: true });
  await waitFor(() => rt.state === 'open');
  assert.deepEqual(states, ['open', 'reconnecting', 'open']);
  rt.close();
});

test('a WebSocket publish over the rate rejects with retryAfter and the socket stays', async () => {
  const { rt, WS, errors } = setup({ transports: ['websocket'] });
  const ws = await waitFor(() => WS.instances[0]);
  ws._open();
  const p = rt.publish('chat', 'hi');
  const frame = ws.frames('publish')[0];
  ws._receive({ type: 'error', code: 'rate_limited', message: 'more than 10 per second (burst 30) publishes from this client',
    ref: frame.ref, topic: 'chat', retryAfter: 250 });
  await assert.rejects(p, (err) => err.code === 'rate_limited' && err.retryAfter === 250 && err.topic === 'chat'
    && /publishes/.test(err.message));
  assert.equal(errors.length, 0, 'a rejected publish is its caller\'s to handle');
  const again = rt.publish('chat', 'hi');
  ws._receive({ type: 'published', topic: 'chat', id: 'm1', ref: ws.frames('publish')[1].ref });
  assert.equal(await again, 'm1');
  await tick(20);
  assert.equal(WS.instances.length, 1);
  assert.equal(rt.state, 'open');
  rt.close();
});

test('a WebSocket subscribe over the rate is asked again after retryAfter on the same socket', async () => {
  const { rt, WS, errors } = setup({ transports: ['websocket'] });
  const ws = await waitFor(() => WS.instances[0]);
  rt.subscribe('chat', () => {});
  ws._open();
  ws._receive({ type: 'subscribed', topic: 'chat', recovered: true, position: 'p1' });
  rt.subscribe('news', () => {});
  ws._receive({ type: 'error', code: 'rate_limited', message: 'more than 20 subscribes', topic: 'news', retryAfter: 200 });
  assert.equal(errors[0].code, 'rate_limited');
  assert.equal(errors[0].retryAfter, 200);
  await tick(80);
  assert.equal(ws.frames('subscribe').length, 2, 'not before retryAfter');
  await waitFor(() => ws.frames('subscribe').length === 3, 'subscribe again', 3000);
  assert.deepEqual(ws.frames('subscribe')[2], { type: 'subscribe', topic: 'news' });
  assert.equal(WS.instances.length, 1);
  rt.close();
});

'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { setup, waitFor, tick, env } = require('../testing/fakes.js');

const reply = (messages, cursor, extra = {}) => ({ messages, cursor, recovered: true, ...extra });

test('long-poll opens with /poll, then hands the cursor back on every long-poll', async () => {
  const { rt, fetch } = setup({ transports: ['long-poll'] });
  const got = [];
  rt.subscribe('a', (d) => got.push(d));
  rt.subscribe('b/c', (d) => got.push(d));
  const open = await waitFor(() => fetch.calls[0]);
  assert.equal(open.url, 'http://app.test/realtime/poll?topic=a&topic=b%2Fc');
  assert.equal(open.init.headers.Accept, 'application/json');
  open.ok(reply([], 'c1'));
  const lp1 = await waitFor(() => fetch.calls[1]);
  assert.equal(lp1.url, 'http://app.test/realtime/long-poll?topic=a&topic=b%2Fc&cursor=c1');
  assert.equal(rt.state, 'connecting', 'open once /long-poll itself answers');
  lp1.ok(reply([env('a', '1'), env('b/c', '1')], 'c2'));
  await waitFor(() => rt.state === 'open');
  assert.equal(rt.transport, 'long-poll');
  const lp2 = await waitFor(() => fetch.calls[2]);
  assert.equal(lp2.cursor, 'c2');
  assert.deepEqual(got, ['1', '1']);
  lp2.ok(reply([], 'c3')); // server timeout: empty reply, new cursor, ask again at once
  assert.equal((await waitFor(() => fetch.calls[3])).cursor, 'c3');
  rt.close();
});

test('long-poll: a failed request reconnects with the cursor, and a re-sent message is surfaced once', async () => {
  const { rt, fetch, states } = setup({ transports: ['long-poll'] });
  const got = [];
  rt.subscribe('a', (d) => got.push(d));
  (await waitFor(() => fetch.calls[0])).ok(reply([], 'c1'));
  (await waitFor(() => fetch.calls[1])).ok(reply([env('a', 'm1')], 'c2'));
  (await waitFor(() => fetch.calls[2])).fail();
  await waitFor(() => rt.state === 'reconnecting');
  const resume = await waitFor(() => fetch.calls[3], 'resume');
  assert.equal(resume.path, '/realtime/poll');
  assert.equal(resume.cursor, 'c2');
  resume.ok(reply([env('a', 'm1'), env('a', 'm2')], 'c3')); // e.g. a proxy replayed it
  const held = await waitFor(() => fetch.calls[4]);
  assert.equal(held.cursor, 'c3');
  held.ok(reply([], 'c4'));
  await waitFor(() => rt.state === 'open');
  assert.deepEqual(got, ['m1', 'm2']);
  assert.deepEqual(states, ['open', 'reconnecting', 'open']);
  rt.close();
});

test('long-poll: a topic change aborts the held request and asks again with the cursor', async () => {
  const { rt, fetch } = setup({ transports: ['long-poll'] });
  const sa = rt.subscribe('a', () => {});
  (await waitFor(() => fetch.calls[0])).ok(reply([], 'c1'));
  const held = await waitFor(() => fetch.calls[1]);
  rt.subscribe('b', () => {});
  assert.equal(held.aborted, true);
  const next = await waitFor(() => fetch.calls[2]);
  assert.equal(next.url, 'http://app.test/realtime/long-poll?topic=a&topic=b&cursor=c1');
  sa.unsubscribe();
  assert.equal(next.aborted, true);
  assert.equal((await waitFor(() => fetch.calls[3])).url, 'http://app.test/realtime/long-poll?topic=b&cursor=c1');
  rt.subscribe('b', () => {}); // same topic again: nothing changes
  await tick();
  assert.equal(fetch.calls.length, 4);
  rt.close();
});

test('long-poll: the last unsubscribe stops polling, the next subscribe resumes', async () => {
  const { rt, fetch } = setup({ transports: ['long-poll'] });
  const s = rt.subscribe('a', () => {});
  (await waitFor(() => fetch.calls[0])).ok(reply([], 'c1'));
  const held = await waitFor(() => fetch.calls[1]);
  s.unsubscribe();
  assert.equal(held.aborted, true);
  await tick(10);
  assert.equal(fetch.calls.length, 2);
  assert.equal(rt.state, 'open');
  rt.subscribe('b', () => {});
  assert.equal((await waitFor(() => fetch.calls[2])).url, 'http://app.test/realtime/long-poll?topic=b&cursor=c1');
  rt.close();
});

test('long-poll falls back to poll when /poll works but the held /long-poll does not', async () => {
  const { rt, fetch } = setup({ transports: ['long-poll', 'poll'] });
  rt.subscribe('a', () => {});
  (await waitFor(() => fetch.calls[0])).ok(reply([], 'c1'));
  (await waitFor(() => fetch.calls[1])).respond(404, 'no such endpoint', 'text/plain');
  const poll = await waitFor(() => fetch.calls[2]);
  assert.equal(poll.path, '/realtime/poll');
  assert.equal(poll.cursor, 'c1');
  poll.ok(reply([], 'c2'));
  await waitFor(() => rt.transport === 'poll');
  rt.close();
});

test('poll waits pollInterval after an empty reply and asks again at once after messages', async () => {
  const { rt, fetch } = setup({ transports: ['poll'], pollInterval: 60 });
  const got = [];
  rt.subscribe('a', (d) => got.push(d));
  const first = await waitFor(() => fetch.calls[0]);
  assert.equal(first.cursor, null);
  first.ok(reply([], 'c1'));
  await tick(25);
  assert.equal(fetch.calls.length, 1, 'waits for the interval');
  const second = await waitFor(() => fetch.calls[1], 'after the interval');
  assert.equal(second.cursor, 'c1');
  second.ok(reply([env('a', '1'), env('a', '2')], 'c2'));
  const third = await waitFor(() => fetch.calls[2], 'at once when messages came');
  assert.equal(third.cursor, 'c2');
  assert.deepEqual(got, ['1', '2']);
  rt.close();
});

test('poll: a new topic polls at once with the cursor', async () => {
  const { rt, fetch } = setup({ transports: ['poll'], pollInterval: 10000 });
  rt.subscribe('a', () => {});
  (await waitFor(() => fetch.calls[0])).ok(reply([], 'c1'));
  await tick();
  rt.subscribe('b', () => {});
  const call = await waitFor(() => fetch.calls[1]);
  assert.deepEqual(call.topics, ['a', 'b']);
  assert.equal(call.cursor, 'c1');
  rt.close();
});

test('poll and long-poll replies with recovered:false emit reset before the messages', async () => {
  for (const transport of ['poll', 'long-poll']) {
    const { rt, fetch } = setup({ transports: [transport] });
    const log = [];
    rt.on('reset', (r) => log.push(['reset', r.topics]));
    rt.subscribe('a', (d) => log.push(['msg', d]));
    rt.subscribe('b', () => {});
    (await waitFor(() => fetch.calls[0])).ok(reply([env('a', 'old1')], 'c1', { recovered: false, reset: ['a'] }));
    await waitFor(() => log.length === 2);
    assert.deepEqual(log, [['reset', ['a']], ['msg', 'old1']], transport);
    rt.close();
  }
});

test('sse: messages carry the cursor in id:, handed back when the stream reopens', async () => {
  const { rt, ES, states } = setup({ transports: ['sse'] });
  const got = [];
  rt.subscribe('a', (d, m) => got.push(m.id));
  const es = await waitFor(() => ES.instances[0]);
  assert.equal(es.url, 'http://app.test/realtime/sse?topic=a');
  es._open();
  es._event('message', env('a', 'm1'), 'c1');
  es._event('message', env('a', 'm2'), 'c2');
  es._error(); // the browser would reconnect by itself; the client does it, with back-off
  assert.equal(es.closed, true);
  const again = await waitFor(() => ES.instances[1]);
  assert.equal(again.url, 'http://app.test/realtime/sse?topic=a&cursor=c2');
  again._open();
  again._event('message', env('a', 'm2'), 'c2'); // re-sent: surfaced once
  again._event('message', env('a', 'm3'), 'c3');
  assert.deepEqual(got, ['m1', 'm2', 'm3']);
  assert.deepEqual(states, ['open', 'reconnecting', 'open']);
  rt.close();
});

test('sse: a topic change opens a new stream with the cursor and closes the old one once it is open', async () => {
  const { rt, ES } = setup({ transports: ['sse'] });
  const got = [];
  rt.subscribe('a', (d, m) => got.push(m.topic + m.id));
  const es1 = await waitFor(() => ES.instances[0]);
  es1._open();
  es1._event('message', env('a', '1'), 'c1');
  rt.subscribe('b', (d, m) => got.push(m.topic + m.id));
  const es2 = ES.instances[1];
  assert.deepEqual(es2.topics, ['a', 'b']);
  assert.equal(es2.cursor, 'c1');
  assert.equal(es1.closed, false, 'old stream delivers until the new one is open');
  es1._event('message', env('a', '2'), 'c2');
  es2._open();
  assert.equal(es1.closed, true);
  es2._event('message', env('a', '2'), 'c2b'); // overlap: dropped by id
  es2._event('message', env('b', '1'), 'c3');
  assert.deepEqual(got, ['a1', 'a2', 'b1']);
  assert.equal(rt.state, 'open');
  const last = rt.subscribe('c', () => {});
  const es3 = ES.instances[2];
  assert.equal(es3.cursor, 'c3');
  last.unsubscribe(); // changed again before es3 opened: es3 is dropped, es4 replaces it
  assert.equal(es3.closed, true);
  assert.deepEqual(ES.instances[3].topics, ['a', 'b']);
  rt.close();
  assert.ok(ES.instances.every((e) => e.closed));
});

test('sse: unsubscribing everything closes the stream', async () => {
  const { rt, ES } = setup({ transports: ['sse'] });
  const s = rt.subscribe('a', () => {});
  const es = await waitFor(() => ES.instances[0]);
  es._open();
  s.unsubscribe();
  assert.equal(es.closed, true);
  assert.equal(rt.state, 'open');
  rt.close();
});

test('sse: event reset emits reset', async () => {
  const { rt, ES } = setup({ transports: ['sse'] });
  const resets = [];
  rt.on('reset', (r) => resets.push(r));
  rt.subscribe('a', () => {});
  rt.subscribe('b', () => {});
  const es = await waitFor(() => ES.instances[0]);
  es._open();
  es._event('reset', { topics: ['a'] });
  assert.deepEqual(resets, [{ topics: ['a'] }]);
  rt.close();
});

test('publish over HTTP posts JSON and resolves with the id', async () => {
  const { rt, fetch } = setup({ transports: ['poll'] });
  const p = rt.publish('chat/room-1', { text: 'hi' });
  const call = await waitFor(() => fetch.calls.find((c) => c.path.endsWith('/publish')));
  assert.equal(call.url, 'http://app.test/realtime/publish?topic=chat%2Froom-1');
  assert.equal(call.init.method, 'POST');
  assert.equal(call.init.headers['Content-Type'], 'application/json');
  assert.deepEqual(JSON.parse(call.init.body), { text: 'hi' });
  call.respond(202, { topic: 'chat/room-1', id: 'x9' });
  assert.equal(await p, 'x9');
  rt.close();
});

test('publish over HTTP rejects with the problem detail and status', async () => {
  const { rt, fetch } = setup({ transports: ['poll'] });
  const p = rt.publish('chat', 'text');
  const call = await waitFor(() => fetch.calls.find((c) => c.path.endsWith('/publish')));
  assert.equal(call.init.body, '"text"');
  call.respond(403, { type: 'about:blank', title: 'Forbidden', status: 403, detail: 'may not publish on chat' },
    'application/problem+json');
  await assert.rejects(p, (err) => err.status === 403 && err.code === 'forbidden'
    && err.message === 'may not publish on chat' && err.detail === 'may not publish on chat'
    && err.problem.title === 'Forbidden');
  const p2 = rt.publish('chat', 1);
  (await waitFor(() => fetch.calls.filter((c) => c.path.endsWith('/publish'))[1])).respond(503, 'down', 'text/plain');
  await assert.rejects(p2, (err) => err.status === 503 && err.code === 'unavailable' && err.message === 'down');
  const p3 = rt.publish('chat', 1);
  (await waitFor(() => fetch.calls.filter((c) => c.path.endsWith('/publish'))[2])).fail();
  await assert.rejects(p3, TypeError);
  rt.close();
});

test('from long-poll to websocket: topics resume with since = last id', async () => {
  const { rt, fetch, WS } = setup({ transports: ['long-poll', 'websocket'] });
  const got = [];
  rt.subscribe('a', (d) => got.push(d));
  rt.subscribe('b', () => {});
  (await waitFor(() => fetch.calls[0])).ok(reply([], 'c1'));
  (await waitFor(() => fetch.calls[1])).ok(reply([env('a', 'm1')], 'c2'));
  (await waitFor(() => fetch.calls[2])).fail(); // drop
  (await waitFor(() => fetch.calls[3])).fail(); // fails again from the start: fall back
  const ws = await waitFor(() => WS.instances[0]);
  ws._open();
  // 'b' has had no message: the HTTP cursor positions it
  assert.deepEqual(ws.frames(), [{ type: 'subscribe', topic: 'a', since: 'm1' },
    { type: 'subscribe', topic: 'b', cursor: 'c2' }]);
  ws._receive({ type: 'message', ...env('a', 'm1') });
  ws._receive({ type: 'message', ...env('a', 'm2') });
  assert.deepEqual(got, ['m1', 'm2']);
  rt.close();
});

test('from websocket to sse: the last cursor is reused and replays are dropped by id', async () => {
  const { rt, ES, WS } = setup({ transports: ['sse', 'websocket'] });
  const got = [];
  rt.subscribe('a', (d) => got.push(d));
  const es = await waitFor(() => ES.instances[0]);
  es._open();
  es._event('message', env('a', 'm1'), 'c1');
  es._error(); // drop
  (await waitFor(() => ES.instances[1]))._error(); // fails from the start: websocket
  const ws = await waitFor(() => WS.instances[0]);
  ws._open();
  assert.deepEqual(ws.frames(), [{ type: 'subscribe', topic: 'a', since: 'm1' }]);
  ws._receive({ type: 'message', ...env('a', 'm2') });
  ws._serverClose(1006);
  (await waitFor(() => WS.instances[1]))._fail(); // websocket now fails: back to sse
  const es3 = await waitFor(() => ES.instances[2]);
  assert.equal(es3.cursor, 'c1');
  assert.deepEqual(es3.since, ['a=m2'], 'the id received over WebSocket wins over the cursor');
  es3._open();
  es3._event('message', env('a', 'm2'), 'c2');
  es3._event('message', env('a', 'm3'), 'c3');
  assert.deepEqual(got, ['m1', 'm2', 'm3']);
  rt.close();
});

test('from websocket to sse: every topic resumes from its last id, however many messages came', async () => {
  const { rt, ES, WS } = setup({ transports: ['sse', 'websocket'], dedupeWindow: 2 });
  rt.subscribe('a', () => {});
  const es = await waitFor(() => ES.instances[0]);
  es._open();
  es._event('message', env('a', 'm1'), 'c1');
  es._error();
  (await waitFor(() => ES.instances[1]))._error();
  const ws = await waitFor(() => WS.instances[0]);
  ws._open();
  for (const id of ['m2', 'm3', 'm4']) ws._receive({ type: 'message', ...env('a', id) });
  ws._serverClose(1006);
  (await waitFor(() => WS.instances[1]))._fail();
  const es3 = await waitFor(() => ES.instances[2]);
  assert.deepEqual(es3.since, ['a=m4']);
  rt.close();
});

test('an HTTP transport with no topics is open and idle until the first subscribe', async () => {
  const { rt, fetch, ES } = setup({ transports: ['sse'] });
  await waitFor(() => rt.state === 'open');
  assert.equal(rt.transport, 'sse');
  assert.equal(ES.instances.length + fetch.calls.length, 0);
  rt.subscribe('a', () => {});
  const es = ES.instances[0];
  es._error(); // never opened: a failure, not a drop
  await waitFor(() => ES.instances[1]);
  rt.close();
});

test('a 400 for a positioned request drops the cursor and emits reset', async () => {
  const { rt, fetch } = setup({ transports: ['long-poll'] });
  const resets = [];
  rt.on('reset', (r) => resets.push(r.topics));
  rt.subscribe('a', () => {});
  (await waitFor(() => fetch.calls[0])).ok(reply([], 'c1'));
  (await waitFor(() => fetch.calls[1])).ok(reply([], 'c2'));
  (await waitFor(() => fetch.calls[2])).respond(400, { title: 'Bad Request', status: 400, detail: 'bad cursor' },
    'application/problem+json');
  const again = await waitFor(() => fetch.calls[3]);
  assert.equal(again.path, '/realtime/poll');
  assert.equal(again.cursor, null);
  assert.deepEqual(resets, [['a']]);
  rt.close();
});

test('long-poll: a network error on the first held request reconnects instead of falling back', async () => {
  const { rt, fetch, WS } = setup({ transports: ['long-poll', 'websocket'] });
  rt.subscribe('a', () => {});
  (await waitFor(() => fetch.calls[0])).ok(reply([], 'c1'));
  (await waitFor(() => fetch.calls[1])).fail();
  const again = await waitFor(() => fetch.calls[2]);
  assert.equal(again.path, '/realtime/poll');
  assert.equal(again.cursor, 'c1');
  assert.equal(WS.instances.length, 0);
  rt.close();
});

test('sse that does not open within connectTimeout falls back', async () => {
  const { rt, ES, fetch } = setup({ transports: ['sse', 'poll'], connectTimeout: 20 });
  rt.subscribe('a', () => {});
  const es = await waitFor(() => ES.instances[0]);
  const poll = await waitFor(() => fetch.calls[0], 'poll after the timeout');
  assert.equal(es.closed, true);
  poll.ok(reply([], 'c1'));
  await waitFor(() => rt.transport === 'poll');
  rt.close();
});

test('a poll request that hangs times out', async () => {
  const { rt, fetch } = setup({ transports: ['poll'], connectTimeout: 20 });
  rt.subscribe('a', () => {});
  const first = await waitFor(() => fetch.calls[0]);
  await waitFor(() => first.aborted, 'abort after connectTimeout');
  await waitFor(() => fetch.calls[1], 'retry');
  rt.close();
});

test('sse: a replacement stream that never opens counts as a drop and reconnects', async () => {
  const { rt, ES } = setup({ transports: ['sse'], connectTimeout: 30 });
  rt.subscribe('a', () => {});
  const es1 = await waitFor(() => ES.instances[0]);
  es1._open();
  es1._event('message', env('a', '1'), 'c1');
  rt.subscribe('b', () => {});
  await waitFor(() => rt.state === 'reconnecting', 'drop after the timeout');
  assert.equal(es1.closed, true);
  const es3 = await waitFor(() => ES.instances[2]);
  assert.deepEqual(es3.topics, ['a', 'b']);
  assert.equal(es3.cursor, 'c1');
  rt.close();
});

test('sse: the ready event positions topics that have had no message, handed back on reconnect', async () => {
  const { rt, ES } = setup({ transports: ['sse'] });
  const got = [];
  rt.subscribe('quiet', (d) => got.push(d));
  const es = await waitFor(() => ES.instances[0]);
  assert.equal(es.cursor, null);
  es._open();
  es._event('ready', { topics: ['quiet'] }, 'c0');
  es._error();
  const again = await waitFor(() => ES.instances[1]);
  assert.equal(again.cursor, 'c0', 'no gap for a quiet topic');
  again._open();
  again._event('ready', { topics: ['quiet'] }, 'c0');
  again._event('message', env('quiet', 'm1'), 'c1'); // published while away
  assert.deepEqual(got, ['m1']);
  rt.close();
});

test('sse: a topic change takes the new stream\'s ready cursor, and a closed stream\'s events are ignored', async () => {
  const { rt, ES } = setup({ transports: ['sse'] });
  rt.subscribe('a', () => {});
  const es1 = await waitFor(() => ES.instances[0]);
  es1._open();
  es1._event('ready', { topics: ['a'] }, 'c-a');
  rt.subscribe('b', () => {});
  const es2 = ES.instances[1];
  assert.equal(es2.cursor, 'c-a');
  es2._open();
  es2._event('ready', { topics: ['a', 'b'] }, 'c-ab');
  es1._event('ready', { topics: ['a'] }, 'stale'); // closed stream: ignored
  rt.subscribe('c', () => {});
  assert.equal(ES.instances[2].cursor, 'c-ab');
  rt.close();
});

test('sse hands its ready cursor to long-poll on fallback', async () => {
  const { rt, ES, fetch } = setup({ transports: ['sse', 'long-poll'] });
  rt.subscribe('a', () => {});
  const es = await waitFor(() => ES.instances[0]);
  es._open();
  es._event('ready', { topics: ['a'] }, 'c0');
  es._error(); // drop
  (await waitFor(() => ES.instances[1]))._error(); // fails from the start: long-poll
  const first = await waitFor(() => fetch.calls[0]);
  assert.equal(first.path, '/realtime/poll');
  assert.equal(first.cursor, 'c0');
  rt.close();
});

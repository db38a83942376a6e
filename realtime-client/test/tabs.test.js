'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { setupTabs, setup, waitFor, tick, env } = require('../testing/fakes.js');

// Tabs of one origin share one connection: the leader (holder of the Web Lock) runs it and
// relays over a BroadcastChannel; the others resume from their own positions when it goes.

const reply = (messages, cursor, extra = {}) => ({ messages, cursor, recovered: true, ...extra });

function collect(t, topic, options) {
  t.got = t.got || [];
  return t.rt.subscribe(topic, (data, message) => t.got.push(message.id), options);
}

async function openWs(WS, i = 0) {
  const ws = await waitFor(() => WS.instances[i], 'websocket ' + i);
  ws._open();
  return ws;
}

test('tabs share one connection: one socket, one subscribe, every tab gets every message once, in order', async () => {
  const { tabs, WS } = setupTabs(3, { transports: ['websocket'] });
  for (const t of tabs) collect(t, 'a');
  const ws = await openWs(WS);
  await waitFor(() => tabs.every((t) => t.rt.state === 'open'), 'every tab open');
  assert.deepEqual(tabs.map((t) => t.rt.transport), ['websocket', 'websocket', 'websocket']);
  assert.deepEqual(ws.frames('subscribe'), [{ type: 'subscribe', topic: 'a' }]);
  ws._receive({ type: 'subscribed', topic: 'a', recovered: true, position: 'p0' });
  for (const id of ['m1', 'm2', 'm3']) ws._receive({ type: 'message', ...env('a', id) });
  ws._receive({ type: 'message', ...env('a', 'm3') }); // a replay: dropped
  await waitFor(() => tabs.every((t) => t.got.length === 3), 'every tab has every message');
  await tick(10);
  for (const t of tabs) assert.deepEqual(t.got, ['m1', 'm2', 'm3']);
  assert.equal(WS.instances.length, 1, 'followers open no socket');
  for (const t of tabs.slice(1)) assert.deepEqual(t.states, ['open']);
});

test('a follower only gets its own topics; the last tab to leave a topic unsubscribes it', async () => {
  const { tabs, WS } = setupTabs(2, { transports: ['websocket'] });
  const [leader, follower] = tabs;
  collect(leader, 'a');
  const sub = collect(follower, 'b');
  const ws = await openWs(WS);
  await waitFor(() => ws.frames('subscribe').length === 2, 'both topics');
  ws._receive({ type: 'message', ...env('a', 'a1') });
  ws._receive({ type: 'message', ...env('b', 'b1') });
  await waitFor(() => follower.got.length === 1);
  assert.deepEqual(leader.got, ['a1']);
  assert.deepEqual(follower.got, ['b1']);
  sub.unsubscribe();
  await waitFor(() => ws.frames('unsubscribe').length === 1, 'unsubscribed on the server');
  assert.deepEqual(ws.frames('unsubscribe'), [{ type: 'unsubscribe', topic: 'b' }]);
});

test('a publish from a follower goes over the shared socket and resolves with its id', async () => {
  const { tabs, WS } = setupTabs(2, { transports: ['websocket'] });
  const [leader, follower] = tabs;
  collect(leader, 'chat');
  const ws = await openWs(WS);
  await waitFor(() => follower.rt.state === 'open');
  const p = follower.rt.publish('chat', { text: 'hi' });
  const frame = await waitFor(() => ws.frames('publish')[0], 'publish frame');
  assert.deepEqual(frame.data, { text: 'hi' });
  ws._receive({ type: 'published', topic: 'chat', id: 'k.1', ref: frame.ref });
  assert.equal(await p, 'k.1');
  const refused = follower.rt.publish('chat', 1);
  const second = await waitFor(() => ws.frames('publish')[1]);
  ws._receive({ type: 'error', code: 'forbidden', message: 'no', ref: second.ref });
  await assert.rejects(refused, (err) => err.code === 'forbidden' && err.message === 'no');
});

test('the leader closes: the next tab takes over and resumes every topic from its position', async () => {
  const { tabs, WS } = setupTabs(3, { transports: ['websocket'] });
  const [leader, b, c] = tabs;
  for (const t of tabs) collect(t, 'a');
  collect(c, 'quiet');
  const ws = await openWs(WS);
  await waitFor(() => ws.frames('subscribe').length === 2);
  ws._receive({ type: 'subscribed', topic: 'a', recovered: true, position: 'p0' });
  ws._receive({ type: 'subscribed', topic: 'quiet', recovered: true, position: 'q0' });
  ws._receive({ type: 'message', ...env('a', 'm1') });
  ws._receive({ type: 'message', ...env('a', 'm2') });
  await waitFor(() => b.got.length === 2 && c.got.length === 2);
  leader.rt.close();
  const next = await openWs(WS, 1);
  await waitFor(() => next.frames('subscribe').length === 2, 'every topic of every tab');
  assert.deepEqual(next.frames('subscribe'), [
    { type: 'subscribe', topic: 'a', since: 'm2' },
    { type: 'subscribe', topic: 'quiet', since: 'q0' },
  ]);
  next._receive({ type: 'subscribed', topic: 'a', recovered: true, position: 'm2' });
  next._receive({ type: 'message', ...env('a', 'm3') });
  await waitFor(() => b.got.length === 3 && c.got.length === 3);
  assert.deepEqual(b.got, ['m1', 'm2', 'm3']);
  assert.deepEqual(c.got, ['m1', 'm2', 'm3']);
  await waitFor(() => c.rt.state === 'open');
  assert.deepEqual(c.states, ['open', 'reconnecting', 'open']);
  assert.deepEqual(b.resets.concat(c.resets), []);
});

test('the leader crashes mid-relay: a tab that missed messages catches up with /poll since its last id', async () => {
  const { tabs, WS, fetch, browser } = setupTabs(3, { transports: ['websocket'] });
  const [leader, b, c] = tabs;
  for (const t of tabs) collect(t, 'a');
  const ws = await openWs(WS);
  await waitFor(() => ws.frames('subscribe').length === 1);
  ws._receive({ type: 'message', ...env('a', 'm1') });
  await waitFor(() => c.got.length === 1);
  browser.dropTo = (tab, msg) => tab === c.tab && msg.t === 'msg'; // c never gets m2
  ws._receive({ type: 'message', ...env('a', 'm2') });
  await waitFor(() => b.got.length === 2);
  browser.crash(leader.tab);
  leader.rt.close(); // its process is gone: nothing of it runs any more
  browser.dropTo = null;
  const next = await openWs(WS, 1); // b leads
  await waitFor(() => next.frames('subscribe').length === 1);
  assert.deepEqual(next.frames('subscribe'), [{ type: 'subscribe', topic: 'a', since: 'm2' }]);
  const catchUp = await waitFor(() => fetch.calls[0], 'c catches up');
  assert.equal(catchUp.path, '/realtime/poll');
  assert.deepEqual(catchUp.since, ['a=m1']);
  next._receive({ type: 'message', ...env('a', 'm3') }); // live, held back until c has caught up
  await tick(10);
  assert.deepEqual(c.got, ['m1']);
  catchUp.ok(reply([env('a', 'm2'), env('a', 'm3')], 'c1'));
  (await waitFor(() => fetch.calls[1], 'until an empty reply')).ok(reply([], 'c1'));
  await waitFor(() => c.got.length === 3);
  await tick(10);
  assert.deepEqual(c.got, ['m1', 'm2', 'm3']);
  assert.deepEqual(b.got, ['m1', 'm2', 'm3']);
  assert.deepEqual(c.resets, []);
});

test('a catch-up the history cannot cover is a reset', async () => {
  const { tabs, WS, fetch } = setupTabs(2, { transports: ['websocket'] });
  const [leader, b] = tabs;
  collect(leader, 'a');
  const ws = await openWs(WS);
  await waitFor(() => b.rt.state === 'open');
  ws._receive({ type: 'message', ...env('a', 'm1') });
  await waitFor(() => leader.got.length === 1);
  b.rt.subscribe('a', () => {}, { rewind: 5 }); // joins a live subscription: its rewind by /poll
  const call = await waitFor(() => fetch.calls[0]);
  assert.equal(call.url, 'http://app.test/realtime/poll?topic=a&rewind=5');
  call.ok(reply([env('a', 'm0'), env('a', 'm1')], 'c1', { recovered: false, reset: ['a'] }));
  (await waitFor(() => fetch.calls[1])).ok(reply([], 'c1'));
  await waitFor(() => b.resets.length === 1);
  assert.deepEqual(b.resets, [['a']]);
});

test('a new tab joining a live topic with rewind gets the newest messages, then live ones, once', async () => {
  const { tabs, WS, fetch, open } = setupTabs(1, { transports: ['websocket'] });
  const [leader] = tabs;
  collect(leader, 'chat', { rewind: 2 });
  const ws = await openWs(WS);
  await waitFor(() => ws.frames('subscribe').length === 1);
  assert.deepEqual(ws.frames('subscribe'), [{ type: 'subscribe', topic: 'chat', rewind: 2 }]);
  ws._receive({ type: 'subscribed', topic: 'chat', recovered: true, position: 'm0' });
  for (const id of ['m1', 'm2']) ws._receive({ type: 'message', ...env('chat', id) });
  const late = open();
  collect(late, 'chat', { rewind: 2 });
  const call = await waitFor(() => fetch.calls[0]);
  assert.equal(call.url, 'http://app.test/realtime/poll?topic=chat&rewind=2');
  ws._receive({ type: 'message', ...env('chat', 'm3') });
  call.ok(reply([env('chat', 'm1'), env('chat', 'm2'), env('chat', 'm3')], 'c1'));
  (await waitFor(() => fetch.calls[1])).ok(reply([], 'c1'));
  await waitFor(() => late.got.length === 3);
  ws._receive({ type: 'message', ...env('chat', 'm4') });
  await waitFor(() => late.got.length === 4);
  assert.deepEqual(late.got, ['m1', 'm2', 'm3', 'm4']);
  assert.equal(WS.instances.length, 1);
});

test('over SSE the shared stream is one EventSource; a new leader resumes quiet topics with the cursor', async () => {
  const { tabs, ES, WS } = setupTabs(2, { transports: ['sse', 'websocket'] });
  const [leader, b] = tabs;
  collect(leader, 'a');
  collect(b, 'a');
  const es = await waitFor(() => ES.instances[0]);
  es._open();
  es._event('ready', { topics: ['a'] }, 'c0');
  await waitFor(() => b.rt.state === 'open' && b.rt.cursor === 'c0', 'b has the cursor');
  assert.equal(b.rt.transport, 'sse');
  leader.rt.close();
  const next = await waitFor(() => ES.instances[1], 'b streams');
  assert.equal(next.cursor, 'c0', 'a quiet topic resumes from the shared cursor');
  assert.equal(ES.instances.length, 2);
  assert.equal(WS.instances.length, 0);
});

test('share: false, or no Web Locks, keeps a connection per tab', async () => {
  const { tabs, WS } = setupTabs(2, { transports: ['websocket'], share: false });
  for (const t of tabs) collect(t, 'a');
  await waitFor(() => WS.instances.length === 2, 'a socket per tab');
  const { rt, WS: WS2 } = setup({ transports: ['websocket'], BroadcastChannel: class {} }); // no locks
  rt.subscribe('a', () => {});
  await waitFor(() => WS2.instances.length === 1);
  assert.equal(typeof rt.cursor, 'object', 'a Client of its own');
  assert.ok(rt instanceof require('../src/realtime.js')._internal.Client);
});

test('a follower reports errors of the shared connection and its own refused topics only', async () => {
  const { tabs, WS } = setupTabs(2, { transports: ['websocket'] });
  const [leader, b] = tabs;
  collect(leader, 'secret');
  collect(b, 'a');
  const ws = await openWs(WS);
  await waitFor(() => ws.frames('subscribe').length === 2);
  ws._receive({ type: 'error', code: 'forbidden', message: 'no', topic: 'secret' });
  ws._serverClose(1013, 'too many connections');
  await waitFor(() => b.errors.length === 1);
  await tick(10);
  assert.deepEqual(b.errors.map((e) => [e.code, e.closeCode, e.transport]), [['closed', 1013, 'websocket']]);
  assert.deepEqual(leader.errors.map((e) => e.code), ['forbidden', 'closed']);
});

test('per-subscription events of the shared connection reach every tab that listens, by name', async () => {
  const { Realtime } = require('../testing/fakes.js');
  const Client = Realtime._internal.Client;
  const original = Client.prototype.subscribe;
  const emitters = [];
  // a connection whose subscriptions emit events of their own (as presence's 'join' would)
  Client.prototype.subscribe = function (topic, handler, options) {
    const sub = original.call(this, topic, handler, options);
    const listeners = {};
    sub.on = (name, fn) => { (listeners[name] = listeners[name] || []).push(fn); };
    emitters.push({ topic, emit: (name, ...args) => (listeners[name] || []).forEach((fn) => fn(...args)) });
    return sub;
  };
  try {
    const { tabs, WS } = setupTabs(2, { transports: ['websocket'] });
    const [leader, b] = tabs;
    const joins = { leader: [], b: [] };
    leader.rt.subscribe('room', () => {}).on('join', (who) => joins.leader.push(who));
    b.rt.subscribe('room', () => {}).on('join', (who, extra) => joins.b.push([who, extra]));
    await openWs(WS);
    await waitFor(() => emitters.length === 1, 'one subscription on the connection');
    await tick(10);
    emitters[0].emit('join', { user: 'ada' }, 2);
    await waitFor(() => joins.b.length === 1);
    assert.deepEqual(joins.leader, [{ user: 'ada' }]);
    assert.deepEqual(joins.b, [[{ user: 'ada' }, 2]]);
  } finally {
    Client.prototype.subscribe = original;
  }
});

test('a follower that crashes without a word has its topics released by the leader', async () => {
  const { tabs, WS, browser } = setupTabs(2, { transports: ['websocket'] });
  const [leader, b] = tabs;
  collect(leader, 'a');
  collect(b, 'b');
  const ws = await openWs(WS);
  await waitFor(() => ws.frames('subscribe').length === 2);
  browser.crash(b.tab); // no pagehide, no bye: only its lock goes
  await waitFor(() => ws.frames('unsubscribe').length === 1, 'released');
  assert.deepEqual(ws.frames('unsubscribe'), [{ type: 'unsubscribe', topic: 'b' }]);
  b.rt.close();
});

test('without the lock (an opaque origin) a tab keeps a connection of its own', async () => {
  const { setup } = require('../testing/fakes.js');
  class Channel { postMessage() {} close() {} }
  const locks = { request: () => Promise.reject(new DOMException('no locks here', 'SecurityError')) };
  const { rt, WS } = setup({ transports: ['websocket'], locks, BroadcastChannel: Channel });
  const got = [];
  rt.subscribe('a', (d) => got.push(d));
  const ws = await openWs(WS);
  await waitFor(() => ws.frames('subscribe').length === 1);
  ws._receive({ type: 'message', ...env('a', 'm1') });
  await waitFor(() => got.length === 1);
  assert.equal(rt.transport, 'websocket');
});

test('presence through a shared connection: the tabs are one member, news reaches the tab that asked', async () => {
  const { tabs, WS } = setupTabs(2, { transports: ['websocket'] });
  const [leader, b] = tabs;
  leader.rt.subscribe('room', () => {});
  const ws = await openWs(WS);
  await waitFor(() => ws.frames('subscribe').length === 1, 'room subscribed');
  assert.deepEqual(ws.frames('subscribe')[0], { type: 'subscribe', topic: 'room' });
  const joins = [];
  const sub = b.rt.subscribe('room', () => {}, { presence: true, info: { name: 'Bea' } });
  sub.on('join', (member) => joins.push(member.user));
  // the connection asks for news and sends the info once a tab wants them
  const again = await waitFor(() => ws.frames('subscribe')[1], 'room subscribed again with presence');
  assert.deepEqual(again, { type: 'subscribe', topic: 'room', presence: true, info: { name: 'Bea' } });
  ws._receive({ type: 'join', topic: 'room', member: { id: 'm1', user: 'ada' } });
  await waitFor(() => joins.length === 1, 'the join relayed');
  assert.deepEqual(joins, ['ada']);
  assert.throws(() => b.rt.subscribe('room', () => {}, { info: 'not an object' }), TypeError);
});

test('sub.presence() on any tab asks over the shared connection, after its subscribe', async () => {
  const { tabs, WS } = setupTabs(2, { transports: ['websocket'] });
  const [leader, b] = tabs;
  const mine = leader.rt.subscribe('room', () => {}, { presence: true, info: { name: 'Ann' } });
  const theirs = b.rt.subscribe('room', () => {});
  const ws = await openWs(WS);
  await waitFor(() => b.rt.state === 'open', 'the follower open');
  const asked = [mine.presence(), theirs.presence()];
  await waitFor(() => ws.frames('presence').length === 2, 'two presence frames on the socket');
  assert.equal(ws.frames('subscribe').length, 1);
  for (const frame of ws.frames('presence')) {
    ws._receive({ type: 'presence', topic: 'room', ref: frame.ref, members: [{ id: 'm1', info: { name: 'Ann' } }] });
  }
  const [a, c] = await Promise.all(asked);
  assert.deepEqual(a, [{ id: 'm1', info: { name: 'Ann' } }]);
  assert.deepEqual(c, a);
});

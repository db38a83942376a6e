'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { setup, waitFor } = require('../testing/fakes.js');

const ada = { id: 'c1', user: 'ada', info: { color: 'red' } };
const bob = { id: 'c2', user: 'bob' };
const param = (url, name) => new URL(url, 'http://x').searchParams.get(name);
const reply = (extra = {}) => ({ messages: [], cursor: 'c1', recovered: true, ...extra });

test('websocket: presence and info go in the subscribe frame, join and leave frames reach sub.on', async () => {
  const { rt, WS } = setup({ transports: ['websocket'] });
  const sub = rt.subscribe('chat', () => {}, { presence: true, info: { name: 'Ada' } });
  rt.subscribe('news', () => {});
  const news = [];
  sub.on('join', (member) => news.push('join ' + member.user));
  const offLeave = sub.on('leave', (member, change) => news.push('leave ' + member.user + ' ' + change.topic));
  const ws = await waitFor(() => WS.instances[0], 'websocket');
  ws._open();
  assert.deepEqual(ws.frames('subscribe'), [
    { type: 'subscribe', topic: 'chat', presence: true, info: { name: 'Ada' } },
    { type: 'subscribe', topic: 'news' },
  ]);
  ws._receive({ type: 'join', topic: 'chat', member: ada });
  ws._receive({ type: 'join', topic: 'news', member: bob });
  ws._receive({ type: 'leave', topic: 'chat', member: ada });
  offLeave();
  ws._receive({ type: 'leave', topic: 'chat', member: bob });
  assert.deepEqual(news, ['join ada', 'leave ada chat']);
  rt.close();
});

test('websocket: sub.presence() asks with a presence frame and resolves with its members', async () => {
  const { rt, WS } = setup({ transports: ['websocket'] });
  const sub = rt.subscribe('chat', () => {}, { presence: true });
  const ws = await waitFor(() => WS.instances[0], 'websocket');
  ws._open();
  const members = sub.presence();
  const asked = ws.frames('presence')[0];
  assert.equal(asked.topic, 'chat');
  ws._receive({ type: 'presence', topic: 'chat', members: [ada, bob], ref: asked.ref });
  assert.deepEqual(await members, [ada, bob]);

  const refused = sub.presence();
  ws._receive({ type: 'error', code: 'forbidden', message: 'no', ref: ws.frames('presence')[1].ref });
  await assert.rejects(refused, (err) => err.code === 'forbidden');
  rt.close();
});

test('websocket: asking for news on a topic already subscribed subscribes it again', async () => {
  const { rt, WS } = setup({ transports: ['websocket'] });
  rt.subscribe('chat', () => {});
  const ws = await waitFor(() => WS.instances[0], 'websocket');
  ws._open();
  ws._receive({ type: 'subscribed', topic: 'chat', recovered: true, position: 'p0' });
  rt.subscribe('chat', () => {}, { presence: true });
  assert.deepEqual(ws.frames('subscribe'), [
    { type: 'subscribe', topic: 'chat' },
    { type: 'subscribe', topic: 'chat', since: 'p0', presence: true },
  ]);
  rt.close();
});

test('sse: presence and info go in the URL, join and leave events reach sub.on', async () => {
  const { rt, ES } = setup({ transports: ['sse'] });
  const sub = rt.subscribe('chat', () => {}, { presence: true, info: { n: 1 } });
  const news = [];
  sub.on('join', (member) => news.push('join ' + member.id));
  sub.on('leave', (member) => news.push('leave ' + member.id));
  const es = await waitFor(() => ES.instances[0], 'event source');
  assert.equal(param(es.url, 'presence'), 'true');
  assert.equal(param(es.url, 'info'), '{"n":1}');
  assert.equal(param(es.url, 'client'), null);
  es._open();
  es._event('ready', '{"topics":["chat"]}', 'c1');
  es._event('join', { topic: 'chat', member: ada });
  es._event('leave', { topic: 'chat', member: ada });
  assert.deepEqual(news, ['join c1', 'leave c1']);
  rt.close();
});

for (const transport of ['poll', 'long-poll']) {
  test(transport + ': polls name the client, and the reply\'s presence entries reach sub.on', async () => {
    const { rt, fetch } = setup({ transports: [transport], pollInterval: 1 });
    const sub = rt.subscribe('chat', () => {}, { presence: true });
    const news = [];
    sub.on('join', (member) => news.push('join ' + member.user));
    sub.on('leave', (member) => news.push('leave ' + member.user));
    const first = await waitFor(() => fetch.calls[0]);
    const client = param(first.url, 'client');
    assert.match(client, /^[A-Za-z0-9]{1,64}$/);
    assert.equal(param(first.url, 'presence'), 'true');
    first.ok(reply({ presence: [{ type: 'join', topic: 'chat', member: ada }] }));
    const second = await waitFor(() => fetch.calls[1]);
    assert.equal(param(second.url, 'client'), client);
    second.ok(reply({ cursor: 'c2', presence: [{ type: 'leave', topic: 'chat', member: ada },
      { type: 'join', topic: 'chat', member: bob }] }));
    await waitFor(() => news.length === 3, 'news');
    assert.deepEqual(news, ['join ada', 'leave ada', 'join bob']);
    rt.close();
  });
}

test('poll: subscriptions without presence do not name the client', async () => {
  const { rt, fetch } = setup({ transports: ['poll'] });
  rt.subscribe('chat', () => {});
  const first = await waitFor(() => fetch.calls[0]);
  assert.equal(first.url, 'http://app.test/realtime/poll?topic=chat');
  rt.close();
});

test('http: sub.presence() gets the members from GET /presence, and rejects with the problem', async () => {
  const { rt, fetch } = setup({ transports: ['poll'] });
  const sub = rt.subscribe('chat', () => {}, { presence: true });
  await waitFor(() => fetch.calls[0]);
  const members = sub.presence();
  const asked = await waitFor(() => fetch.calls.find((c) => c.path === '/realtime/presence'));
  assert.equal(asked.url, 'http://app.test/realtime/presence?topic=chat');
  asked.ok({ topic: 'chat', members: [ada] });
  assert.deepEqual(await members, [ada]);

  const refused = sub.presence();
  const second = await waitFor(() => fetch.calls.filter((c) => c.path === '/realtime/presence')[1]);
  second.respond(403, { status: 403, detail: 'not allowed' }, 'application/problem+json');
  await assert.rejects(refused, (err) => err.code === 'forbidden' && err.status === 403);
  rt.close();
});

test('info must be an object, and the presence events are join and leave', () => {
  const { rt } = setup({ transports: ['poll'] });
  assert.throws(() => rt.subscribe('chat', () => {}, { info: 'me' }), TypeError);
  assert.throws(() => rt.subscribe('chat', () => {}).on('message', () => {}), TypeError);
  rt.close();
});

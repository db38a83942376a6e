'use strict';
// Tabs of one browser (pages of one context) share one connection: the server holds one, every
// page receives every message once and in order, a follower's publish gets its id back, and
// when the leading page closes another takes over without a gap. `share=false` opts out.
const test = require('node:test');
const assert = require('node:assert/strict');
const {
  freePort, startServer, publish, launchBrowser, waitForStatus, messages, waitForMessages, notices,
} = require('../support.js');

const TRANSPORTS = ['websocket', 'sse', 'long-poll', 'poll'];

/** Opens `n` chat pages in one new context (one browser profile: they share locks and channels). */
async function openTabs(browser, base, n, transport, extra = '') {
  const context = await browser.newContext({ viewport: { width: 700, height: 500 } });
  context.webSockets = 0;
  const pages = [];
  for (let i = 0; i < n; i++) {
    const page = await context.newPage();
    page.pageErrors = [];
    page.on('pageerror', (err) => page.pageErrors.push(err));
    page.on('websocket', () => context.webSockets++);
    await page.goto(base + '/?name=tab' + i + (transport ? '&transport=' + transport : '') + extra);
    pages.push(page);
  }
  for (const page of pages) await waitForStatus(page, 'open', transport);
  // a page joining the shared subscription first fetches its rewind with /poll: wait for it
  for (const page of pages) {
    await page.waitForFunction(() => !window.chat.rt.syncing || window.chat.rt.syncing.size === 0, null,
      { timeout: 30000, polling: 50 });
  }
  return { context, pages };
}

async function stats(server) {
  const res = await fetch(server.url + '/stats', { signal: AbortSignal.timeout(5000) });
  return res.json();
}

/** The page holding the shared connection. */
async function leaderOf(pages) {
  for (const page of pages) {
    if (await page.evaluate(() => !!window.chat.rt.relay)) return page;
  }
  return null;
}

/** Publishes `count` messages `<label> <i>` straight to the server, in order; returns the texts. */
async function publishMany(server, label, count, from = 0) {
  const texts = [];
  for (let i = from; i < from + count; i++) {
    const text = label + ' ' + i;
    await publish(server, { user: 'server-side', text });
    texts.push(text);
  }
  return texts;
}

async function shown(page, label) {
  return (await messages(page)).filter((text) => text.startsWith(label + ' '));
}

/** Every page shows exactly `texts` of this label, once each and in order, and no reset. */
async function assertAllReceived(pages, label, texts) {
  for (const page of pages) await waitForMessages(page, texts, 60000);
  for (const page of pages) {
    assert.deepEqual(await shown(page, label), texts, 'every message once, in order');
    assert.deepEqual(await notices(page, 'reset'), []);
    assert.deepEqual(page.pageErrors, []);
  }
}

test('tabs of one browser share one connection', async (t) => {
  // Every page and this test publish from 127.0.0.1: one client for the per-client limits.
  const server = await startServer(await freePort(), ['--realtime.limits.enabled=false']);
  t.after(() => server.stop());
  const browser = await launchBrowser();
  t.after(() => browser.close());

  for (const transport of TRANSPORTS) {
    await t.test('8 pages over ' + transport + ': one connection, 200 messages each, once, in order', async () => {
      const { context, pages } = await openTabs(browser, server.url, 8, transport);
      try {
        assert.ok(await leaderOf(pages), 'one page leads');
        const label = 'eight-' + transport;
        if (transport === 'poll') {
          // no held connection: the server sees one page's polls (one a second), not eight
          const before = (await stats(server)).requests.poll || 0;
          await new Promise((r) => setTimeout(r, 3000));
          const polls = ((await stats(server)).requests.poll || 0) - before;
          assert.ok(polls <= 6, polls + ' polls in 3 s');
        } else {
          const open = (await stats(server)).connections;
          // a long poll is held between replies only: one or none
          if (transport === 'long-poll') assert.ok(open[transport] <= 1, JSON.stringify(open));
          else assert.equal(open[transport], 1, JSON.stringify(open));
          for (const other of ['websocket', 'sse']) if (other !== transport) assert.equal(open[other], 0, other);
        }
        assert.equal(context.webSockets, transport === 'websocket' ? 1 : 0, 'WebSockets opened by all pages');
        await assertAllReceived(pages, label, await publishMany(server, label, 200));
        if (transport === 'websocket' || transport === 'sse') {
          assert.equal((await stats(server)).connections[transport], 1, 'still one connection');
        }
      } finally {
        await context.close();
      }
    });
  }

  for (const transport of TRANSPORTS) {
    await t.test('the leading page closes while messages are published over ' + transport, async () => {
      const { context, pages } = await openTabs(browser, server.url, 4, transport);
      try {
        const label = 'takeover-' + transport;
        const first = await publishMany(server, label, 100);
        const leader = await leaderOf(pages);
        const rest = pages.filter((page) => page !== leader);
        for (const page of rest) {
          await page.evaluate(() => { window.states = []; window.chat.rt.on('state', (s) => window.states.push(s)); });
        }
        await Promise.all([
          leader.close(),
          publishMany(server, label, 100, 100),
        ]).then(([, second]) => assertAllReceived(rest, label, first.concat(second)));
        assert.ok(await leaderOf(rest), 'another page leads');
        for (const page of rest) {
          await waitForStatus(page, 'open', transport);
          // what a follower sees when the leader goes
          assert.deepEqual(await page.evaluate(() => window.states), ['reconnecting', 'open']);
        }
        if (transport === 'websocket' || transport === 'sse') {
          assert.equal((await stats(server)).connections[transport], 1, 'one connection again');
        }
      } finally {
        await context.close();
      }
    });
  }

  await t.test('a follower publishes: it gets its id back and every page receives it', async () => {
    const { context, pages } = await openTabs(browser, server.url, 3, 'websocket');
    try {
      const leader = await leaderOf(pages);
      const follower = pages.find((page) => page !== leader);
      const id = await follower.evaluate(() => window.chat.rt.publish('chat', { user: 'tab', text: 'from a follower' }));
      assert.match(id, /\S/);
      for (const page of pages) {
        await waitForMessages(page, ['from a follower']);
        assert.equal(await page.locator('#messages li.message[data-id="' + id + '"] .text').textContent(),
          'from a follower');
      }
    } finally {
      await context.close();
    }
  });

  await t.test('share=false gives each page its own connection', async () => {
    const { context, pages } = await openTabs(browser, server.url, 3, 'websocket', '&share=false');
    try {
      assert.equal(await leaderOf(pages), null);
      assert.equal((await stats(server)).connections.websocket, 3);
      assert.equal(context.webSockets, 3);
      const label = 'unshared';
      await assertAllReceived(pages, label, await publishMany(server, label, 20));
    } finally {
      await context.close();
    }
  });
});

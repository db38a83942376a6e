'use strict';
// Who is online: the chat page lists the people on the chat (presence), and the list changes as
// pages come and go, whatever transport each page uses.
const test = require('node:test');
const assert = require('node:assert/strict');
const { freePort, startServer, launchBrowser, openChat } = require('../support.js');

/** The names the page shows as online, sorted. */
function online(page) {
  return page.evaluate(() => Array.from(document.querySelectorAll('#people .person'), (e) => e.dataset.name));
}

async function waitForOnline(page, names, timeout = 20000) {
  await page.waitForFunction((wanted) => {
    const shown = Array.from(document.querySelectorAll('#people .person'), (e) => e.dataset.name);
    return shown.length === wanted.length && wanted.every((name, i) => shown[i] === name);
  }, names, { timeout, polling: 100 });
}

test('the online list changes as pages come and go, on every transport', async (t) => {
  // a polling page that is gone leaves once its polls stop coming for this long
  const server = await startServer(await freePort(), ['--realtime.presence.poll-timeout=2s']);
  t.after(() => server.stop());
  const browser = await launchBrowser();
  t.after(() => browser.close());

  const ann = await openChat(browser, server.url, 'ann', 'websocket');
  t.after(() => ann.context().close());
  await waitForOnline(ann, ['ann']);

  const others = [['ben', 'sse'], ['cat', 'long-poll'], ['dan', 'poll']];
  const pages = {};
  for (const [name, transport] of others) {
    pages[name] = await openChat(browser, server.url, name, transport);
  }
  await waitForOnline(ann, ['ann', 'ben', 'cat', 'dan']);
  // every page sees everyone, itself included, whatever its transport
  for (const [name] of others) {
    await waitForOnline(pages[name], ['ann', 'ben', 'cat', 'dan']);
  }
  assert.equal(await ann.locator('#people .person.me').textContent(), 'ann');

  // a second tab of one person is one more member with the same name
  const ann2 = await openChat(browser, server.url, 'ann', 'sse');
  await waitForOnline(pages.dan, ['ann', 'ben', 'cat', 'dan']);
  await pages.dan.waitForFunction(() => document.querySelector('#people [data-name="ann"]').textContent === 'ann \u00d72',
    null, { timeout: 20000, polling: 100 });
  await ann2.context().close();

  // pages that go: a stream or socket at once, a polling page after the poll timeout
  for (const [name] of others) {
    await pages[name].context().close();
  }
  await waitForOnline(ann, ['ann']);
  await ann.waitForFunction(() => document.querySelector('#people [data-name="ann"]').textContent === 'ann',
    null, { timeout: 20000, polling: 100 });
  assert.deepEqual(await online(ann), ['ann']);
  assert.deepEqual(ann.pageErrors, []);
});

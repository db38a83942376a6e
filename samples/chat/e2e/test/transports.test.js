'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const {
  TARGET, freePort, startServer, launchBrowser, openChat, waitForStatus, say, messages, waitForMessages,
} = require('../support.js');

test('two pages chat over each transport, forced in turn with the picker', async (t) => {
  const server = await startServer(await freePort());
  t.after(() => server.stop());
  const browser = await launchBrowser();
  t.after(() => browser.close());

  const alice = await openChat(browser, server.url, 'alice');
  const bob = await openChat(browser, server.url, 'bob');
  await waitForStatus(alice, 'open', 'websocket'); // auto starts with the best transport
  assert.match(await alice.locator('#status').innerText(), /websocket · open \(auto\)/);

  const expected = [];
  for (const transport of ['websocket', 'sse', 'long-poll', 'poll']) {
    for (const page of [alice, bob]) await page.selectOption('#transport', transport);
    for (const page of [alice, bob]) {
      await waitForStatus(page, 'open', transport);
      assert.match(await page.locator('#status').innerText(), new RegExp(transport + ' · open \\(forced\\)'));
    }
    const hello = 'hello over ' + transport;
    const reply = 'hi alice, ' + transport + ' here';
    await say(alice, hello);
    await waitForMessages(bob, [hello]);
    await say(bob, reply);
    expected.push(hello, reply);
    // Both pages, the sender's own copy included, before the next switch starts anew.
    for (const page of [alice, bob]) await waitForMessages(page, [hello, reply]);
    for (const page of [alice, bob]) {
      assert.equal(page.openWebSockets, transport === 'websocket' ? 1 : 0,
        transport + ': one WebSocket while it is used, none after switching away');
    }
  }

  for (const page of [alice, bob]) {
    assert.deepEqual(await messages(page), expected, 'every message once, in order');
    assert.deepEqual(page.pageErrors, []);
  }
  // The switches show as notices between the messages.
  assert.equal(await alice.locator('#messages li.notice.switch').count(), 4);
  await alice.screenshot({ path: path.join(TARGET, 'chat.png') });
});

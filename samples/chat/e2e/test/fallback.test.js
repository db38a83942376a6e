'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const {
  freePort, startServer, launchBrowser, openChat, waitForStatus, say, messages, waitForMessages,
} = require('../support.js');

async function chatsInAutoOver(t, serverArgs, transport) {
  const server = await startServer(await freePort(), serverArgs);
  t.after(() => server.stop());
  const browser = await launchBrowser();
  t.after(() => browser.close());
  const alice = await openChat(browser, server.url, 'alice');
  const bob = await openChat(browser, server.url, 'bob');
  for (const page of [alice, bob]) {
    await waitForStatus(page, 'open', transport);
    assert.match(await page.locator('#status').innerText(), new RegExp(transport + ' · open \\(auto\\)'));
  }
  await say(alice, 'anyone there?');
  await waitForMessages(bob, ['anyone there?']);
  await say(bob, 'yes, over ' + transport);
  for (const page of [alice, bob]) {
    await waitForMessages(page, ['anyone there?', 'yes, over ' + transport]);
    assert.deepEqual(await messages(page), ['anyone there?', 'yes, over ' + transport]);
    assert.equal(page.openWebSockets, 0);
    assert.deepEqual(page.pageErrors, []);
  }
}

test('with WebSocket switched off on the server, auto falls back to SSE and delivers', async (t) => {
  await chatsInAutoOver(t, ['--realtime.websocket.enabled=false'], 'sse');
});

test('with WebSocket and SSE switched off, auto falls back to long polling and delivers', async (t) => {
  await chatsInAutoOver(t, ['--realtime.websocket.enabled=false', '--realtime.sse.enabled=false'], 'long-poll');
});

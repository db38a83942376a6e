'use strict';
// The server process is stopped and started again on the same port while pages are
// subscribed, one per transport. The in-memory broker starts with an empty history, so the
// pages cannot resume without a gap: they must reconnect by themselves, say so (reset), and
// show what is published after the restart, once.
const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const {
  TARGET, freePort, startServer, launchBrowser, openChat, waitForStatus, say, messages, waitForMessages, notices,
} = require('../support.js');

const TRANSPORTS = ['websocket', 'sse', 'long-poll', 'poll'];
// History that dies with the process (a jar built with -Predis would default to Redis).
const IN_MEMORY = ['--realtime.broker.type=memory'];

test('pages reconnect by themselves after a server restart, surface the reset and go on', async (t) => {
  const port = await freePort();
  let server = await startServer(port, IN_MEMORY);
  t.after(() => server.stop());
  const browser = await launchBrowser();
  t.after(() => browser.close());

  const pages = [];
  for (const transport of TRANSPORTS) pages.push(await openChat(browser, server.url, 'erin-' + transport, transport));
  await say(pages[0], 'before the restart');
  for (const page of pages) await waitForMessages(page, ['before the restart']);

  const stopped = await server.stop();
  assert.notEqual(stopped.signal, 'SIGKILL', 'the server shut down gracefully');
  for (const page of pages) await waitForStatus(page, 'reconnecting', null, 15000);
  server = await startServer(port, IN_MEMORY);

  for (let i = 0; i < pages.length; i++) {
    await waitForStatus(pages[i], 'open', TRANSPORTS[i], 60000);
    await pages[i].locator('#messages li.notice.reset').first().waitFor({ timeout: 30000 })
      .catch((err) => { throw new Error(TRANSPORTS[i] + ': no reset notice: ' + err.message); });
  }
  await say(pages[1], 'after the restart');
  for (const page of pages) {
    await waitForMessages(page, ['after the restart']);
    const shown = await messages(page);
    assert.equal(shown.filter((m) => m === 'after the restart').length, 1, 'once');
    assert.equal(shown.filter((m) => m === 'before the restart').length, 1, 'not replayed');
    assert.equal(shown[0], 'before the restart');
    assert.equal(shown.at(-1), 'after the restart');
    assert.match((await notices(page, 'reset'))[0], /History could not cover the gap on chat/);
    assert.deepEqual(page.pageErrors, []);
  }
  await pages[0].screenshot({ path: path.join(TARGET, 'chat-after-restart.png') });
});

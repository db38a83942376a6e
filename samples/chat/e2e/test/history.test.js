'use strict';
// A page opened on a chat that already has messages shows the newest of them (rewind), then
// live ones, each once and in order, on every transport.
const test = require('node:test');
const assert = require('node:assert/strict');
const {
  freePort, startServer, publish, launchBrowser, openChat, messages, waitForMessages,
} = require('../support.js');

test('a page opens with the newest 50 messages of the chat, then live ones, on every transport', async (t) => {
  // 55 publishes at once from one address: over the sample's per-client publish rate
  const server = await startServer(await freePort(), ['--realtime.limits.enabled=false']);
  t.after(() => server.stop());
  const browser = await launchBrowser();
  t.after(() => browser.close());
  const earlier = [];
  for (let i = 1; i <= 55; i++) {
    earlier.push('earlier ' + i);
    await publish(server, { user: 'dave', text: 'earlier ' + i });
  }
  const newest = earlier.slice(-50);

  for (const transport of ['websocket', 'sse', 'long-poll', 'poll']) {
    await t.test(transport, async () => {
      const page = await openChat(browser, server.url, 'erin', transport);
      try {
        await waitForMessages(page, newest);
        const live = 'live over ' + transport;
        await publish(server, { user: 'dave', text: live });
        await waitForMessages(page, [live]);
        assert.deepEqual(await messages(page), newest.concat(live), 'the newest 50, then live, each once');
        assert.deepEqual(page.pageErrors, []);
      } finally {
        await page.context().close();
      }
      // the next page's newest 50 include this one
      earlier.push('live over ' + transport);
      newest.splice(0, newest.length, ...earlier.slice(-50));
    });
  }
});

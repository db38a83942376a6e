'use strict';
// The connection is cut (a TCP proxy between browser and server resets every connection and
// refuses new ones) while messages are published straight to the server. The page must
// reconnect by itself and show each missed message exactly once, in order, without a reset.
const test = require('node:test');
const assert = require('node:assert/strict');
const {
  freePort, startServer, startProxy, publish, launchBrowser, openChat, waitForStatus, waitForPosition, messages,
  waitForMessages, notices,
} = require('../support.js');

test('a page whose connection is cut reconnects by itself and receives what it missed, exactly once', async (t) => {
  const server = await startServer(await freePort());
  t.after(() => server.stop());
  const browser = await launchBrowser();
  t.after(() => browser.close());

  const all = []; // every message published, across the transports
  for (const transport of ['websocket', 'sse', 'long-poll', 'poll']) {
    await t.test(transport, async () => {
      const proxy = await startProxy(server.port);
      let page = null;
      try {
        page = await openChat(browser, proxy.url, 'carol', transport);
        await waitForPosition(page);
        // the page opens with the newest messages of history (the earlier transports' ones)
        const before = all.slice(-50);
        await waitForMessages(page, before);
        const sent = [];
        const away = async (...texts) => {
          await proxy.cut();
          await waitForStatus(page, 'reconnecting', null, 15000);
          for (const text of texts) {
            await publish(server, { user: 'dave', text });
            sent.push(text);
            all.push(text);
          }
          await proxy.restore();
          await waitForStatus(page, 'open', transport);
          await waitForMessages(page, texts);
        };
        const live = async (text) => {
          await publish(server, { user: 'dave', text });
          sent.push(text);
          all.push(text);
          await waitForMessages(page, [text]);
        };

        // Cut before the page has had any message: the topic is positioned all the same
        // (SSE `ready`, WebSocket `subscribed.position`, the poll cursor).
        await away(transport + ' away 1', transport + ' away 2', transport + ' away 3');
        await live(transport + ' live 1');
        // Cut again, now positioned by the last message received.
        await away(transport + ' away 4', transport + ' away 5');
        // Anything still in flight precedes this one on the connection: no late duplicate.
        await live(transport + ' live 2');

        assert.deepEqual(await messages(page), before.concat(sent), 'nothing lost, nothing twice, in order');
        assert.deepEqual(await notices(page, 'reset'), [], 'history covered the gap');
        assert.deepEqual(page.pageErrors, []);
      } finally {
        if (page) await page.context().close();
        await proxy.close();
      }
    });
  }
});

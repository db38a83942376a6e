'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');
const { freePort, startServer, launchBrowser, openChat, say, waitForMessages } = require('../support.js');

// A page on another site posts to /publish the two ways that need no CORS preflight, so a
// browser sends them with the visitor's cookies: an auto-submitted text/plain form and a
// no-cors fetch. The server must refuse both (403) and publish nothing, while the chat page
// itself, on the server's own origin, still publishes over HTTP.

/** The attacker's page, served from http://evil.test:<port> (mapped to 127.0.0.1 in Chromium). */
function attackPage(target) {
  const action = target + '/realtime/publish?topic=chat';
  return `<!doctype html><title>win a prize</title>
<iframe name="sink"></iframe>
<form id="form" method="post" enctype="text/plain" target="sink" action="${action}">
  <input name='{"user":"mallory","text":"forged by a form","x":"' value='"}'>
</form>
<script>
  fetch(${JSON.stringify(action)}, { method: 'POST', mode: 'no-cors', credentials: 'include',
    headers: { 'Content-Type': 'text/plain' }, body: 'forged by a fetch' });
  document.getElementById('form').submit();
</script>`;
}

async function startSite(html) {
  const port = await freePort();
  const server = http.createServer((req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(html);
  });
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { port, close: () => new Promise((resolve) => server.close(resolve)) };
}

/** Messages on the chat topic after `cursor`, read over HTTP as any client would. */
async function chatAfter(server, cursor) {
  const res = await fetch(server.url + '/realtime/poll?topic=chat&cursor=' + encodeURIComponent(cursor),
    { signal: AbortSignal.timeout(10000) });
  assert.equal(res.status, 200);
  return (await res.json()).messages.map((m) => m.data);
}

test('a page on another site cannot publish; the chat page on its own origin can', async (t) => {
  const server = await startServer(await freePort());
  t.after(() => server.stop());
  const site = await startSite(attackPage(server.url));
  t.after(() => site.close());
  const browser = await launchBrowser(['--host-resolver-rules=MAP evil.test 127.0.0.1']);
  t.after(() => browser.close());

  const start = await fetch(server.url + '/realtime/poll?topic=chat', { signal: AbortSignal.timeout(10000) });
  const { cursor } = await start.json();
  const alice = await openChat(browser, server.url, 'alice', 'poll'); // publishes over HTTP POST

  const context = await browser.newContext();
  const evil = await context.newPage();
  const refused = [];
  evil.on('response', (res) => {
    if (res.url().includes('/realtime/publish')) refused.push(res.status());
  });
  const bothAnswered = new Promise((resolve) => {
    evil.on('response', () => { if (refused.length === 2) resolve(); });
  });
  await evil.goto('http://evil.test:' + site.port + '/');
  await Promise.race([bothAnswered, new Promise((_, reject) => setTimeout(
    () => reject(new Error('the attack page sent ' + refused.length + ' of 2 publishes')), 15000))]);
  assert.deepEqual(refused, [403, 403], 'the form and the no-cors fetch are refused');

  await say(alice, 'only this one');
  await waitForMessages(alice, ['only this one']);
  assert.deepEqual(await chatAfter(server, cursor), [{ user: 'alice', text: 'only this one' }],
    'nothing from the other site was published');
  assert.deepEqual(alice.pageErrors, []);
});

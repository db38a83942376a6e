'use strict';
// What the browser tests share: the sample app as a real process, headless Chromium, a TCP proxy
// that can cut connections, and ways to drive and read the chat page. Every wait is bounded.

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');
const { chromium } = require('playwright-core');

const TARGET = path.resolve(__dirname, '..', 'target');
const JAR = process.env.CHAT_JAR || path.join(TARGET, 'realtime-sample-chat-0.1.0-SNAPSHOT.jar');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const LOGS = path.join(TARGET, 'e2e');

/** The flags this machine's Chromium needs; Playwright adds a fresh --user-data-dir. */
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** A port nothing listens on right now. */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function until(what, timeout, check) {
  const end = Date.now() + timeout;
  for (;;) {
    if (await check()) return;
    if (Date.now() > end) throw new Error('timed out after ' + timeout + ' ms waiting for ' + what);
    await new Promise((r) => setTimeout(r, 100));
  }
}

let launches = 0;

/**
 * Starts the sample jar on `port` with extra arguments and resolves once it serves the client.
 * Its output goes to target/e2e/<name>.log, whose tail is part of any start-up error.
 */
async function startServer(port, args = []) {
  if (!fs.existsSync(JAR)) {
    throw new Error(JAR + ' is missing: build it first (./mvnw -pl samples/chat package)');
  }
  fs.mkdirSync(LOGS, { recursive: true });
  const log = path.join(LOGS, 'server-' + port + '-' + (++launches) + '.log');
  const out = fs.openSync(log, 'w');
  const child = spawn('java', ['-jar', JAR, '--server.port=' + port, '--server.address=127.0.0.1', ...args],
    { stdio: ['ignore', out, out] });
  fs.closeSync(out);
  let exited = null;
  const exit = new Promise((resolve) => child.on('exit', (code, signal) => { exited = { code, signal }; resolve(exited); }));
  const server = {
    port, log, child,
    url: 'http://127.0.0.1:' + port,
    /** SIGTERM (a graceful shutdown), then SIGKILL if it takes longer than `timeout`. */
    async stop(timeout = 30000) {
      if (exited) return exited;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeout);
      const result = await exit;
      clearTimeout(timer);
      return result;
    },
  };
  try {
    await until('the chat app on port ' + port, 180000, async () => {
      if (exited) throw new Error('the chat app exited (' + JSON.stringify(exited) + ')');
      try {
        const res = await fetch(server.url + '/realtime/client.js', { signal: AbortSignal.timeout(2000) });
        return res.ok;
      } catch (e) {
        return false; // not listening yet
      }
    });
  } catch (err) {
    await server.stop(5000);
    throw new Error(err.message + '\n--- ' + log + ' ---\n' + tail(log));
  }
  return server;
}

function tail(file, lines = 40) {
  try { return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n'); } catch (e) { return ''; }
}

/** POSTs to the chat topic directly, as server-side code or curl would. */
async function publish(server, data) {
  const res = await fetch(server.url + '/realtime/publish?topic=chat', {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(data),
    signal: AbortSignal.timeout(10000),
  });
  if (res.status !== 202) throw new Error('publish answered ' + res.status + ': ' + await res.text());
  return (await res.json()).id;
}

/**
 * A TCP proxy from `port` to `targetPort`. cut() resets every connection and stops listening,
 * as a lost network would; restore() listens on the same port again.
 */
async function startProxy(targetPort) {
  const port = await freePort();
  const sockets = new Set();
  let server = null;
  const track = (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); };
  const listen = () => new Promise((resolve, reject) => {
    server = net.createServer((client) => {
      const upstream = net.connect(targetPort, '127.0.0.1');
      track(client);
      track(upstream);
      client.pipe(upstream);
      upstream.pipe(client);
      client.on('error', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
    });
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  await listen();
  return {
    port,
    url: 'http://127.0.0.1:' + port,
    get connections() { return sockets.size / 2; },
    async cut() {
      const closed = new Promise((resolve) => server.close(resolve));
      for (const s of sockets) s.resetAndDestroy();
      sockets.clear();
      await closed;
    },
    restore: listen,
    async close() {
      const closed = new Promise((resolve) => (server.listening ? server.close(resolve) : resolve()));
      for (const s of sockets) s.destroy();
      await closed;
    },
  };
}

/** Headless Chromium; `args` adds flags, e.g. --host-resolver-rules for a second site. */
function launchBrowser(args = []) {
  if (!fs.existsSync(CHROMIUM)) throw new Error(CHROMIUM + ' is missing: apt-get install -y chromium');
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: [...CHROMIUM_ARGS, ...args] });
}

/**
 * Opens the chat page as `name` in a browser context of its own (its own connections), with
 * `transport` forced through the page's URL, and waits until it is connected.
 */
async function openChat(browser, base, name, transport) {
  const context = await browser.newContext({ viewport: { width: 900, height: 640 } });
  const page = await context.newPage();
  page.pageErrors = [];
  page.on('pageerror', (err) => page.pageErrors.push(err));
  page.openWebSockets = 0;
  page.on('websocket', (ws) => {
    page.openWebSockets++;
    ws.on('close', () => page.openWebSockets--);
  });
  const query = '?name=' + encodeURIComponent(name) + (transport ? '&transport=' + transport : '');
  await page.goto(base + '/' + query);
  await waitForStatus(page, 'open', transport);
  return page;
}

/** Waits until the page's status line shows `state` (and `transport`, when given). */
async function waitForStatus(page, state, transport, timeout = 30000) {
  const selector = '#status[data-state="' + state + '"]' + (transport ? '[data-transport="' + transport + '"]' : '');
  await page.locator(selector).waitFor({ timeout });
}

/**
 * Waits until the page's client holds a position for the chat topic: the WebSocket `subscribed`
 * frame or the SSE `ready` event has arrived (polling has one from its first reply). Before
 * that, one round trip after the connection opens, there is nothing to resume from: a cut in
 * that moment restarts the subscription "now". Reads the client's state, which no page shows.
 */
async function waitForPosition(page, timeout = 15000) {
  await page.waitForFunction(() => window.chat.rt.lastIds.has('chat') || !!window.chat.rt.cursor, null,
    { timeout, polling: 50 });
}

/** Types and sends a message the way a person does. */
async function say(page, text) {
  await page.locator('#text').fill(text);
  await page.locator('#text').press('Enter');
}

/**
 * The texts of the messages on the page, in the order shown, but for the sample's announcement
 * of its own start (published from Java), which a page opening with the newest messages shows.
 */
async function messages(page) {
  const texts = await page.locator('#messages li.message .text').allTextContents();
  return texts.filter((text) => !text.startsWith('chat server started at '));
}

/** Waits until every one of `texts` is on the page. */
async function waitForMessages(page, texts, timeout = 30000) {
  await page.waitForFunction((wanted) => {
    const shown = Array.from(document.querySelectorAll('#messages li.message .text'), (e) => e.textContent);
    return wanted.every((t) => shown.includes(t));
  }, texts, { timeout, polling: 100 });
}

/** The notices of a kind ('reset', 'switch', 'error') on the page. */
function notices(page, kind) {
  return page.locator('#messages li.notice.' + kind).allTextContents();
}

module.exports = {
  TARGET, freePort, startServer, publish, startProxy, launchBrowser, openChat, waitForStatus, waitForPosition, say,
  messages, waitForMessages, notices, tail,
};

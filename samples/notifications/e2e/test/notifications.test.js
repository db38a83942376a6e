'use strict';
// The sample as a user tries it: alice and bob sign in (each in a browser context of their own,
// alice twice), bob sends alice a notification and every page of alice's shows it, bob's not.

const test = require('node:test');
const assert = require('node:assert');
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');
const { chromium } = require('playwright-core');

const JAR = process.env.NOTIFICATIONS_JAR
  || path.resolve(__dirname, '..', '..', 'target', 'realtime-sample-notifications-0.1.0-SNAPSHOT.jar');

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer().on('error', reject);
    server.listen(0, '127.0.0.1', () => { const { port } = server.address(); server.close(() => resolve(port)); });
  });
}

async function until(what, timeout, check) {
  const end = Date.now() + timeout;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out after ' + timeout + ' ms waiting for ' + what);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function signIn(browser, base, name) {
  const page = await (await browser.newContext()).newPage();
  await page.goto(base + '/');
  await page.fill('input[name=username]', name);
  await page.fill('input[name=password]', name);
  await page.click('button[type=submit]');
  await page.waitForSelector('#me:text-is("' + name + '")', { timeout: 15000 });
  await page.waitForFunction(() => document.getElementById('state').textContent.startsWith('open'), null,
    { timeout: 15000 });
  return page;
}

test('a notification reaches every page of its user and no one else', async () => {
  assert.ok(fs.existsSync(JAR), JAR + ' is missing: build it first (./mvnw -pl samples/notifications -am package)');
  const port = await freePort();
  const log = path.join(path.dirname(JAR), 'e2e-server.log');
  const out = fs.openSync(log, 'w');
  const server = spawn('java', ['-jar', JAR, '--server.port=' + port, '--server.address=127.0.0.1'],
    { stdio: ['ignore', out, out] });
  const base = 'http://127.0.0.1:' + port;
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run'] });
  try {
    await until('the sample on port ' + port, 120000, () => fetch(base + '/login').then((r) => r.ok, () => false));
    const alice = await signIn(browser, base, 'alice');
    const aliceAgain = await signIn(browser, base, 'alice');
    const bob = await signIn(browser, base, 'bob');

    await bob.selectOption('select[name=to]', 'alice');
    await bob.fill('input[name=text]', 'lunch at noon?');
    await bob.click('#send button');
    for (const page of [alice, aliceAgain]) {
      await page.waitForSelector('#list li:has-text("lunch at noon?")', { timeout: 10000 });
    }
    await bob.selectOption('select[name=to]', 'bob');
    await bob.fill('input[name=text]', 'note to self');
    await bob.click('#send button');
    await bob.waitForSelector('#list li:has-text("note to self")', { timeout: 10000 });
    assert.deepStrictEqual(await bob.$$eval('#list li', (items) => items.length), 1);
    assert.deepStrictEqual(await alice.$$eval('#list li', (items) => items.length), 1);

    // a page opened later shows what was sent before (rewind)
    const aliceLater = await signIn(browser, base, 'alice');
    await aliceLater.waitForSelector('#list li:has-text("lunch at noon?")', { timeout: 10000 });
  } finally {
    await browser.close();
    server.kill('SIGTERM');
    fs.closeSync(out);
  }
});

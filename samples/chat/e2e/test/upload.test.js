'use strict';
// Resumable uploads (tus 1.0, issue 15) in Chromium through a throttled TCP proxy that cuts
// connections: the real tus-js-client (4.3.1, from this package's lockfile) and the served
// client's rt.upload each finish a 50 MB upload interrupted three times with the very bytes sent
// (SHA-256 against the server's stored file), and resume after a page reload from the server's
// offset, not from zero. Four more pages, one per transport, follow rt.upload's progress on the
// upload's topic.
const test = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { freePort, startServer, launchBrowser, waitForStatus } = require('../support.js');

const SIZE = 50 * 1024 * 1024;
/** Bytes per second the proxy lets through towards the server: a 50 MB upload takes ~2.5 s. */
const RATE = 20 * 1024 * 1024;
const TUS = require.resolve('tus-js-client/dist/tus.min.js');

test('uploads resume byte-identically after cut connections and page reloads', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'realtime-e2e-uploads-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'big.bin');
  const sha256 = writeRandomFile(file, SIZE);
  const storage = path.join(dir, 'storage');
  const server = await startServer(await freePort(), ['--realtime.upload.directory=' + storage]);
  t.after(() => server.stop());
  const proxy = await startThrottledProxy(server.port, RATE);
  t.after(() => proxy.close());
  const browser = await launchBrowser();
  t.after(() => browser.close());
  const stored = (id) => sha256Of(path.join(storage, id));
  const offsetOf = (id) => serverOffset(server, id);

  await t.test('tus-js-client: three cuts', async () => {
    const page = await uploadPage(browser, proxy.url);
    try {
      await startTus(page, file);
      const id = await uploadId(page, () => window.tusState.url);
      await cutThreeTimes(proxy, offsetOf, id);
      await page.waitForFunction(() => window.tusState.done || window.tusState.error, null, { timeout: 120000 });
      assert.equal(await page.evaluate(() => window.tusState.error), null);
      assert.equal(stored(id), sha256, 'the stored file is the file sent');
      assert.equal(page.requests.filter((r) => r.method === 'POST').length, 1, 'one upload, resumed, never restarted');
      assert.ok(page.requests.filter((r) => r.method === 'PATCH' && r.offset > 0).length >= 3, 'PATCHes went on mid-way');
    } finally {
      await page.context().close();
    }
  });

  await t.test('tus-js-client: a reload mid-way resumes from the server\'s offset', async () => {
    const page = await uploadPage(browser, proxy.url);
    try {
      await startTus(page, file);
      const id = await uploadId(page, () => window.tusState.url);
      const before = await reloadMidWay(page, offsetOf, id, proxy);
      await startTus(page, file);
      await page.waitForFunction(() => window.tusState.done || window.tusState.error, null, { timeout: 120000 });
      assert.equal(await page.evaluate(() => window.tusState.error), null);
      assertResumed(page, before);
      assert.equal(stored(id), sha256);
    } finally {
      await page.context().close();
    }
  });

  await t.test('rt.upload: three cuts, progress on the upload\'s topic over every transport', async () => {
    const watchers = [];
    for (const transport of ['websocket', 'sse', 'long-poll', 'poll']) {
      const context = await browser.newContext();
      const watcher = await context.newPage();
      await watcher.goto(server.url + '/upload.html?transport=' + transport);
      await waitForStatus(watcher, 'open', transport);
      watchers.push(watcher);
    }
    const page = await uploadPage(browser, proxy.url);
    try {
      await page.locator('#file').setInputFiles(file);
      await page.locator('#start').click();
      const id = await uploadId(page, () => window.uploadsPage.current);
      await cutThreeTimes(proxy, offsetOf, id);
      await page.waitForFunction(() => window.uploadsPage.result || window.uploadsPage.error, null, { timeout: 120000 });
      assert.equal(await page.evaluate(() => window.uploadsPage.error && String(window.uploadsPage.error)), null);
      assert.equal(await page.evaluate(() => window.uploadsPage.result.id), id);
      assert.equal(stored(id), sha256);
      assert.equal(page.requests.filter((r) => r.method === 'POST').length, 1);
      for (const watcher of watchers) {
        await watcher.waitForFunction((upload) => window.uploadsPage.processed[upload], id, { timeout: 30000 });
        const seen = await watcher.evaluate((upload) => ({
          progress: window.uploadsPage.progress[upload], processed: window.uploadsPage.processed[upload],
        }), id);
        const offsets = seen.progress.map((p) => p.offset);
        assert.ok(offsets.length >= 3, 'progress messages arrived: ' + offsets.length);
        assert.deepEqual(offsets, offsets.slice().sort((a, b) => a - b), 'offsets only grow');
        assert.deepEqual(seen.progress.at(-1), { id, offset: SIZE, length: SIZE, complete: true });
        assert.equal(seen.processed.sha256, sha256, 'the completion hook saw the same bytes');
      }
    } finally {
      await page.context().close();
      for (const watcher of watchers) await watcher.context().close();
    }
  });

  await t.test('rt.upload: a reload mid-way resumes from the server\'s offset', async () => {
    const page = await uploadPage(browser, proxy.url);
    try {
      await page.locator('#file').setInputFiles(file);
      await page.locator('#start').click();
      const id = await uploadId(page, () => window.uploadsPage.current);
      const before = await reloadMidWay(page, offsetOf, id, proxy);
      await page.locator('#file').setInputFiles(file);
      await page.locator('#start').click();
      await page.waitForFunction(() => window.uploadsPage.result || window.uploadsPage.error, null, { timeout: 120000 });
      assert.equal(await page.evaluate(() => window.uploadsPage.error && String(window.uploadsPage.error)), null);
      assertResumed(page, before);
      assert.equal(stored(id), sha256);
    } finally {
      await page.context().close();
    }
  });
});

/** The sample's upload page through the proxy, in a context of its own; its tus requests are recorded. */
async function uploadPage(browser, base) {
  const context = await browser.newContext();
  // the real tus-js-client, as the lockfile installed it, served to the page under the sample's origin
  await context.route('**/e2e/tus.min.js', (route) => route.fulfill({ path: TUS, contentType: 'text/javascript' }));
  const page = await context.newPage();
  page.requests = [];
  page.on('request', (request) => {
    if (!request.url().includes('/realtime/uploads')) return;
    const offset = request.headers()['upload-offset'];
    page.requests.push({ method: request.method(), offset: offset == null ? null : Number(offset) });
    if (process.env.DEBUG_UPLOADS) console.log(new Date().toISOString(), request.method(), offset);
  });
  if (process.env.DEBUG_UPLOADS) {
    page.on('response', (r) => r.url().includes('/realtime/uploads') && console.log(new Date().toISOString(), '->', r.status(), r.headers()['upload-offset']));
    page.on('requestfailed', (r) => r.url().includes('/realtime/uploads') && console.log(new Date().toISOString(), 'failed', r.method(), r.failure().errorText));
  }
  await page.goto(base + '/upload.html');
  return page;
}

/** Starts (or, with a fingerprint stored, resumes) a tus-js-client upload of the picked file. */
async function startTus(page, file) {
  await page.addScriptTag({ url: '/e2e/tus.min.js' });
  await page.locator('#file').setInputFiles(file);
  await page.evaluate(() => {
    const state = window.tusState = { url: null, done: false, error: null };
    const picked = document.querySelector('#file').files[0];
    const upload = new window.tus.Upload(picked, {
      endpoint: location.origin + '/realtime/uploads',
      retryDelays: [0, 500, 1000, 2000, 3000, 5000],
      metadata: { filename: picked.name, filetype: picked.type },
      removeFingerprintOnSuccess: true,
      onUploadUrlAvailable: () => { state.url = upload.url; },
      onSuccess: () => { state.done = true; },
      onError: (err) => { state.error = String(err); },
    });
    return upload.findPreviousUploads().then((previous) => {
      if (previous.length) upload.resumeFromPreviousUpload(previous[0]);
      upload.start();
    });
  });
}

/** The id of the page's upload once it has one. */
async function uploadId(page, read) {
  const handle = await page.waitForFunction(read, null, { timeout: 30000, polling: 20 });
  return String(await handle.jsonValue()).split('/').pop();
}

/** Cuts every connection of the proxy when the server holds a fifth, half and four fifths of the file. */
async function cutThreeTimes(proxy, offsetOf, id) {
  const before = proxy.cuts;
  for (const share of [0.2, 0.5, 0.8]) {
    await untilOffset(offsetOf, id, share * SIZE);
    const at = await offsetOf(id);
    if (process.env.DEBUG_UPLOADS) console.log(new Date().toISOString(), 'cut at', at);
    assert.ok(at < SIZE, 'the cut comes while bytes are on their way (' + at + ')');
    proxy.cut();
  }
  assert.equal(proxy.cuts - before, 3);
}

/**
 * Reloads the page once the server holds a fifth of the file; resolves the offset it had by then.
 * The proxy is slowed meanwhile, so that the upload cannot finish while the page unloads.
 */
async function reloadMidWay(page, offsetOf, id, proxy) {
  await untilOffset(offsetOf, id, SIZE / 5);
  proxy.rate = RATE / 20;
  await page.reload();
  proxy.rate = RATE;
  const offset = await offsetOf(id);
  assert.ok(offset > 0 && offset < SIZE, 'reloaded mid-way at ' + offset);
  page.requests.splice(0, page.requests.length);
  return offset;
}

/** After a reload: no new upload, and the first PATCH starts where the server was. */
function assertResumed(page, before) {
  assert.equal(page.requests.filter((r) => r.method === 'POST').length, 0, 'no new upload after the reload');
  const first = page.requests.find((r) => r.method === 'PATCH');
  assert.ok(first.offset >= before, 'resumed at ' + first.offset + ', the server had ' + before);
}

async function untilOffset(offsetOf, id, bytes, timeout = 60000) {
  const end = Date.now() + timeout;
  while ((await offsetOf(id)) < bytes) {
    if (Date.now() > end) throw new Error('upload ' + id + ' did not reach ' + bytes + ' bytes in ' + timeout + ' ms');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The upload's offset as the server says it, asked directly (not through the proxy). */
async function serverOffset(server, id) {
  const res = await fetch(server.url + '/realtime/uploads/' + id, {
    method: 'HEAD', headers: { 'Tus-Resumable': '1.0.0' }, signal: AbortSignal.timeout(5000),
  });
  assert.equal(res.status, 200);
  return Number(res.headers.get('Upload-Offset'));
}

function writeRandomFile(file, size) {
  const hash = crypto.createHash('sha256');
  const fd = fs.openSync(file, 'w');
  for (let written = 0; written < size; written += 1024 * 1024) {
    const chunk = crypto.randomBytes(Math.min(1024 * 1024, size - written));
    hash.update(chunk);
    fs.writeSync(fd, chunk);
  }
  fs.closeSync(fd);
  return hash.digest('hex');
}

function sha256Of(file) {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/**
 * A TCP proxy to `targetPort` that lets `rate` bytes per second through towards the server, so an
 * upload lasts long enough to be cut; cut() resets every connection open now and keeps listening,
 * as a flaky network does.
 */
async function startThrottledProxy(targetPort, rate) { // rate: changeable later, as proxy.rate
  const sockets = new Set();
  const proxy = { cuts: 0, rate };
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    }
    let free = Date.now();
    client.on('data', (chunk) => {
      upstream.write(chunk);
      free = Math.max(free, Date.now()) + (chunk.length * 1000) / proxy.rate;
      const wait = free - Date.now();
      if (wait > 5) {
        client.pause();
        setTimeout(() => client.resume(), wait);
      }
    });
    upstream.pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.on('end', () => upstream.end());
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.url = 'http://127.0.0.1:' + server.address().port;
  proxy.cut = () => {
    proxy.cuts++;
    for (const s of sockets) s.resetAndDestroy();
    sockets.clear();
  };
  proxy.close = () => new Promise((resolve) => {
    for (const s of sockets) s.destroy();
    server.close(resolve);
  });
  return proxy;
}

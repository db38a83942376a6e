'use strict';
// rt.upload against an in-memory tus 1.0 server (fetch for POST/HEAD/DELETE, XMLHttpRequest for
// PATCH, as in a browser): creation, resume after a broken PATCH and after a "reload" (the URL
// remembered in storage), refusals that are not retried, and abort with termination.
const test = require('node:test');
const assert = require('node:assert/strict');
const Realtime = require('../src/realtime.js');

/**
 * One tus server holding uploads by URL; `breakNext` makes the next PATCH fail after n bytes,
 * `stallNext` answers it 408 after n bytes (a body the server ended for sending nothing).
 */
function tusServer() {
  const server = { uploads: new Map(), requests: [], breakNext: null, stallNext: null, createStatus: 201, next: 1 };
  const headers = (h) => ({ get: (name) => (h[name] === undefined ? null : String(h[name])) });
  const reply = (status, h = {}, body = '') => ({ status, ok: status >= 200 && status < 300, headers: headers(h),
    text: () => Promise.resolve(body), json: () => Promise.resolve(JSON.parse(body)) });
  server.fetch = (url, init) => {
    server.requests.push(init.method + ' ' + url);
    assert.equal(init.headers['Tus-Resumable'], '1.0.0');
    if (init.method === 'POST') {
      if (server.createStatus !== 201) {
        return Promise.resolve(reply(server.createStatus, {}, '{"detail":"too big","status":413}'));
      }
      const id = String(server.next++).padStart(32, '0');
      server.uploads.set(id, { length: Number(init.headers['Upload-Length']), bytes: [],
        metadata: init.headers['Upload-Metadata'] });
      return Promise.resolve(reply(201, { Location: '/realtime/uploads/' + id }));
    }
    const upload = server.uploads.get(url.split('/').pop());
    if (!upload) return Promise.resolve(reply(404));
    if (init.method === 'HEAD') return Promise.resolve(reply(200, { 'Upload-Offset': upload.bytes.length }));
    if (init.method === 'DELETE') { server.uploads.delete(url.split('/').pop()); return Promise.resolve(reply(204)); }
    throw new Error('unexpected ' + init.method);
  };
  server.XMLHttpRequest = class {
    constructor() { this.headers = {}; this.upload = {}; }
    open(method, url) { this.method = method; this.url = url; }
    setRequestHeader(name, value) { this.headers[name] = value; }
    getResponseHeader(name) { return this.responseHeaders[name]; }
    abort() { this.aborted = true; setTimeout(() => this.onabort && this.onabort(), 0); }
    send(blob) {
      server.requests.push('PATCH ' + this.url + ' @' + this.headers['Upload-Offset']);
      const upload = server.uploads.get(this.url.split('/').pop());
      blob.arrayBuffer().then((buffer) => {
        if (this.aborted) return;
        let bytes = Array.from(new Uint8Array(buffer));
        if (Number(this.headers['Upload-Offset']) !== upload.bytes.length) {
          this.status = 409; this.responseHeaders = {}; this.onload(); return;
        }
        const cut = server.breakNext ?? server.stallNext;
        if (cut != null) bytes = bytes.slice(0, cut);
        upload.bytes.push(...bytes);
        this.upload.onprogress && this.upload.onprogress({ loaded: bytes.length });
        if (server.stallNext != null) {
          server.stallNext = null; this.status = 408; this.responseHeaders = {}; this.onload(); return;
        }
        if (cut != null) { server.breakNext = null; this.onerror(); return; }
        this.status = 204;
        this.responseHeaders = { 'Upload-Offset': String(upload.bytes.length) };
        this.onload();
      });
    }
  };
  return server;
}

function memoryStorage() {
  const map = new Map();
  return { map, getItem: (k) => (map.has(k) ? map.get(k) : null), setItem: (k, v) => map.set(k, v), removeItem: (k) => map.delete(k) };
}

function connect(server) {
  return Realtime.connect('http://app.test/realtime', { transports: ['poll'], fetch: (url, init) =>
    (url.includes('/uploads') ? server.fetch(url, init) : new Promise(() => {})) });
}

const file = new Blob([new Uint8Array(1000).map((_, i) => i % 251)], { type: 'application/octet-stream' });
const bytesOf = async (blob) => Array.from(new Uint8Array(await blob.arrayBuffer()));

test('uploads a file, reports progress and resolves with its id, URL and topic', async () => {
  const server = tusServer();
  const storage = memoryStorage();
  const rt = connect(server);
  const progress = [];
  const result = await rt.upload(file, { storage, XMLHttpRequest: server.XMLHttpRequest, metadata: { filename: 'a b.txt' },
    onProgress: (sent, total) => progress.push([sent, total]) });
  const id = '1'.padStart(32, '0');
  assert.deepEqual(result, { id, url: 'http://app.test/realtime/uploads/' + id, topic: 'uploads/' + id });
  assert.deepEqual(server.uploads.get(id).bytes, await bytesOf(file));
  assert.equal(server.uploads.get(id).metadata, 'filetype ' + Buffer.from('application/octet-stream').toString('base64')
    + ',filename ' + Buffer.from('a b.txt').toString('base64'));
  assert.deepEqual(progress.at(-1), [1000, 1000]);
  assert.equal(storage.map.size, 0, 'a finished upload is forgotten');
  rt.close();
});

test('a broken PATCH is resumed from the offset the server reports', async () => {
  const server = tusServer();
  server.breakNext = 400;
  const rt = connect(server);
  const result = await rt.upload(file, { storage: null, XMLHttpRequest: server.XMLHttpRequest, retryDelays: [0] });
  assert.deepEqual(server.uploads.get(result.id).bytes, await bytesOf(file));
  assert.deepEqual(server.requests.filter((r) => !r.startsWith('POST')).map((r) => r.replace(/ .*\//, ' ')),
    ['PATCH ' + result.id + ' @0', 'HEAD ' + result.id, 'PATCH ' + result.id + ' @400']);
  rt.close();
});

test('a PATCH the server ended for stalling (408) is resumed from the offset the server reports', async () => {
  const server = tusServer();
  server.stallNext = 250;
  const rt = connect(server);
  const result = await rt.upload(file, { storage: null, XMLHttpRequest: server.XMLHttpRequest, retryDelays: [0] });
  assert.deepEqual(server.uploads.get(result.id).bytes, await bytesOf(file));
  assert.deepEqual(server.requests.filter((r) => !r.startsWith('POST')).map((r) => r.replace(/ .*\//, ' ')),
    ['PATCH ' + result.id + ' @0', 'HEAD ' + result.id, 'PATCH ' + result.id + ' @250']);
  rt.close();
});

test('a remembered upload (a reload) resumes without creating another', async () => {
  const server = tusServer();
  const storage = memoryStorage();
  const rt = connect(server);
  const controller = new AbortController();
  server.breakNext = 300;
  // the first page goes away mid-way: its upload is in storage, 300 bytes on the server
  await assert.rejects(rt.upload(file, { storage, XMLHttpRequest: server.XMLHttpRequest, retryDelays: [],
    signal: controller.signal }), (err) => err.code === 'network');
  assert.equal(storage.map.size, 1);
  server.requests.length = 0;
  const starts = [];
  const result = await rt.upload(file, { storage, XMLHttpRequest: server.XMLHttpRequest, onStart: (s) => starts.push(s.offset) });
  assert.deepEqual(starts, [300]);
  assert.ok(!server.requests.some((r) => r.startsWith('POST')), 'no new upload');
  assert.deepEqual(server.uploads.get(result.id).bytes, await bytesOf(file));
  rt.close();
});

test('a refusal other than 408, 409, 423 or 429 rejects at once with the problem', async () => {
  const server = tusServer();
  server.createStatus = 413;
  const rt = connect(server);
  await assert.rejects(rt.upload(file, { storage: null, XMLHttpRequest: server.XMLHttpRequest }),
    (err) => err.status === 413 && err.code === 'too_large' && err.detail === 'too big');
  assert.equal(server.requests.length, 1);
  rt.close();
});

test('abort rejects with an AbortError and, with terminate, deletes the upload', async () => {
  const server = tusServer();
  const rt = connect(server);
  const controller = new AbortController();
  const pending = rt.upload(file, { storage: null, XMLHttpRequest: server.XMLHttpRequest, signal: controller.signal,
    terminate: () => true, onStart: () => controller.abort() });
  await assert.rejects(pending, (err) => err.name === 'AbortError');
  await new Promise((r) => setTimeout(r, 10));
  assert.equal(server.uploads.size, 0);
  assert.ok(server.requests.some((r) => r.startsWith('DELETE')));
  rt.close();
});

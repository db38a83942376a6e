'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const vm = require('node:vm');
const { pathToFileURL } = require('node:url');

const source = fs.readFileSync(path.join(__dirname, '..', 'src', 'realtime.js'), 'utf8');

test('as a classic script it defines the global Realtime and nothing else', () => {
  const context = vm.createContext({ URL, AbortController, Promise, setTimeout, clearTimeout, console });
  context.globalThis = context;
  const before = Object.keys(context);
  vm.runInContext(source, context, { filename: 'client.js' });
  assert.deepEqual(Object.keys(context).filter((k) => !before.includes(k)), ['Realtime']);
  assert.equal(typeof context.Realtime.connect, 'function');
});

test('served as client.mjs (source + export line) it works as an ES module', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'realtime-client-'));
  const file = path.join(dir, 'client.mjs');
  fs.writeFileSync(file, source + '\nexport default globalThis.Realtime; export const connect = globalThis.Realtime.connect;\n');
  try {
    const mod = await import(pathToFileURL(file).href);
    assert.equal(typeof mod.default.connect, 'function');
    // `connect` is used detached from Realtime: it must not rely on `this`.
    const rt = mod.connect('http://x.test/realtime', { transports: ['poll'], fetch: () => new Promise(() => {}) });
    assert.equal(rt.state, 'connecting');
    rt.close();
    assert.equal(rt.state, 'closed');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('CommonJS require returns the same API', () => {
  const Realtime = require('../src/realtime.js');
  assert.equal(Realtime, globalThis.Realtime);
  assert.deepEqual(Realtime.TRANSPORTS, ['websocket', 'sse', 'long-poll', 'poll']);
  assert.throws(() => Realtime.connect('/r', { transports: ['carrier-pigeon'] }), /unknown transport/);
  assert.throws(() => Realtime.connect('/r', { transports: [] }), /empty/);
});

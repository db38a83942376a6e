'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { setup, waitFor } = require('../testing/fakes.js');

// Spring Security's CSRF conventions: a page rendered with <meta name="_csrf"> and
// <meta name="_csrf_header">, or a cookie XSRF-TOKEN (CookieCsrfTokenRepository) read by script.

/** A document with the given cookie string and meta tags (name -> content). */
function page(cookie, metas = {}) {
  return {
    cookie,
    querySelector(selector) {
      const name = /^meta\[name="([^"]+)"\]$/.exec(selector)[1];
      return name in metas ? { getAttribute: (attr) => (attr === 'content' ? metas[name] : null) } : null;
    },
  };
}

const location = { href: 'http://app.test/chat/' };

async function publishHeaders(options, base) {
  const { rt, fetch } = setup({ transports: ['poll'], location, ...options }, base);
  const published = rt.publish('chat', 'hi');
  const call = await waitFor(() => fetch.calls.find((c) => c.path.endsWith('/publish')));
  call.respond(202, { topic: 'chat', id: '1' });
  await published;
  rt.close();
  return call.init.headers;
}

test('the XSRF-TOKEN cookie is sent as X-XSRF-TOKEN, decoded', async () => {
  const headers = await publishHeaders({ document: page('theme=dark; XSRF-TOKEN=a%2Fb%3D; other=1') });
  assert.equal(headers['X-XSRF-TOKEN'], 'a/b=');
  assert.equal(headers['Content-Type'], 'application/json');
});

test('the _csrf meta tag wins over the cookie and is sent under the _csrf_header name', async () => {
  const headers = await publishHeaders({
    document: page('XSRF-TOKEN=cookie', { _csrf: 'meta-token', _csrf_header: 'X-CSRF-TOKEN' }),
  });
  assert.equal(headers['X-CSRF-TOKEN'], 'meta-token');
  assert.equal(headers['X-XSRF-TOKEN'], undefined);
});

test('a _csrf meta tag without _csrf_header is sent as X-CSRF-TOKEN', async () => {
  const headers = await publishHeaders({ document: page('', { _csrf: 'meta-token' }) });
  assert.equal(headers['X-CSRF-TOKEN'], 'meta-token');
});

test('the token is read at every publish, so a replaced token is the one sent', async () => {
  const doc = page('XSRF-TOKEN=first');
  const { rt, fetch } = setup({ transports: ['poll'], location, document: doc });
  const publishes = () => fetch.calls.filter((c) => c.path.endsWith('/publish'));
  rt.publish('chat', 1);
  assert.equal((await waitFor(() => publishes()[0])).init.headers['X-XSRF-TOKEN'], 'first');
  doc.cookie = 'XSRF-TOKEN=second';
  rt.publish('chat', 2);
  assert.equal((await waitFor(() => publishes()[1])).init.headers['X-XSRF-TOKEN'], 'second');
  rt.close();
});

test('no token, no header', async () => {
  const headers = await publishHeaders({ document: page('theme=dark') });
  assert.deepEqual(Object.keys(headers).sort(), ['Accept', 'Content-Type']);
});

test('the token is never sent to another origin', async () => {
  const doc = page('XSRF-TOKEN=secret', { _csrf: 'secret' });
  const headers = await publishHeaders({ document: doc }, 'https://realtime.other.test/realtime');
  assert.deepEqual(Object.keys(headers).sort(), ['Accept', 'Content-Type']);
});

test('a relative base is the page origin', async () => {
  const headers = await publishHeaders({ document: page('XSRF-TOKEN=t') }, '/realtime');
  assert.equal(headers['X-XSRF-TOKEN'], 't');
});

test('without a location only a relative base gets the token', async () => {
  const doc = page('XSRF-TOKEN=t');
  assert.equal((await publishHeaders({ document: doc, location: undefined }, '/realtime'))['X-XSRF-TOKEN'], 't');
  assert.equal((await publishHeaders({ document: doc, location: undefined }))['X-XSRF-TOKEN'], undefined);
});

// The attacks of issue 10 against a running app, each from its own source addresses
// (127.0.0.x), while a bystander on another address long-polls "chat" and a well-behaved
// publisher on a third publishes a numbered message there every 100 ms. Prints what each
// attack got, then whether the bystander received every numbered message, in order.
//
//   node --experimental-websocket realtime-bench/attacks/attacks.mjs http://localhost:8080/realtime
//
// The app must allow publishing on chat and news/** (realtime.publish.allowed-topics).
import http from 'node:http';
import net from 'node:net';

const base = new URL(process.argv[2] || 'http://localhost:8080/realtime');
const agents = new Map();
const agentFor = (localAddress) => {
  if (!agents.has(localAddress)) agents.set(localAddress, new http.Agent({ keepAlive: true, localAddress, maxSockets: 256 }));
  return agents.get(localAddress);
};

function request(method, path, { body, headers = {}, agent, localAddress = '127.0.0.1', timeout = 60000 } = {}) {
  return new Promise((resolve) => {
    const req = http.request({ host: base.hostname, port: base.port, method, path: base.pathname + path,
      headers, agent: agent || agentFor(localAddress), timeout }, (res) => {
      let data = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => { data += chunk; });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: data }));
    });
    req.on('timeout', () => { req.destroy(); resolve({ status: 'timeout' }); });
    req.on('error', (err) => resolve({ status: err.code || 'error' }));
    if (body !== undefined) req.write(body);
    req.end();
  });
}

function tally(results) {
  const counts = {};
  for (const r of results) counts[r.status] = (counts[r.status] || 0) + 1;
  return counts;
}

async function inBatches(n, width, fn) {
  const results = [];
  for (let i = 0; i < n; i += width) {
    results.push(...await Promise.all(Array.from({ length: Math.min(width, n - i) }, (_, k) => fn(i + k))));
  }
  return results;
}

// --- the bystander and the well-behaved publisher ---------------------------------------
const received = [];
const bystanderRefused = {};
let bystanderRunning = true;
async function bystander() {
  const agent = agentFor('127.0.0.2');
  let cursor = '';
  while (bystanderRunning) {
    const r = await request('GET', '/long-poll?topic=chat' + (cursor ? '&cursor=' + cursor : ''), { agent });
    if (r.status !== 200) {
      // refused (the server is full, or this client's own rate after that): back off as the client does
      bystanderRefused[r.status] = (bystanderRefused[r.status] || 0) + 1;
      await new Promise((resolve) => setTimeout(resolve, 1000));
      continue;
    }
    const reply = JSON.parse(r.body);
    cursor = reply.cursor;
    if (reply.recovered === false) console.log('  bystander: recovered:false');
    for (const m of reply.messages) if (m.data && typeof m.data.n === 'number') received.push(m.data.n);
  }
}
let published = 0;
let publisherRunning = true;
async function publisher() {
  const agent = agentFor('127.0.0.3');
  while (publisherRunning) {
    const r = await request('POST', '/publish?topic=chat', { agent, body: JSON.stringify({ n: published }),
      headers: { 'Content-Type': 'application/json' } });
    if (r.status === 202) published++;
    else console.log('  publisher got', r.status, (r.body || '').slice(0, 120));
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const attacks = {
  async 'topic flood: 100 new topics per poll, 2,000 polls from 20 addresses'() {
    return tally(await inBatches(2000, 50, (i) => request('GET', '/poll?' + Array.from({ length: 100 },
      (_, k) => 'topic=flood-' + i + '-' + k).join('&'), { localAddress: '127.0.1.' + (i % 20 + 1) })));
  },
  async 'topic flood held: long polls on 100 new topics each, 400 from 40 addresses'() {
    return tally(await inBatches(400, 100, (i) => request('GET', '/long-poll?' + Array.from({ length: 100 },
      (_, k) => 'topic=held-' + i + '-' + k).join('&'), { localAddress: '127.0.2.' + (i % 40 + 1), timeout: 2000 })));
  },
  async 'publish flood: 64 KB text to news/0..19, 4,000 from 8 addresses'() {
    const body = 'x'.repeat(64 * 1024 - 1);
    return tally(await inBatches(4000, 32, (i) => request('POST', '/publish?topic=news/' + (i % 20), { body,
      headers: { 'Content-Type': 'text/plain' }, localAddress: '127.0.3.' + (i % 8 + 1) })));
  },
  async 'publish flood, 200 addresses: 64 KB text to news/0..19, 6,000'() {
    const body = 'x'.repeat(64 * 1024 - 1);
    return tally(await inBatches(6000, 64, (i) => request('POST', '/publish?topic=news/' + (i % 20), { body,
      headers: { 'Content-Type': 'text/plain' }, localAddress: '127.0.4.' + (i % 200 + 1) })));
  },
  async 'rate: 20,000 WebSocket pings on one socket'() {
    const ws = new WebSocket(base.href.replace(/^http/, 'ws') + '/ws');
    await new Promise((resolve, reject) => { ws.onopen = resolve; ws.onerror = reject; });
    const counts = {};
    ws.onmessage = (e) => { const f = JSON.parse(e.data); const k = f.code || f.type; counts[k] = (counts[k] || 0) + 1; };
    for (let i = 0; i < 20000; i++) ws.send('{"type":"ping"}');
    await new Promise((resolve) => setTimeout(resolve, 3000));
    counts.open = ws.readyState === WebSocket.OPEN;
    ws.onclose = (e) => { counts.closeCode = e.code; };
    ws.close();
    return counts;
  },
  async 'connection hog: 200 long polls from one address'() {
    return tally(await inBatches(200, 200, () => request('GET', '/long-poll?topic=hog', { localAddress: '127.0.5.1', timeout: 3000 })));
  },
  async 'connection flood: 4,000 long polls from 200 addresses'() {
    return tally(await inBatches(4000, 4000, (i) => request('GET', '/long-poll?topic=hog',
      { localAddress: '127.0.6.' + (i % 200 + 1), timeout: 5000 })));
  },
  async 'cross-site publish: foreign Origin, Sec-Fetch-Site cross-site, text/plain form'() {
    const headers = [{ Origin: 'https://evil.example', 'Content-Type': 'text/plain' },
      { 'Sec-Fetch-Site': 'cross-site', 'Content-Type': 'text/plain' },
      { Origin: 'null', 'Content-Type': 'text/plain' }];
    return tally(await Promise.all(headers.map((h) => request('POST', '/publish?topic=chat',
      { body: 'pwned', headers: h, localAddress: '127.0.7.1' }))));
  },
  async 'rate: 6,000 publishes from one address'() {
    return tally(await inBatches(6000, 50, () => request('POST', '/publish?topic=news/rate',
      { body: '{}', headers: { 'Content-Type': 'application/json' }, localAddress: '127.0.8.1' })));
  },
  async 'slowloris: 210 publish bodies of 60,000 bytes, 1 byte sent'() {
    const sockets = [];
    for (let i = 0; i < 210; i++) {
      const socket = net.connect({ host: base.hostname, port: Number(base.port), localAddress: '127.0.9.' + (i % 200 + 1) });
      socket.write('POST ' + base.pathname + '/publish?topic=chat HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 60000\r\n\r\n1');
      socket.answer = new Promise((resolve) => { let d = ''; socket.on('data', (c) => { d += c; }); socket.on('close', () => resolve(d.slice(9, 12) || 'closed')); socket.on('error', () => {}); });
      sockets.push(socket);
    }
    const started = Date.now();
    const polls = [];
    for (let i = 0; i < 5; i++) {
      const t = Date.now();
      const r = await request('GET', '/poll?topic=chat', { localAddress: '127.0.9.250', timeout: 5000 });
      polls.push(r.status + ' in ' + (Date.now() - t) + ' ms');
    }
    const answers = await Promise.all(sockets.map((s) => s.answer));
    return { polls, tricklers: tally(answers.map((a) => ({ status: a }))), 'tricklers answered after ms': Date.now() - started };
  },
  async 'bad input: %FF, %C3%28, cursor=%%%%, GET /publish, POST /poll, 1,001 parameters'() {
    const paths = [['GET', '/poll?topic=%FF'], ['GET', '/poll?topic=%C3%28'], ['GET', '/poll?topic=chat&cursor=%%%%'],
      ['GET', '/publish?topic=chat'], ['POST', '/poll?topic=chat'], ['GET', '/poll?' + 'x&'.repeat(1000) + 'topic=chat']];
    const results = await Promise.all(paths.map(([m, p]) => request(m, p, { localAddress: '127.0.10.1' })));
    return Object.fromEntries(paths.map(([m, p], i) => [m + ' ' + p.slice(0, 40), results[i].status + ' ' + results[i].headers?.['content-type']]));
  },
  async 'WebSocket handshake with Origin http://localhost:8080.evil.com'() {
    const key = Buffer.from('0123456789abcdef').toString('base64');
    const r = await request('GET', '/ws', { localAddress: '127.0.11.1', headers: { Connection: 'Upgrade', Upgrade: 'websocket',
      'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': key, Origin: 'http://' + base.host + '.evil.com' } });
    return { status: r.status, type: r.headers?.['content-type'] };
  },
};

const running = [bystander(), publisher()];
for (const [name, attack] of Object.entries(attacks)) {
  const t = Date.now();
  const outcome = await attack();
  console.log(name + ' (' + (Date.now() - t) + ' ms):', JSON.stringify(outcome));
}
console.log('bystander refused meanwhile (and backed off 1 s each time):', JSON.stringify(bystanderRefused));
const alive = await request('GET', '/poll?topic=chat', { localAddress: '127.0.12.1' });
console.log('server answering afterwards:', alive.status);
publisherRunning = false;
await new Promise((resolve) => setTimeout(resolve, 2000));
bystanderRunning = false;
await Promise.race([Promise.all(running), new Promise((resolve) => setTimeout(resolve, 35000))]);
const inOrder = received.every((n, i) => n === i);
console.log('well-behaved: published ' + published + ', bystander received ' + received.length
  + (inOrder && received.length === published ? ', every one, in order' : ', MISSING OR OUT OF ORDER'));
process.exit(0);

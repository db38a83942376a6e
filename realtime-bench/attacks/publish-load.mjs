// POST /publish from many keep-alive clients for a while; prints accepted publishes per second.
//   node realtime-bench/attacks/publish-load.mjs http://localhost:8080/realtime [clients] [seconds]
import http from 'node:http';

const base = new URL(process.argv[2] || 'http://localhost:8080/realtime');
const clients = Number(process.argv[3] || 128);
const seconds = Number(process.argv[4] || 15);
const agent = new http.Agent({ keepAlive: true, maxSockets: clients });
const body = JSON.stringify({ text: 'hello', n: 1 });
let accepted = 0;
let other = 0;
const until = Date.now() + seconds * 1000;

function publish(i) {
  return new Promise((resolve) => {
    const req = http.request({ host: base.hostname, port: base.port, method: 'POST', agent,
      path: base.pathname + '/publish?topic=news/' + (i % 100),
      headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.on('end', () => { if (res.statusCode === 202) accepted++; else other++; resolve(); });
    });
    req.on('error', () => { other++; resolve(); });
    req.end(body);
  });
}

async function client(i) {
  while (Date.now() < until) await publish(i);
}

await Promise.all(Array.from({ length: clients }, (_, i) => client(i)));
console.log(JSON.stringify({ clients, seconds, perSecond: Math.round(accepted / seconds), refusedOrFailed: other }));
agent.destroy();

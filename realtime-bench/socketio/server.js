// The Socket.IO 4 peer: rooms as topics, the same /bench control endpoints as the Java servers.
// node --expose-gc server.js <port>
'use strict';
const fs = require('node:fs');
const http = require('node:http');
const { PerformanceObserver, constants } = require('node:perf_hooks');
const { Server } = require('socket.io');

const port = Number(process.argv[2] || 3000);
const heartbeat = Number(process.env.BENCH_HEARTBEAT || 5000);
let publishing = false;

// GC pauses for the harness, in the shape of the JVM's unified log with timemillis, so one parser
// reads both: [<epoch ms at the pause's end>ms] Pause <kind> <duration>ms
if (process.env.BENCH_GC_LOG) {
  const gcLog = fs.createWriteStream(process.env.BENCH_GC_LOG);
  const kinds = {
    [constants.NODE_PERFORMANCE_GC_MINOR]: 'Scavenge',
    [constants.NODE_PERFORMANCE_GC_MAJOR]: 'Mark-Compact',
    [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'Incremental-Marking',
    [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'Weak-Callbacks',
  };
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const end = Math.round(performance.timeOrigin + entry.startTime + entry.duration);
      gcLog.write(`[${end}ms] Pause ${kinds[entry.detail.kind] || entry.detail.kind} ${entry.duration.toFixed(3)}ms\n`);
    }
  }).observe({ entryTypes: ['gc'] });
}

function nowMicros() {
  // wall clock in epoch microseconds, like the Java servers' Instant.now()
  return Math.round((performance.timeOrigin + performance.now()) * 1000);
}

const httpServer = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://localhost');
  if (url.pathname === '/bench/ping') {
    res.end('ok');
  } else if (url.pathname === '/bench/heap') {
    for (let i = 0; i < 3; i++) global.gc();
    const memory = process.memoryUsage();
    res.setHeader('Content-Type', 'application/json');
    // V8 heap plus the buffers it holds outside it: what a JVM would count as heap
    res.end(JSON.stringify({ heap: memory.heapUsed + memory.external, subscribed: -1 }));
  } else if (url.pathname === '/bench/connections') {
    res.end(String(io.engine.clientsCount));
  } else if (url.pathname === '/bench/subscribed') {
    res.end('-1');
  } else if (url.pathname === '/bench/publish' && req.method === 'POST') {
    if (publishing) {
      res.statusCode = 409;
      res.end('busy');
      return;
    }
    const topics = Number(url.searchParams.get('topics'));
    const n = Number(url.searchParams.get('n'));
    const rate = Number(url.searchParams.get('rate'));
    const from = Number(url.searchParams.get('from'));
    publishing = true;
    res.statusCode = 202;
    res.end('started');
    publish(topics, n, rate, from);
  } else {
    res.statusCode = 404;
    res.end();
  }
});

function publish(topics, n, rate, from) {
  const start = performance.now();
  let i = 0;
  const step = () => {
    // everything due by now, then yield to the event loop so sockets are written
    const due = rate > 0 ? Math.min(n, Math.floor(((performance.now() - start) * rate) / 1000) + 1) : Math.min(n, i + 100);
    for (; i < due; i++) {
      io.to('bench-' + (i % topics)).emit('m', { seq: from + Math.floor(i / topics), t: nowMicros() });
    }
    if (i < n) {
      if (rate > 0) setTimeout(step, 1); else setImmediate(step);
    } else {
      publishing = false;
    }
  };
  step();
}

const io = new Server(httpServer, {
  transports: ['websocket'],
  serveClient: false,
  perMessageDeflate: false,
  pingInterval: heartbeat,
  pingTimeout: 20000,
});

io.on('connection', (socket) => {
  socket.on('sub', (topic) => {
    socket.join(topic);
    socket.emit('subscribed', topic);
  });
});

// the load generator keeps its control connection between steps
httpServer.keepAliveTimeout = 600000;
httpServer.headersTimeout = 601000;

httpServer.listen(port, '127.0.0.1', () => console.log(`socket.io bench server on ${port}`));

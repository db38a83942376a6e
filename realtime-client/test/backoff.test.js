'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { Realtime } = require('../testing/fakes.js');

const { backoffDelay } = Realtime._internal;
const opts = { initialDelay: 100, maxDelay: 5000, factor: 2, jitter: 0.5 };

test('back-off grows by the factor while no jitter is drawn', () => {
  const delays = [0, 1, 2, 3, 4].map((n) => backoffDelay(n, opts, () => 0));
  assert.deepEqual(delays, [100, 200, 400, 800, 1600]);
});

test('back-off is capped at maxDelay', () => {
  assert.equal(backoffDelay(6, opts, () => 0), 5000);
  assert.equal(backoffDelay(50, opts, () => 0), 5000);
  assert.equal(backoffDelay(5000, opts, () => 0), 5000); // factor^n overflows to Infinity
});

test('jitter takes off at most its share of the delay', () => {
  for (let attempt = 0; attempt < 10; attempt++) {
    const base = Math.min(5000, 100 * 2 ** attempt);
    for (const r of [0, 0.25, 0.5, 0.999999]) {
      const d = backoffDelay(attempt, opts, () => r);
      assert.ok(d <= base && d >= base * 0.5, `attempt ${attempt}, r ${r}: ${d}`);
    }
    for (let i = 0; i < 50; i++) {
      const d = backoffDelay(attempt, opts);
      assert.ok(d <= base && d >= base * 0.5);
    }
  }
});

test('jitter 0 is exact and jitter 1 may reach zero', () => {
  assert.equal(backoffDelay(2, { ...opts, jitter: 0 }, () => 0.9), 400);
  assert.ok(backoffDelay(2, { ...opts, jitter: 1 }, () => 0.999999) < 1);
});

test('defaults apply to missing options', () => {
  assert.equal(backoffDelay(0, {}, () => 0), 500);
  assert.equal(backoffDelay(0, undefined, () => 0), 500);
  assert.equal(backoffDelay(100, { jitter: 0 }), 30000);
});

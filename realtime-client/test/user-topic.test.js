'use strict';
const test = require('node:test');
const assert = require('node:assert');
const Realtime = require('../src/realtime.js');

test('a user topic escapes the name as the server does', () => {
  assert.strictEqual(Realtime.userTopic('ada', 'notifications'), 'user/ada/notifications');
  assert.strictEqual(Realtime.userTopic('ada@example.org', 'a/b'), 'user/ada:40example.org/a/b');
  assert.strictEqual(Realtime.userTopic('a:b/c', 'x'), 'user/a:3Ab:2Fc/x');
  assert.strictEqual(Realtime.userTopic('Zoë', 'x'), 'user/Zo:C3:AB/x');
  assert.strictEqual(Realtime.userTopic('tab\there', 'x'), 'user/tab:09here/x');
});

test('an empty name or an invalid topic is refused', () => {
  assert.throws(() => Realtime.userTopic('', 'x'), TypeError);
  assert.throws(() => Realtime.userTopic('ada', 'no spaces'), TypeError);
  assert.throws(() => Realtime.userTopic('a'.repeat(200), 'x'), TypeError);
});

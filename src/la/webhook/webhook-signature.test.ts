import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newWebhookSecret, signWebhook, verifyWebhookSignature } from './webhook-signature.ts';

const secret = newWebhookSecret();
const body = '{"laCode":"825","outcome":"taken-in"}';
const at = new Date('2026-11-10T06:31:00Z');

test('a signature made with the secret verifies for the same body near its time', () => {
  const header = signWebhook(secret, body, at);
  assert.match(header, /^t=1794292260,v1=[0-9a-f]{64}$/);
  const verdict = verifyWebhookSignature({ secret, header, body, now: new Date(at.getTime() + 60_000) });
  assert.equal(verdict.ok, true);
});

test('a tampered body, another secret, or a malformed header fails', () => {
  const header = signWebhook(secret, body, at);
  const check = (overrides: Partial<Parameters<typeof verifyWebhookSignature>[0]>) =>
    verifyWebhookSignature({ secret, header, body, now: at, ...overrides });
  assert.deepEqual(check({ body: body.replace('825', '826') }), {
    ok: false,
    reason: 'the signature does not match the body',
  });
  assert.equal(check({ secret: newWebhookSecret() }).ok, false);
  assert.equal(check({ header: undefined }).ok, false);
  assert.equal(check({ header: 'v1=abc' }).ok, false);
  // The time is signed too: the same signature under another time fails.
  assert.equal(check({ header: header.replace(/^t=\d+/, `t=${at.getTime() / 1000 + 1}`) }).ok, false);
});

test('a replay later than the tolerance fails, even with the right signature', () => {
  const header = signWebhook(secret, body, at);
  const later = new Date(at.getTime() + 301_000);
  const verdict = verifyWebhookSignature({ secret, header, body, now: later });
  assert.equal(verdict.ok, false);
  assert.match((verdict as { reason: string }).reason, /replay/);
  assert.equal(verifyWebhookSignature({ secret, header, body, now: later, toleranceSeconds: 600 }).ok, true);
});

test('during a secret rotation a header may carry two v1 values; either verifies', () => {
  const old = newWebhookSecret();
  const header = `${signWebhook(old, body, at)},v1=${signWebhook(secret, body, at).split('v1=')[1]}`;
  assert.equal(verifyWebhookSignature({ secret, header, body, now: at }).ok, true);
  assert.equal(verifyWebhookSignature({ secret: old, header, body, now: at }).ok, true);
});

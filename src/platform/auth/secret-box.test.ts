import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { SecretBox } from './secret-box.ts';

test('a sealed secret opens with the same key and reveals nothing without it', () => {
  const box = new SecretBox(randomBytes(32));
  const sealed = box.seal('gateway password 1');
  assert.ok(!sealed.includes('gateway'));
  assert.equal(box.open(sealed), 'gateway password 1');
  assert.notEqual(box.seal('same'), box.seal('same'), 'a fresh IV each time');
  assert.throws(
    () => new SecretBox(randomBytes(32)).open(sealed),
    /unable to authenticate|Unsupported state/,
  );
});

test('tampering is detected', () => {
  const box = new SecretBox(randomBytes(32));
  const parts = box.seal('secret').split('.');
  parts[3] = Buffer.from('tampered').toString('base64url');
  assert.throws(() => box.open(parts.join('.')));
});

test('a key of the wrong length is refused', () => {
  assert.throws(() => new SecretBox(randomBytes(16)), /32 bytes/);
});

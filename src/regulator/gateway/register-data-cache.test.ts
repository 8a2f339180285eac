import { test } from 'node:test';
import assert from 'node:assert/strict';
import { constants, gzipSync, inflateRawSync } from 'node:zlib';
import { RegisterDataCache } from './register-data-cache.ts';

const gz = (text: string) => async () => gzipSync(Buffer.from(text));

test('the document is made ready once per SHA-256 and served from memory after', async () => {
  const cache = new RegisterDataCache(1024);
  let reads = 0;
  const content = async () => {
    reads++;
    return gzipSync(Buffer.from('<a>&amp;</a>'));
  };
  assert.equal((await cache.registerData('h1', content)).content.toString(), '<![CDATA[<a>&amp;</a>]]>');
  await cache.registerData('h1', content);
  await Promise.all([cache.registerData('h1', content), cache.registerData('h1', content)]);
  assert.equal(reads, 1);
});

test('a rebuilt extract (new SHA-256) is never served from the old entry', async () => {
  const cache = new RegisterDataCache(1024);
  assert.equal((await cache.registerData('old', gz('one'))).content.toString(), '<![CDATA[one]]>');
  assert.equal((await cache.registerData('new', gz('two'))).content.toString(), '<![CDATA[two]]>');
});

test('beyond its size the least recently used entry goes first', async () => {
  // Each entry is 17 bytes with its CDATA markers: room for two.
  const cache = new RegisterDataCache(40);
  let reads = 0;
  const counted = (text: string) => async () => {
    reads++;
    return gzipSync(Buffer.from(text));
  };
  await cache.registerData('a', counted('aaaaa'));
  await cache.registerData('b', counted('bbbbb'));
  await cache.registerData('a', counted('aaaaa')); // a is now the most recent
  await cache.registerData('c', counted('ccccc')); // over 40 bytes: b goes
  assert.equal(reads, 3);
  await cache.registerData('a', counted('aaaaa'));
  assert.equal(reads, 3, 'a stayed');
  await cache.registerData('b', counted('bbbbb'));
  assert.equal(reads, 4, 'b was evicted and read again');
});

test('a failed read is not cached', async () => {
  const cache = new RegisterDataCache(1024);
  await assert.rejects(cache.registerData('x', async () => Buffer.from('not gzip')));
  assert.equal((await cache.registerData('x', gz('ok'))).content.toString(), '<![CDATA[ok]]>');
});

test('the deflated form is made once, on first use, and counts against the bound', async () => {
  const cache = new RegisterDataCache(1024);
  let reads = 0;
  const counted = (text: string) => async () => {
    reads++;
    return gzipSync(Buffer.from(text));
  };
  const first = await cache.registerData('d', counted('x'.repeat(400)));
  const [a, b] = await Promise.all([first.deflated(), first.deflated()]);
  assert.equal(a, b, 'one deflate for both');
  assert.equal(
    inflateRawSync(a.raw, { finishFlush: constants.Z_SYNC_FLUSH }).toString(),
    first.content.toString(),
  );
  // 412 bytes of content (with the CDATA markers) plus its deflated form, then another 412: all fit in 1024.
  await cache.registerData('e', counted('y'.repeat(400)));
  await cache.registerData('d', counted('x'.repeat(400)));
  assert.equal(reads, 2);
  // A third pushes past 1024: the least recently used ('e') goes, 'd' with its deflated form stays.
  await cache.registerData('f', counted('z'.repeat(400)));
  await cache.registerData('d', counted('x'.repeat(400)));
  assert.equal(reads, 3);
  await cache.registerData('e', counted('y'.repeat(400)));
  assert.equal(reads, 4, 'e was evicted');
});

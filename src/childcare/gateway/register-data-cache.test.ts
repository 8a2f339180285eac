import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { RegisterDataCache } from './register-data-cache.ts';

const gz = (text: string) => async () => gzipSync(Buffer.from(text));

test('the document is made ready once per SHA-256 and served from memory after', async () => {
  const cache = new RegisterDataCache(1024);
  let reads = 0;
  const content = async () => {
    reads++;
    return gzipSync(Buffer.from('<a>&amp;</a>'));
  };
  assert.equal((await cache.registerData('h1', content)).toString(), '<![CDATA[<a>&amp;</a>]]>');
  await cache.registerData('h1', content);
  await Promise.all([cache.registerData('h1', content), cache.registerData('h1', content)]);
  assert.equal(reads, 1);
});

test('a rebuilt extract (new SHA-256) is never served from the old entry', async () => {
  const cache = new RegisterDataCache(1024);
  assert.equal((await cache.registerData('old', gz('one'))).toString(), '<![CDATA[one]]>');
  assert.equal((await cache.registerData('new', gz('two'))).toString(), '<![CDATA[two]]>');
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
  assert.equal((await cache.registerData('x', gz('ok'))).toString(), '<![CDATA[ok]]>');
});

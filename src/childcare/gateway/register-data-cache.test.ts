import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { RegisterDataCache } from './register-data-cache.ts';

const gz = (text: string) => async () => gzipSync(Buffer.from(text));

test('the document is escaped once per SHA-256 and served from memory after', async () => {
  const cache = new RegisterDataCache(1024);
  let reads = 0;
  const content = async () => {
    reads++;
    return gzipSync(Buffer.from('<a>&\r</a>'));
  };
  assert.equal((await cache.escaped('h1', content)).toString(), '&lt;a&gt;&amp;&#13;&lt;/a&gt;');
  await cache.escaped('h1', content);
  await Promise.all([cache.escaped('h1', content), cache.escaped('h1', content)]);
  assert.equal(reads, 1);
});

test('a rebuilt extract (new SHA-256) is never served from the old entry', async () => {
  const cache = new RegisterDataCache(1024);
  assert.equal((await cache.escaped('old', gz('one'))).toString(), 'one');
  assert.equal((await cache.escaped('new', gz('two'))).toString(), 'two');
});

test('beyond its size the least recently used entry goes first', async () => {
  const cache = new RegisterDataCache(10);
  let reads = 0;
  const counted = (text: string) => async () => {
    reads++;
    return gzipSync(Buffer.from(text));
  };
  await cache.escaped('a', counted('aaaaa'));
  await cache.escaped('b', counted('bbbbb'));
  await cache.escaped('a', counted('aaaaa')); // a is now the most recent
  await cache.escaped('c', counted('ccccc')); // over 10 bytes: b goes
  assert.equal(reads, 3);
  await cache.escaped('a', counted('aaaaa'));
  assert.equal(reads, 3, 'a stayed');
  await cache.escaped('b', counted('bbbbb'));
  assert.equal(reads, 4, 'b was evicted and read again');
});

test('a failed read is not cached', async () => {
  const cache = new RegisterDataCache(1024);
  await assert.rejects(cache.escaped('x', async () => Buffer.from('not gzip')));
  assert.equal((await cache.escaped('x', gz('ok'))).toString(), 'ok');
});

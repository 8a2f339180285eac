import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { crc32, gunzipSync } from 'node:zlib';
import { crc32Combine, deflateContent, gzipMember } from './register-data-gzip.ts';

test('crc32Combine gives the CRC-32 of the concatenation', () => {
  for (const [a, b] of [
    [0, 0],
    [5, 0],
    [0, 7],
    [1, 1],
    [100, 3],
    [3, 65_537],
    [1000, 1_000_003],
  ] as const) {
    const x = randomBytes(a);
    const y = randomBytes(b);
    assert.equal(crc32Combine(crc32(x), crc32(y), y.length), crc32(Buffer.concat([x, y])), `${a} + ${b}`);
  }
});

test('a member stitched around deflated content decodes to head + content + tail', async () => {
  // Repetitive enough for long back-references, with random runs so blocks vary.
  const content = Buffer.concat(
    Array.from({ length: 2000 }, (_, i) =>
      Buffer.from(
        `<Registration><Ref>EY${i}</Ref><Name>${randomBytes(8).toString('hex')}</Name></Registration>\n`,
      ),
    ),
  );
  const deflated = await deflateContent(content);
  assert.ok(deflated.raw.length < content.length / 3, 'the content is compressed');
  for (const [head, tail] of [
    ['<s:Envelope><RegisterData>', '</RegisterData></s:Envelope>'],
    ['h', 't'],
  ] as const) {
    const member = Buffer.concat(gzipMember(Buffer.from(head), deflated, Buffer.from(tail)));
    // gunzip checks the CRC-32 and length in the trailer as well.
    assert.equal(gunzipSync(member).toString(), head + content.toString() + tail);
  }
});

test('empty content still makes a valid member', async () => {
  const member = gzipMember(Buffer.from('a'), await deflateContent(Buffer.alloc(0)), Buffer.from('b'));
  assert.equal(gunzipSync(Buffer.concat(member)).toString(), 'ab');
});

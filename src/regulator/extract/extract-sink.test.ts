import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { ExtractSink } from './extract-sink.ts';

async function sunk(pieces: string[], level = 6) {
  const sink = new ExtractSink(level);
  for (const piece of pieces) await sink.write(piece);
  return sink.end();
}

test('the stored form is the UTF-8 of the text: gzipped, hashed and counted whole', async () => {
  // Small pieces crossing buffer boundaries, multi-byte characters (2, 3 and 4 bytes) among
  // them, and pieces bigger than a buffer on their own.
  const pieces: string[] = [];
  for (let i = 0; i < 3000; i++)
    pieces.push(`<Town>Caf\u00e9 \u2019${i}\u2019 \u{1F600}</Town>\n`.repeat(i % 40));
  pieces.push('x'.repeat(3 * 1024 * 1024), '\u20ac'.repeat(700_000), '', 'end\n');
  const text = pieces.join('');
  const bytes = Buffer.from(text, 'utf8');
  const stored = await sunk(pieces);
  assert.equal(stored.sizeBytes, bytes.length);
  assert.equal(stored.sha256, createHash('sha256').update(bytes).digest('hex'));
  assert.ok(gunzipSync(stored.content).equals(bytes));
});

test('an empty document is stored as empty gzip', async () => {
  const stored = await sunk([]);
  assert.equal(stored.sizeBytes, 0);
  assert.equal(gunzipSync(stored.content).length, 0);
  assert.equal(stored.sha256, createHash('sha256').digest('hex'));
});

test('the compression level changes the compressed bytes only', async () => {
  const pieces = Array.from(
    { length: 5000 },
    (_, i) => `<ReferenceNumber>EY${100000 + i}</ReferenceNumber>\n`,
  );
  const fast = await sunk(pieces, 1);
  const small = await sunk(pieces, 9);
  assert.equal(fast.sha256, small.sha256);
  assert.ok(gunzipSync(fast.content).equals(gunzipSync(small.content)));
  assert.ok(small.content.length < fast.content.length);
});

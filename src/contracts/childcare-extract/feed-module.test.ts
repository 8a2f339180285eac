import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const DIR = fileURLToPath(new URL('.', import.meta.url));

test('the feed module imports nothing of either role, so it can move as it is', () => {
  const offending: string[] = [];
  for (const file of readdirSync(DIR).filter((f) => f.endsWith('.ts'))) {
    const text = readFileSync(`${DIR}/${file}`, 'utf8');
    for (const m of text.matchAll(/from '(\.\.?\/[^']+)'/g)) {
      const target = m[1]!;
      // Its own files, and the platform (calendar, reference data), only.
      if (!target.startsWith('./') && !target.startsWith('../../platform/'))
        offending.push(`${file}: ${target}`);
    }
  }
  assert.deepEqual(offending, []);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const DIR = fileURLToPath(new URL('.', import.meta.url));

test("the LA's change detection imports only the platform and the feed document, never the regulator's code, and does no I/O", () => {
  const offending: string[] = [];
  for (const file of readdirSync(DIR).filter((f) => f.endsWith('.ts'))) {
    const text = readFileSync(`${DIR}/${file}`, 'utf8');
    for (const m of text.matchAll(/from '([\w@./:-]+)'/g)) {
      const target = m[1]!;
      // Pure and I/O-free: only the tests use Node's modules.
      if (target.startsWith('node:')) {
        if (!file.endsWith('.test.ts')) offending.push(`${file}: ${target}`);
        continue;
      }
      const allowed =
        target.startsWith('./') ||
        target.startsWith('../../platform/') ||
        target.startsWith('../../contracts/childcare-extract/');
      if (!allowed) offending.push(`${file}: ${target}`);
    }
  }
  assert.deepEqual(offending, []);
});

import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { registrationElement } from '../../contracts/childcare-extract/extract-writer.ts';
import { writerFingerprint, writerIdentity } from './extract-fragments.ts';

/** Every module `file` reaches through relative imports (static, re-exports and dynamic). */
function reachable(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen;
  seen.add(file);
  const source = readFileSync(file, 'utf8');
  for (const [, specifier] of source.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)) {
    const target = path.resolve(path.dirname(file), specifier!);
    if (existsSync(target)) reachable(target, seen);
  }
  return seen;
}

describe("the extract writer's identity", () => {
  test('production extract modules reach nothing of the synthetic register generator', () => {
    const dir = import.meta.dirname;
    const production = readdirSync(dir).filter((name) => name.endsWith('.ts') && !name.endsWith('.test.ts'));
    assert.ok(production.includes('extract-fragments.ts'));
    for (const name of production) {
      const demo = [...reachable(path.join(dir, name))].filter((file) =>
        /synthetic-/.test(path.basename(file)),
      );
      assert.deepEqual(
        demo.map((file) => path.relative(dir, file)),
        [],
        `${name} imports demo code`,
      );
    }
  });

  test('is the fingerprint of the writer as it is, the same on every call', () => {
    assert.match(writerIdentity(), /^[0-9a-f]{32}$/);
    assert.equal(writerIdentity(), writerFingerprint());
    assert.equal(writerFingerprint(), writerFingerprint(registrationElement));
  });

  test('changes when the writer changes how it writes any part of the probe', () => {
    const changes: ((element: string) => string)[] = [
      (element) => element.replace(/<NoticeHistoryList \/>/g, '<NoticeHistoryList></NoticeHistoryList>'),
      (element) => element.replaceAll('&#13;', '\r'),
      (element) => element.replaceAll('<NODDate>', '<NOIDate>').replaceAll('</NODDate>', '</NOIDate>'),
      (element) =>
        element.replaceAll('<ProvisionType>RPP</ProvisionType>', '<ProvisionType>rpp</ProvisionType>'),
      (element) => element.replace(/\n {6}<\/Provider/g, '\n      <ProviderContact />\n    </Provider'),
    ];
    for (const change of changes)
      assert.notEqual(
        writerFingerprint((registration) => change(registrationElement(registration))),
        writerFingerprint(),
        change.toString(),
      );
  });
});

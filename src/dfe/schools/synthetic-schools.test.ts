import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { liveLocalAuthorities } from '../../platform/reference.ts';
import { generateSchools } from './synthetic-schools.ts';

describe('generateSchools', () => {
  const national = generateSchools({ scale: 'national', seed: 7 });

  it('is deterministic per seed', () => {
    assert.deepEqual(generateSchools({ scale: 'national', seed: 7 }), national);
    assert.notDeepEqual(generateSchools({ scale: 'national', seed: 8 }).slice(0, 20), national.slice(0, 20));
  });

  it('has ~22,000 schools over all 153 LAs nationally, ~1/30 for demo', () => {
    assert.ok(Math.abs(national.length - 22_000) < 200, String(national.length));
    const demo = generateSchools({ scale: 'demo', seed: 7 });
    assert.ok(Math.abs(demo.length - 733) < 40, String(demo.length));
    const las = new Set(national.map((s) => s.laCode));
    assert.deepEqual(
      [...las].sort(),
      liveLocalAuthorities().map((la) => la.code),
    );
  });

  it('gives unique 6-digit URNs and valid fields', () => {
    assert.equal(new Set(national.map((s) => s.urn)).size, national.length);
    for (const s of national) {
      assert.ok(s.urn >= 100000 && s.urn <= 999999);
      assert.ok(s.name.length > 0 && s.status === 'Open');
    }
  });

  it('has realistic phase shares', () => {
    const share = (phase: string) =>
      national.filter((s) => s.phaseOfEducation === phase).length / national.length;
    assert.ok(Math.abs(share('Primary') - 0.76) < 0.02);
    assert.ok(Math.abs(share('Secondary') - 0.16) < 0.02);
  });
});

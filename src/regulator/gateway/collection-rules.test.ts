import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  decideCollection,
  inMaintenanceWindow,
  mayCollect,
  type Authorisation,
  type GatewayAccount,
} from './collection-rules.ts';

const laAccount: GatewayAccount = {
  id: 1,
  username: 'bucks',
  kind: 'la',
  laCode: '825',
  organisation: 'Buckinghamshire',
};
const agent: GatewayAccount = {
  id: 2,
  username: 'acme',
  kind: 'agent',
  laCode: null,
  organisation: 'Acme Directories',
};
const authorisation = (overrides: Partial<Authorisation> = {}): Authorisation => ({
  organisation: 'Acme Directories',
  laCode: '825',
  validFrom: '2026-01-01',
  validUntil: '2026-12-31',
  revokedAt: null,
  ...overrides,
});

describe('who may collect', () => {
  test('an LA account collects its own LA and nothing else', () => {
    assert.deepEqual(mayCollect(laAccount, '825', [], '2026-11-02'), { allowed: true, basis: 'own-la' });
    assert.equal(mayCollect(laAccount, '826', [], '2026-11-02').allowed, false);
  });

  test('an agent collects for an LA while its authorisation holds, first and last day included', () => {
    for (const today of ['2026-01-01', '2026-06-30', '2026-12-31']) {
      assert.equal(mayCollect(agent, '825', [authorisation()], today).allowed, true, today);
    }
    for (const today of ['2025-12-31', '2027-01-01']) {
      assert.equal(mayCollect(agent, '825', [authorisation()], today).allowed, false, today);
    }
    assert.equal(mayCollect(agent, '825', [authorisation({ validUntil: null })], '2030-01-01').allowed, true);
  });

  test('a revoked authorisation, another LA’s or another organisation’s gives no access', () => {
    assert.equal(
      mayCollect(agent, '825', [authorisation({ revokedAt: new Date() })], '2026-11-02').allowed,
      false,
    );
    assert.equal(mayCollect(agent, '826', [authorisation()], '2026-11-02').allowed, false);
    assert.equal(
      mayCollect(agent, '825', [authorisation({ organisation: 'Other Ltd' })], '2026-11-02').allowed,
      false,
    );
  });

  test('an unknown or malformed LA code is refused', () => {
    assert.equal(mayCollect(laAccount, '999', [], '2026-11-02').allowed, false);
    assert.equal(mayCollect(laAccount, '82', [], '2026-11-02').allowed, false);
  });
});

describe('what the gateway answers', () => {
  const context = {
    account: laAccount,
    laCode: '825',
    authorisations: [],
    now: new Date('2026-11-02T09:00:00Z'),
    extractReady: true,
  };

  test('success when allowed and ready', () => {
    assert.deepEqual(decideCollection(context), { code: 'Success', extractDate: '2026-11-02' });
  });

  test('not ready yet: ServiceUnavailablePeriod', () => {
    assert.equal(decideCollection({ ...context, extractReady: false }).code, 'ServiceUnavailablePeriod');
  });

  test('another LA: LocalAuthorityAccessInvalid, even when nothing is ready (no probing)', () => {
    assert.equal(
      decideCollection({ ...context, laCode: '826', extractReady: false }).code,
      'LocalAuthorityAccessInvalid',
    );
  });

  test('inside the maintenance window everyone gets ServiceMaintenanceOutage', () => {
    const maintenance = { from: '08:30', to: '09:30' };
    assert.equal(decideCollection({ ...context, maintenance }).code, 'ServiceMaintenanceOutage');
    assert.equal(
      decideCollection({ ...context, maintenance: { from: '09:30', to: '10:00' } }).code,
      'Success',
    );
  });

  test('the maintenance window is London time and may span midnight', () => {
    assert.equal(inMaintenanceWindow(new Date('2026-07-01T22:30:00Z'), { from: '23:00', to: '01:00' }), true); // 23:30 BST
    assert.equal(
      inMaintenanceWindow(new Date('2026-01-01T22:30:00Z'), { from: '23:00', to: '01:00' }),
      false,
    ); // 22:30 GMT
    assert.equal(inMaintenanceWindow(new Date('2026-01-01T00:30:00Z'), { from: '23:00', to: '01:00' }), true);
  });

  test('the extract date is the London date: just after midnight in summer is the next day', () => {
    assert.equal(
      decideCollection({ ...context, now: new Date('2026-07-01T23:30:00Z') }).extractDate,
      '2026-07-02',
    );
  });
});

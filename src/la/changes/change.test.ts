import { test } from 'node:test';
import assert from 'node:assert/strict';
import { everyElementRegistration } from '../../contracts/childcare-extract/feed-fixtures.ts';
import { describeChange, forReview, isAnomaly, type Change, type FieldChange } from './change.ts';

const r = everyElementRegistration('EY700001');
const resigned = { ...everyElementRegistration('EY700001'), status: 'RESG' as const };
const about = { referenceNumber: 'EY700001', laCode: '825' };
const name: FieldChange = {
  field: { element: 'Provider/ProviderName', property: 'provider.name', label: 'Provider name' },
  old: 'Ann',
  new: 'Anne',
  housekeeping: false,
};
const lastChange: FieldChange = {
  field: { element: 'LastChangeDate', property: 'lastChangeDate', label: 'Last changed by Ofsted' },
  old: '2026-01-01',
  new: '2026-11-01',
  housekeeping: true,
};

const every: [Change, boolean, boolean, string][] = [
  [{ ...about, kind: 'new', registration: r }, true, false, 'EY700001 is new in the extract (Active).'],
  [
    { ...about, kind: 'changed', fields: [name, lastChange] },
    true,
    false,
    'EY700001 changed: provider name.',
  ],
  [
    { ...about, kind: 'status-changed', status: { from: 'ACTV', to: 'CANC' }, fields: [lastChange, name] },
    true,
    false,
    'EY700001 went from Active to Cancelled; also changed: provider name.',
  ],
  [
    { ...about, kind: 'housekeeping', fields: [lastChange] },
    false,
    false,
    'EY700001: only the last-change date or status history changed.',
  ],
  [
    { ...about, kind: 'left', lastSeen: resigned },
    true,
    false,
    'EY700001 left the extract after its 60 days as Resigned.',
  ],
  [
    { ...about, kind: 'disappeared', lastSeen: r },
    true,
    true,
    'EY700001 disappeared from the extract while Active: the extract should still hold it, so ask the regulator why.',
  ],
  [{ ...about, kind: 'restored', registration: r }, true, false, 'EY700001 is back in the extract (Active).'],
  [
    { ...about, kind: 'moved', fromLa: '826', registration: r, fields: [] },
    true,
    false,
    'EY700001 moved from LA 826 to LA 825.',
  ],
];

test('every kind: whether a person reviews it, whether it is an anomaly, and its line in plain words', () => {
  for (const [change, review, anomaly, line] of every) {
    assert.equal(forReview(change), review, change.kind);
    assert.equal(isAnomaly(change), anomaly, change.kind);
    assert.equal(describeChange(change), line);
  }
  assert.equal(new Set(every.map(([c]) => c.kind)).size, 8, 'every kind covered');
});

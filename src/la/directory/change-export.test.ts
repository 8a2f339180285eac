import { test } from 'node:test';
import assert from 'node:assert/strict';
import { changesCsv, changesJson, csvCell, exportLines, londonMidnight } from './change-export.ts';
import type { ChangeRow } from './directory-store.ts';

const change = (overrides: Partial<ChangeRow> = {}): ChangeRow => ({
  id: 7,
  laCode: '825',
  referenceNumber: 'EY100001',
  kind: 'changed',
  fromLa: null,
  snapshotId: 2,
  previousSnapshotId: 1,
  fields: [
    {
      field: { element: 'Setting/SettingName', property: 'setting.name', label: 'Setting name' },
      old: 'Acorns',
      new: '=HYPERLINK("http://evil","x")',
      housekeeping: false,
    },
    {
      field: { element: 'LastChangeDate', property: 'lastChangeDate', label: 'Last change date' },
      old: '2020-01-06',
      new: '2026-12-01',
      housekeeping: true,
    },
  ],
  statusFrom: null,
  statusTo: null,
  registration: {} as ChangeRow['registration'],
  provisionType: 'CCN',
  postcodeDistrict: 'HP19',
  reviewState: 'accepted',
  decidedBy: 'Olu Officer',
  decidedAt: new Date('2026-12-01T09:00:00Z'),
  reason: null,
  foundAt: new Date('2026-12-01T06:30:00Z'),
  ...overrides,
});

test('a cell a spreadsheet would run as a formula is neutralised; commas and quotes are quoted', () => {
  for (const start of ['=', '+', '-', '@', '\t', '\r'])
    assert.ok(csvCell(`${start}1+1`).replace(/^"/, '').startsWith(`'${start}`), start);
  assert.equal(csvCell('Acorns, "the" nursery'), '"Acorns, ""the"" nursery"');
  assert.equal(csvCell('Plain'), 'Plain');
  assert.equal(csvCell(825), '825');
});

test('the CSV has one line per field changed, without housekeeping, with the decided state', () => {
  const csv = changesCsv([change()]);
  const lines = csv.trimEnd().split('\r\n');
  assert.equal(lines.length, 2);
  assert.match(lines[0]!, /^Change,LA,Reference number,Kind,Field,Old value,New value,Decided state/);
  assert.equal(
    lines[1],
    `7,825,EY100001,changed,Setting name,Acorns,"'=HYPERLINK(""http://evil"",""x"")",accepted,Olu Officer,2026-12-01T09:00:00.000Z,,2026-12-01T06:30:00.000Z`,
  );
});

test('a status change is one line for the status; a new registration is one line without a field', () => {
  const status = exportLines(
    change({ kind: 'status-changed', statusFrom: 'ACTV', statusTo: 'SUSP', fields: [] }),
  );
  assert.deepEqual(
    status.map((l) => [l.kind, l.field, l.old, l.new]),
    [['status-changed', 'Status', 'ACTV', 'SUSP']],
  );
  const added = exportLines(
    change({ kind: 'new', fields: [], reviewState: 'pending', decidedBy: null, decidedAt: null }),
  );
  assert.deepEqual(
    added.map((l) => [l.kind, l.field, l.state, l.decidedAt]),
    [['new', '', 'pending', '']],
  );
});

test('the JSON keeps values as they are, one object per change', () => {
  const parsed = JSON.parse(changesJson([change()], '2026-12-01')) as {
    since: string;
    changes: { fields: { field: string; new: string }[]; state: string }[];
  };
  assert.equal(parsed.since, '2026-12-01');
  assert.deepEqual(parsed.changes[0]!.fields, [
    { field: 'Setting name', property: 'setting.name', old: 'Acorns', new: '=HYPERLINK("http://evil","x")' },
  ]);
  assert.equal(parsed.changes[0]!.state, 'accepted');
});

test('a London date begins at midnight GMT in winter and 23:00 UTC the day before in summer', () => {
  assert.equal(londonMidnight('2026-12-01').toISOString(), '2026-12-01T00:00:00.000Z');
  assert.equal(londonMidnight('2026-07-01').toISOString(), '2026-06-30T23:00:00.000Z');
});

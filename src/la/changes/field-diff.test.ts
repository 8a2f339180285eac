import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FEED_FIELDS, type FeedField } from '../../contracts/childcare-extract/fields.ts';
import { everyElementRegistration } from '../../contracts/childcare-extract/feed-fixtures.ts';
import { generateRegister } from '../../contracts/childcare-extract/synthetic-register.ts';
import type { Registration } from '../../contracts/childcare-extract/registration.ts';
import { COMPARED_LISTS, LIST_ORDER, fieldChanges, fieldDiff } from './field-diff.ts';

type Bag = Record<string, unknown>;

/** Another value of the same type: text and codes get a letter, numbers one more. */
const other = (value: unknown): unknown => (typeof value === 'number' ? value + 1 : `${String(value)}Z`);

/** Changes one field of `r` in place: a single field, or that field of one item of its list. */
function mutateField(r: Registration, row: FeedField): void {
  const at = row.property.indexOf('[]');
  if (at < 0) {
    const steps = row.property.split('.');
    let bag = r as unknown as Bag;
    for (const step of steps.slice(0, -1)) bag = bag[step] as Bag;
    const last = steps.at(-1)!;
    assert.notEqual(bag[last], undefined, `the fixture has no ${row.property}`);
    bag[last] = other(bag[last]);
    return;
  }
  const items = (r as unknown as Bag)[row.property.slice(0, at)] as unknown[];
  const itemPath = row.property.slice(at + 3);
  // One property, two elements (a notice's date): take an item the element is named after.
  const leaf = row.element.slice(row.element.lastIndexOf('/') + 1);
  const shared = FEED_FIELDS.filter((f) => f.property === row.property).length > 1;
  const index = items.findIndex((item) =>
    shared ? Object.values(item as Bag).some((v) => typeof v === 'string' && leaf.startsWith(v)) : true,
  );
  assert.ok(index >= 0, `the fixture has no item for ${row.element}`);
  if (itemPath === '') items[index] = other(items[index]);
  else (items[index] as Bag)[itemPath] = other((items[index] as Bag)[itemPath]);
}

const compared = FEED_FIELDS.filter((f) => f.property !== 'referenceNumber' && f.property !== 'status');

test('every field of the field table is compared: changing one reports exactly that field, old and new', () => {
  assert.ok(compared.length > 50, 'compared.length > 50');
  for (const row of compared) {
    const before = everyElementRegistration();
    const after = everyElementRegistration();
    mutateField(after, row);
    const changes = fieldChanges(before, after);
    assert.deepEqual(
      changes.map((c) => c.field.element),
      [row.element],
      `changing ${row.element}`,
    );
    const [change] = changes;
    assert.equal(change!.field.label, row.label);
    assert.notEqual(change!.old, change!.new);
    assert.equal(change!.new, other(change!.old));
  }
});

test('every field of generated registrations is compared, whatever the registration carries', () => {
  const registrations = [
    ...generateRegister({ scale: 'demo', seed: 7, today: '2026-11-01', laCodes: ['825'] }),
  ];
  let checked = 0;
  for (const row of compared) {
    const at = row.property.indexOf('[]');
    const list = at < 0 ? undefined : row.property.slice(0, at);
    const leaf = row.element.slice(row.element.lastIndexOf('/') + 1);
    // A registration carrying the field (for a shared property, on an item it is named after).
    const carrier = registrations.find((r) => {
      try {
        if (list === undefined) {
          const value = row.property.split('.').reduce<unknown>((v, s) => (v as Bag | undefined)?.[s], r);
          return value !== undefined;
        }
        const items = ((r as unknown as Bag)[list] as Bag[] | undefined) ?? [];
        const shared = FEED_FIELDS.filter((f) => f.property === row.property).length > 1;
        return items.some(
          (item) => !shared || Object.values(item).some((v) => typeof v === 'string' && leaf.startsWith(v)),
        );
      } catch {
        return false;
      }
    });
    if (!carrier) continue;
    const after = structuredClone(carrier);
    try {
      mutateField(after, row);
    } catch {
      continue; // the carrier's item lacks this optional part
    }
    assert.deepEqual(
      fieldChanges(carrier, after).map((c) => c.field.element),
      [row.element],
      `changing ${row.element} of ${carrier.referenceNumber}`,
    );
    checked++;
  }
  assert.ok(checked > 40, `only ${checked} fields found in the generated register`);
});

test('a field added to the field table is compared without changing the comparison', () => {
  const extra: FeedField = {
    element: 'Provider/ProviderNickname',
    property: 'provider.nickname',
    type: 'text',
    required: false,
    column: 'registration.provider_nickname',
    csv: 'provider_nickname',
    json: 'Provider.ProviderNickname',
    label: 'Provider nickname',
  };
  const diff = fieldDiff([...FEED_FIELDS, extra]);
  const before = everyElementRegistration();
  const after = everyElementRegistration();
  (after.provider as Bag).nickname = 'Nan';
  assert.deepEqual(
    diff(before, after).map((c) => [c.field.element, c.old, c.new]),
    [['Provider/ProviderNickname', undefined, 'Nan']],
  );
  assert.deepEqual(fieldChanges(before, after), [], 'the feed table has no such field');
});

test('lists are compared as multisets: the same items in another order are no change', () => {
  const before = everyElementRegistration();
  const after = everyElementRegistration();
  for (const list of COMPARED_LISTS) ((after as unknown as Bag)[list] as unknown[]).reverse();
  assert.deepEqual(fieldChanges(before, after), []);
  // …but an item sent twice, then once, is a change.
  const twice = everyElementRegistration();
  twice.childcarePeriods.push('ALYR');
  assert.deepEqual(
    fieldChanges(twice, before).map((c) => [c.field.element, c.old, c.new]),
    [['ChildcarePeriodList/ChildcarePeriod[]', 'ALYR', undefined]],
  );
});

test('every list of the field table has a declared order, and no other list is declared', () => {
  assert.deepEqual([...COMPARED_LISTS].sort(), Object.keys(LIST_ORDER).sort());
});

test('a changed item is paired with the old one: one field old → new, with both positions', () => {
  const before = everyElementRegistration();
  const after = everyElementRegistration();
  after.inspections = [
    { inspectionType: 'Regulatory Visit', inspectionDate: '2025-01-01', overallJudgement: 'Met' },
    { ...before.inspections[0]!, overallJudgement: 'Outstanding' },
  ];
  const changes = fieldChanges(before, after);
  assert.deepEqual(
    changes.map((c) => [c.field.label, c.old, c.new, c.item]),
    [
      ['Overall judgement', 'Good', 'Outstanding', { old: 0, new: 1 }],
      ['Inspection type', undefined, 'Regulatory Visit', { new: 0 }],
      ['Inspection date', undefined, '2025-01-01', { new: 0 }],
      ['Overall judgement', undefined, 'Met', { new: 0 }],
    ],
  );
});

test("a notice's date is named after its type (NOIDate or NODDate)", () => {
  const before = everyElementRegistration();
  const after = everyElementRegistration();
  after.notices[1]!.date = '2021-03-01';
  assert.deepEqual(
    fieldChanges(before, after).map((c) => [c.field.element, c.old, c.new]),
    [['NoticeHistoryList/NoticeHistory[]/NODDate', '2021-02-05', '2021-03-01']],
  );
});

test('an absent optional list equals an empty one; a removed setting reports each of its values gone', () => {
  const before = everyElementRegistration();
  const after = everyElementRegistration();
  before.welfareNotices = [];
  delete after.welfareNotices;
  assert.deepEqual(fieldChanges(before, after), []);
  delete after.setting;
  const gone = fieldChanges(before, after);
  assert.ok(gone.length >= 8, 'gone.length >= 8');
  assert.ok(
    gone.every((c) => c.field.element.startsWith('Setting/') && c.new === undefined && c.old !== undefined),
    'every setting value gone, nothing else',
  );
});

test('LastChangeDate and status history changes are marked housekeeping, others not', () => {
  const before = everyElementRegistration();
  const after = everyElementRegistration();
  after.lastChangeDate = '2025-01-01';
  after.statusHistory.push({ status: 'SUSP', changeDate: '2025-01-01' });
  after.provider.name = 'Ann';
  const changes = fieldChanges(before, after);
  assert.deepEqual(
    changes.map((c) => [c.field.element, c.housekeeping]),
    [
      ['Provider/ProviderName', false],
      ['LastChangeDate', true],
      ['RegistrationStatusHistoryList/RegistrationStatusHistory[]/RegistrationStatus', true],
      ['RegistrationStatusHistoryList/RegistrationStatusHistory[]/ChangeDate', true],
    ],
  );
});

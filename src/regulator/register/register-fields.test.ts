import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FEED_FIELDS } from '../../contracts/childcare-extract/fields.ts';
import { everyElementRegistration, exemptAgency } from '../../contracts/childcare-extract/feed-fixtures.ts';
import type { Registration } from '../../contracts/childcare-extract/registration.ts';
import { CHILD_TABLES, REGISTRATION_COLUMNS } from './register-store.ts';
import { readRegisterCsv, REGISTER_CSV_COLUMNS, writeRegisterCsv } from './register-csv.ts';

const sorted = (values: Iterable<string>): string[] => [...new Set(values)].sort();

test('the register stores every field of the table in its declared column, and no column the table lacks', () => {
  const stored = [
    ...REGISTRATION_COLUMNS.map((c) => `registration.${c}`),
    'registration.childcare_periods',
    ...CHILD_TABLES.flatMap((t) => t.columns.map(([c]) => `${t.table}.${c}`)),
  ];
  // Not elements of a registration: the header's LA code, and the date the 60-day rule reads.
  const own = ['registration.la_code', 'registration.status_changed_on'];
  assert.deepEqual(sorted(stored.filter((c) => !own.includes(c))), sorted(FEED_FIELDS.map((f) => f.column)));
});

test('the register CSV has a column for every field of the table, and none the table lacks', () => {
  const base = (csv: string): string => csv.replace(/\[\].*$/, '');
  assert.deepEqual(
    sorted(REGISTER_CSV_COLUMNS.filter((c) => c !== 'la_code')),
    sorted(FEED_FIELDS.map((f) => base(f.csv))),
  );
});

/** CSV cells are trimmed and line breaks read as LF (docs/register-csv.md): the CSV carries text so. */
function trimmed<T>(value: T): T {
  return JSON.parse(JSON.stringify(value), (_key, v: unknown) =>
    typeof v === 'string' ? v.trim().replace(/\r\n?/g, '\n') : v,
  ) as T;
}

test('every field of the table survives the register CSV (trimmed, as the CSV documents)', async () => {
  const registrations: Registration[] = trimmed([everyElementRegistration(), exemptAgency()]);
  assert.deepEqual(await readRegisterCsv(writeRegisterCsv(registrations), 'every.csv'), registrations);
});

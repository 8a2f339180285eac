/**
 * The COPY baseline of bench/register-load: the same rows `upsertRegistrations` writes, as
 * PostgreSQL COPY text-format input, and a fingerprint of the register tables to prove both
 * paths stored the same thing.
 *
 * The child rows come from register-store's exported `CHILD_TABLES`. The registration row is
 * NOT exported there (`REGISTRATION_COLUMNS`/`registrationValues` are private), so it is
 * reimplemented here column for column; the fingerprint check in the bench catches any drift.
 */
import {
  CHILD_TABLES,
  REGISTRATION_COLUMNS,
  registrationValues,
} from '../../src/regulator/register/register-store.ts';
import type { Registration } from '../../src/contracts/childcare-extract/registration.ts';

type Value = string | number | boolean | null;

/** register-store's columns, in its order, plus childcare_periods. */
export const REGISTRATION_COPY_COLUMNS = [...REGISTRATION_COLUMNS, 'childcare_periods'] as const;

/** register-store's own row values, then childcare_periods as an array literal. */
export function registrationCopyValues(r: Registration): Value[] {
  // Period codes are 4 letters/digits (CHILDCARE_PERIODS), so the literal needs no quoting.
  return [...registrationValues(r), `{${r.childcarePeriods.join(',')}}`];
}

/** One COPY text-format field: \N for null, backslash escapes for the characters COPY reserves. */
function copyField(value: Value): string {
  if (value === null) return '\\N';
  if (typeof value === 'boolean') return value ? 't' : 'f';
  const text = String(value);
  return /[\\\t\n\r]/.test(text)
    ? text.replace(/[\\\t\n\r]/g, (c) => ({ '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' })[c]!)
    : text;
}

export interface CopyTable {
  /** Schema-qualified table name. */
  table: string;
  columns: string[];
  rows: number;
  /** COPY text format, one line per row. */
  text: string;
}

/** The COPY input for every register table, registration first (the children reference it). */
export function registerCopyData(registrations: readonly Registration[]): CopyTable[] {
  const lines: string[] = [];
  for (const r of registrations) lines.push(registrationCopyValues(r).map(copyField).join('\t'));
  const tables: CopyTable[] = [
    {
      table: 'regulator.registration',
      columns: [...REGISTRATION_COPY_COLUMNS],
      rows: lines.length,
      text: lines.length > 0 ? lines.join('\n') + '\n' : '',
    },
  ];
  for (const child of CHILD_TABLES) {
    const childLines: string[] = [];
    for (const r of registrations) {
      // seq is the position in the registration's list, as upsertRegistrations numbers it.
      child.rows(r).forEach((row, seq) => {
        childLines.push([r.referenceNumber, seq, ...row].map(copyField).join('\t'));
      });
    }
    tables.push({
      table: `regulator.${child.table}`,
      columns: ['reference_number', 'seq', ...child.columns.map(([name]) => name)],
      rows: childLines.length,
      text: childLines.length > 0 ? childLines.join('\n') + '\n' : '',
    });
  }
  return tables;
}

export function copyStatement(table: CopyTable, source: 'STDIN' | "'/dev/blob'"): string {
  return `copy ${table.table} (${table.columns.join(', ')}) from ${source}`;
}

/** Every table the register load writes, registration first. */
export const REGISTER_TABLES = [
  'regulator.registration',
  ...CHILD_TABLES.map((child) => `regulator.${child.table}`),
];

export interface TableFingerprint {
  table: string;
  rows: number;
  /** md5 of every stored column except updated_at (a load timestamp), in key order. */
  md5: string;
}

/** `query` runs one SQL statement and returns its rows; it lets one function serve both engines. */
export async function fingerprintRegister(
  query: (statement: string) => Promise<Record<string, unknown>[]>,
): Promise<TableFingerprint[]> {
  const fingerprints: TableFingerprint[] = [];
  for (const table of REGISTER_TABLES) {
    const isRegistration = table === 'regulator.registration';
    const columns = isRegistration ? [...REGISTRATION_COPY_COLUMNS, 'version'].join(', ') : '*';
    const order = isRegistration ? 'reference_number' : 'reference_number, seq';
    const [row] = await query(
      `select count(*)::int as rows, md5(coalesce(string_agg(t::text, E'\\n' order by ${order}), '')) as md5
       from (select ${columns} from ${table}) t`,
    );
    fingerprints.push({ table, rows: Number(row?.rows), md5: String(row?.md5) });
  }
  return fingerprints;
}

/** Throws, naming every table that differs, unless both loads stored the same rows. */
export function assertSameRegister(
  engine: string,
  expected: TableFingerprint[],
  actual: TableFingerprint[],
): void {
  const problems: string[] = [];
  for (const want of expected) {
    const got = actual.find((f) => f.table === want.table);
    if (!got) problems.push(`${want.table}: missing`);
    else if (got.rows !== want.rows) problems.push(`${want.table}: ${want.rows} rows vs ${got.rows}`);
    else if (got.md5 !== want.md5) problems.push(`${want.table}: same ${got.rows} rows, different content`);
  }
  if (problems.length > 0) {
    throw new Error(
      `${engine}: the COPY baseline did not store what upsertRegistrations stored:\n  ${problems.join('\n  ')}`,
    );
  }
}

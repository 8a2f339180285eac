/**
 * Baseline (a) of bench/extract-national: PostgreSQL's own `COPY (SELECT …) TO STDOUT` of
 * exactly the rows a daily run reads — every LA's registrations under the 60-day rule
 * (extract-selection.ts, in the form extract-builder.ts queries it) and their child rows — in
 * the builder's order (LA, reference number, document order). The streams are drained and
 * counted, nothing else: no objects, no XML, no gzip, no hash, no storing. The limit of
 * getting the data out, not a rival.
 */
import type pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { CHILD_TABLES } from '../../src/regulator/register/register-store.ts';
import { INACTIVE_STATUSES } from '../../src/contracts/childcare-extract/registration.ts';
import { earliestRetainedChange } from '../../src/regulator/extract/extract-selection.ts';

export interface CopyOutTable {
  table: string;
  statement: string;
  rows: number;
  bytes: number;
  ms: number;
}

/** The builder's where clause over alias `r`. COPY takes no parameters; these are constants. */
function selection(extractDate: string): string {
  const inactive = INACTIVE_STATUSES.map((s) => `'${s}'`).join(', ');
  return `(r.status not in (${inactive}) or r.status_changed_on >= '${earliestRetainedChange(extractDate)}'::date)`;
}

/** One COPY per register table: the registration rows as the builder selects them (all columns), then each child table with the columns completeRegistrations reads. */
export function copyOutStatements(extractDate: string): { table: string; statement: string }[] {
  const where = selection(extractDate);
  return [
    {
      table: 'registration',
      statement: `copy (select r.* from regulator.registration r where ${where}
        order by r.la_code, r.reference_number) to stdout`,
    },
    ...CHILD_TABLES.map((child) => ({
      table: child.table,
      statement: `copy (select c.reference_number, ${child.columns.map(([name]) => `c.${name}`).join(', ')}
        from regulator.${child.table} c join regulator.registration r using (reference_number)
        where ${where} order by r.la_code, c.reference_number, c.seq) to stdout`,
    })),
  ];
}

/** Runs the statements one after another on one connection, draining each stream. */
export async function copyOut(pool: pg.Pool, extractDate: string): Promise<CopyOutTable[]> {
  const client = await pool.connect();
  try {
    const out: CopyOutTable[] = [];
    for (const { table, statement } of copyOutStatements(extractDate)) {
      const started = performance.now();
      const stream = client.query(copyTo(statement));
      let bytes = 0;
      for await (const chunk of stream as AsyncIterable<Buffer>) bytes += chunk.length;
      out.push({ table, statement, rows: stream.rowCount, bytes, ms: performance.now() - started });
    }
    return out;
  } finally {
    client.release();
  }
}

/**
 * Writing and reading `dfe.school`. Bulk writes send one array per column
 * (`insert … select from unnest(…)`), so a batch of thousands is one statement on either engine.
 */
import { sql, type Transaction } from 'kysely';
import type { Database } from '../../platform/db/database.ts';
import type { EdgateDatabase } from '../../platform/db/schema.ts';
import type { School } from './school.ts';
import { schoolsDb } from './tables.ts';

type Executor = Database | Transaction<EdgateDatabase>;

const BATCH = 1000;

export interface UpsertCounts {
  added: number;
  replaced: number;
}

/**
 * Adds new schools and replaces existing ones (same URN) whole. Schools absent from the input
 * are kept: GIAS lists closed schools with status "Closed" rather than dropping them. Call
 * inside a transaction when the import must be all-or-nothing.
 */
export async function upsertSchools(
  db: Executor,
  schools: readonly School[],
  /** When: the database's clock unless given (the demo world passes its own). */
  now?: Date,
): Promise<UpsertCounts> {
  const at = now ?? null;
  const counts: UpsertCounts = { added: 0, replaced: 0 };
  for (let start = 0; start < schools.length; start += BATCH) {
    const batch = schools.slice(start, start + BATCH);
    const written = await sql<{ added: boolean }>`
      insert into dfe.school (urn, name, la_code, type_of_establishment, phase_of_education, status, street, town, postcode,
        updated_at)
      select *, coalesce(${at}::timestamptz, now()) from unnest(
        ${batch.map((s) => s.urn)}::integer[],
        ${batch.map((s) => s.name)}::text[],
        ${batch.map((s) => s.laCode)}::text[],
        ${batch.map((s) => s.typeOfEstablishment)}::text[],
        ${batch.map((s) => s.phaseOfEducation)}::text[],
        ${batch.map((s) => s.status)}::text[],
        ${batch.map((s) => s.street)}::text[],
        ${batch.map((s) => s.town)}::text[],
        ${batch.map((s) => s.postcode)}::text[]
      )
      on conflict (urn) do update set
        name = excluded.name,
        la_code = excluded.la_code,
        type_of_establishment = excluded.type_of_establishment,
        phase_of_education = excluded.phase_of_education,
        status = excluded.status,
        street = excluded.street,
        town = excluded.town,
        postcode = excluded.postcode,
        updated_at = excluded.updated_at
      returning (xmax = 0) as added
    `.execute(db);
    for (const row of written.rows) counts[row.added ? 'added' : 'replaced']++;
  }
  return counts;
}

export async function schoolByUrn(db: Database, urn: number): Promise<School | undefined> {
  const row = await schoolsDb(db)
    .selectFrom('dfe.school')
    .selectAll()
    .where('urn', '=', urn)
    .executeTakeFirst();
  if (row === undefined) return undefined;
  return {
    urn: row.urn,
    name: row.name,
    laCode: row.la_code,
    typeOfEstablishment: row.type_of_establishment,
    phaseOfEducation: row.phase_of_education,
    status: row.status,
    street: row.street,
    town: row.town,
    postcode: row.postcode,
  };
}

/**
 * Each registration's `<Registration>` element, kept from one daily run to the next.
 *
 * The element is a pure function of the registration (extract-writer.ts), and few registrations
 * change from one day to the next, so a run need not read every registration's six tables and
 * write its XML again: it reads the element it stored last time, and builds afresh only those of
 * registrations changed since. A stored element counts only while both of these still hold:
 *
 * - the registration's `version` is the one it was written from: every change to a
 *   registration or its lists bumps the version in the same transaction (register-store.ts,
 *   record-status-change.ts);
 * - the writer's identity is the one it was written with: a fingerprint of the writer's output
 *   for a fixed set of registrations (`writerIdentity`), so a release that changes the document's
 *   form stops every stored element from counting, with nothing for anyone to remember to bump.
 *
 * Otherwise the element is built from the register and stored for the next run. A document is
 * therefore byte for byte what the writer makes of the register, whichever way each element came.
 */
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { Database } from '../../platform/db/database.ts';
import { executePrepared } from '../../platform/db/prepared-statements.ts';
import { INACTIVE_STATUSES, type Registration } from '../../contracts/childcare-extract/registration.ts';
import { registrationElement } from '../../contracts/childcare-extract/extract-writer.ts';
import { writerProbeRegistrations } from '../../contracts/childcare-extract/writer-probe.ts';

/** Where a batch starts: after `after` in reference-number order ('' for the first). */
export interface BatchRequest {
  laCode: string;
  /** The 60-day rule as a query applies it: inactive registrations changed on or after this date stay. */
  earliestRetainedChange: string;
  after: string;
  limit: number;
}

let identity: string | undefined;

/** SHA-256 of what `write` makes of the writer's probe (feed/writer-probe.ts), as 32 hex digits. */
export function writerFingerprint(
  write: (registration: Registration) => string = registrationElement,
): string {
  const hash = createHash('sha256');
  for (const registration of writerProbeRegistrations()) hash.update(write(registration));
  return hash.digest('hex').slice(0, 32);
}

/** The writer's identity: its fingerprint, made once a process. */
export function writerIdentity(): string {
  identity ??= writerFingerprint();
  return identity;
}

/**
 * Stands for an element to be built afresh in a batch's text: U+0001, a character XML 1.0 does
 * not allow and the writer never writes (escapeText removes it), so it cannot occur in an element.
 */
export const FRESH_ELEMENT = '\u0001';

/** One batch of an extract's registrations, read with their stored elements. */
export interface FragmentBatch {
  /** Registrations in the batch. */
  count: number;
  /** Reference number of the last: where the next batch starts. */
  last: string | null;
  /** Registrations whose element must be built afresh, in reference-number order. */
  fresh: string[];
  /** The stored elements in reference-number order, FRESH_ELEMENT where one is built afresh. */
  text: string;
}

/**
 * One batch of the extract's selection (extract-selection.ts, as the query applies it), in
 * reference-number order, as one text of the stored elements that still count: a batch is then
 * one value to send and to receive, not a thousand rows.
 *
 * The aggregates take the rows in the order the subquery sorted them (no ORDER BY of their own:
 * that would sort the thousand elements again). PostgreSQL does keep that order, but does not
 * promise to, so the reference numbers come back aggregated in the same pass and are checked.
 */
export async function readFragmentBatch(
  db: Database,
  request: BatchRequest,
  writer: string,
): Promise<FragmentBatch> {
  const statement = sql<{ refs: string[] | null; fresh: string[] | null; text: string | null }>`
    select array_agg(reference_number) as refs,
      array_agg(reference_number) filter (where xml is null) as fresh,
      string_agg(coalesce(xml, ${FRESH_ELEMENT}), '') as text
    from (
      select r.reference_number, f.xml
      from regulator.registration r
      left join regulator.extract_fragment f
        on f.reference_number = r.reference_number and f.registration_version = r.version and f.writer = ${writer}
      where r.la_code = ${request.laCode}
        and r.reference_number > ${request.after}
        and (r.status <> all(${[...INACTIVE_STATUSES]}::text[]) or r.status_changed_on >= ${request.earliestRetainedChange}::date)
      order by r.reference_number
      limit ${request.limit}
    ) batch
  `;
  const rows = await executePrepared(db, statement.compile(db));
  const refs = rows[0]?.refs ?? [];
  for (let i = 1; i < refs.length; i++) {
    // The "C" collation of reference_number sorts by bytes; for reference numbers (letters and
    // digits) that is JavaScript's order of strings too.
    if (refs[i - 1]! >= refs[i]!)
      throw new Error(`the register returned batch ${request.laCode}/${request.after} out of order`);
  }
  return {
    count: refs.length,
    last: refs.at(-1) ?? null,
    fresh: rows[0]?.fresh ?? [],
    text: rows[0]?.text ?? '',
  };
}

export interface Fragment {
  referenceNumber: string;
  registrationVersion: number;
  xml: string;
}

/**
 * Stores freshly built elements. An element never replaces one written from a later version of
 * its registration (a slower run finishing after a faster one must not put an older one back).
 */
export async function storeFragments(
  db: Database,
  fragments: readonly Fragment[],
  writer: string,
): Promise<void> {
  if (fragments.length === 0) return;
  // One parameter per value: a text[] parameter would be escaped element by element by the
  // driver and parsed again by the server, a second pass over every byte of the XML.
  const rows = fragments.map(
    (f) => sql`(${f.referenceNumber}, ${f.registrationVersion}::integer, ${writer}, ${f.xml})`,
  );
  await sql`
    insert into regulator.extract_fragment (reference_number, registration_version, writer, xml)
    values ${sql.join(rows)}
    on conflict (reference_number) do update set
      registration_version = excluded.registration_version, writer = excluded.writer, xml = excluded.xml,
      written_at = now()
    where regulator.extract_fragment.registration_version <= excluded.registration_version
       or regulator.extract_fragment.writer <> excluded.writer
  `.execute(db);
}

/** Removes elements whose registration is gone; returns how many. */
export async function pruneFragments(db: Database): Promise<number> {
  const result = await sql`
    delete from regulator.extract_fragment f
    where not exists (select 1 from regulator.registration r where r.reference_number = f.reference_number)
  `.execute(db);
  return Number(result.numAffectedRows ?? 0);
}

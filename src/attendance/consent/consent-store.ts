/**
 * Recording consents. Each change writes the current state (`dfe.consent`) and an event
 * (`dfe.consent_event`) in one transaction, so the history of who consented, who removed it and who
 * recorded it is never lost when a consent is given again.
 */
import { sql } from 'kysely';
import type { Database } from '../../platform/db/database.ts';
import type { Consent, ConsentGiven } from './consent.ts';

interface ConsentRow {
  client_id: string;
  urn: number;
  given_by: string;
  given_at: Date;
  recorded_at: Date;
  recorded_by: string;
  withdrawn_at: Date | null;
  withdrawn_by: string | null;
}

function consentOf(row: ConsentRow): Consent {
  return {
    clientId: row.client_id,
    urn: row.urn,
    givenBy: row.given_by,
    givenAt: row.given_at,
    recordedAt: row.recorded_at,
    recordedBy: row.recorded_by,
    withdrawnAt: row.withdrawn_at,
    withdrawnBy: row.withdrawn_by,
  };
}

export interface Recording {
  clientId: string;
  urn: number;
  /** Who recorded it: `supplier` for the API, or the administrator's name for the CLI. */
  recordedBy: string;
  now: Date;
}

/** Records a consent (again): it is active from now, whatever was recorded before. */
export async function giveConsent(db: Database, recording: Recording, given: ConsentGiven): Promise<Consent> {
  return db.transaction().execute(async (tx) => {
    const result = await sql<ConsentRow>`
      insert into dfe.consent (client_id, urn, given_by, given_at, recorded_at, recorded_by)
      values (${recording.clientId}, ${recording.urn}, ${given.givenBy}, ${given.givenAt}, ${recording.now}, ${recording.recordedBy})
      on conflict (client_id, urn) do update set
        given_by = excluded.given_by, given_at = excluded.given_at,
        recorded_at = excluded.recorded_at, recorded_by = excluded.recorded_by,
        withdrawn_at = null, withdrawn_by = null
      returning *
    `.execute(tx);
    await sql`
      insert into dfe.consent_event (client_id, urn, event, person, at, recorded_at, recorded_by)
      values (${recording.clientId}, ${recording.urn}, 'given', ${given.givenBy}, ${given.givenAt}, ${recording.now}, ${recording.recordedBy})
    `.execute(tx);
    const row = result.rows[0];
    if (!row) throw new Error('consent was not written');
    return consentOf(row);
  });
}

/** Records that an active consent was removed; undefined when there was none to remove. */
export async function withdrawConsent(
  db: Database,
  recording: Recording,
  withdrawnBy: string,
): Promise<Consent | undefined> {
  return db.transaction().execute(async (tx) => {
    const result = await sql<ConsentRow>`
      update dfe.consent set withdrawn_at = ${recording.now}, withdrawn_by = ${withdrawnBy}
      where client_id = ${recording.clientId} and urn = ${recording.urn} and withdrawn_at is null
      returning *
    `.execute(tx);
    const row = result.rows[0];
    if (!row) return undefined;
    await sql`
      insert into dfe.consent_event (client_id, urn, event, person, at, recorded_at, recorded_by)
      values (${recording.clientId}, ${recording.urn}, 'withdrawn', ${withdrawnBy}, ${recording.now}, ${recording.now}, ${recording.recordedBy})
    `.execute(tx);
    return consentOf(row);
  });
}

export async function consentOfSchool(
  db: Database,
  clientId: string,
  urn: number,
): Promise<Consent | undefined> {
  const result = await sql<ConsentRow>`
    select * from dfe.consent where client_id = ${clientId} and urn = ${urn}
  `.execute(db);
  return result.rows[0] && consentOf(result.rows[0]);
}

export interface ConsentListing extends Consent {
  clientName: string;
}

/** Every consent recorded for a school (or all schools), with the supplier's name. */
export async function listConsents(
  db: Database,
  filter: { urn?: number; clientId?: string },
): Promise<ConsentListing[]> {
  const result = await sql<ConsentRow & { client_name: string }>`
    select k.*, c.name as client_name from dfe.consent k join dfe.oauth_client c on c.id = k.client_id
    where (${filter.urn ?? null}::integer is null or k.urn = ${filter.urn ?? null}::integer)
      and (${filter.clientId ?? null}::text is null or k.client_id = ${filter.clientId ?? null}::text)
    order by k.urn, c.name
  `.execute(db);
  return result.rows.map((row) => ({ ...consentOf(row), clientName: row.client_name }));
}

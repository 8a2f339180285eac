/**
 * Recording consents. Each change writes the current state (`dfe.consent`) and an event
 * (`dfe.consent_event`) in one transaction, so the history of who consented, who removed it and who
 * recorded it is never lost when a consent is given again.
 */
import { sql } from 'kysely';
import type { Database } from '../../platform/db/database.ts';
import type { Consent, ConsentGiven } from './consent.ts';
import { decideConsent } from './supplier-change.ts';

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

/**
 * Records a consent (again): it is active from now, whatever was recorded before. Refused by the
 * database (`consent_one_current_supplier`) when another supplier holds the school: use
 * `requestConsent`, which decides first.
 */
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

function isUniqueViolation(error: unknown, constraint: string): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, constraint: name } = error as { code?: unknown; constraint?: unknown };
  return code === '23505' && (name === undefined || name === constraint);
}

/** The client holding the school's active consent: its current supplier. */
export async function currentSupplierOf(db: Database, urn: number): Promise<string | undefined> {
  const result = await sql<{ client_id: string }>`
    select client_id from dfe.consent where urn = ${urn} and withdrawn_at is null
  `.execute(db);
  return result.rows[0]?.client_id;
}

export type ConsentOutcome =
  | { kind: 'recorded'; consent: Consent }
  /** Another supplier holds the school: the consent waits as a pending change of supplier. */
  | { kind: 'pending-change'; currentSupplier: string };

/**
 * A supplier's (or an administrator's) consent for a school: recorded when no other supplier holds
 * the school, otherwise held as a pending change of supplier (`decideConsent`). Two suppliers
 * asking at once for a school nobody holds: the database lets one in, the other waits as a change.
 */
export async function requestConsent(
  db: Database,
  recording: Recording,
  given: ConsentGiven,
): Promise<ConsentOutcome> {
  let decision = decideConsent(recording.clientId, await currentSupplierOf(db, recording.urn));
  if (decision.kind === 'record') {
    try {
      const consent = await giveConsent(db, recording, given);
      // A change this supplier asked for earlier is moot now that nobody else holds the school.
      await sql`
        update dfe.supplier_change set status = 'confirmed', decided_at = ${recording.now},
          decided_by = 'edgate: no other supplier held the school when its consent was given again'
        where urn = ${recording.urn} and client_id = ${recording.clientId} and status = 'pending'
      `.execute(db);
      return { kind: 'recorded', consent };
    } catch (error) {
      if (!isUniqueViolation(error, 'consent_one_current_supplier')) throw error;
      const holder = await currentSupplierOf(db, recording.urn);
      if (holder === undefined || holder === recording.clientId) throw error;
      decision = { kind: 'pending-change', currentSupplier: holder };
    }
  }
  await sql`
    insert into dfe.supplier_change (urn, client_id, holder_client_id, given_by, given_at, requested_at)
    values (${recording.urn}, ${recording.clientId}, ${decision.currentSupplier}, ${given.givenBy},
      ${given.givenAt}, ${recording.now})
    on conflict (urn, client_id) where status = 'pending' do update set
      holder_client_id = excluded.holder_client_id, given_by = excluded.given_by,
      given_at = excluded.given_at, requested_at = excluded.requested_at
  `.execute(db);
  return decision;
}

export interface SupplierChange {
  id: number;
  urn: number;
  schoolName: string | null;
  /** The supplier asking to serve the school. */
  clientId: string;
  clientName: string;
  /** The school's current supplier now (undefined if its consent was removed meanwhile). */
  currentClientId: string | null;
  currentClientName: string | null;
  givenBy: string;
  givenAt: Date;
  requestedAt: Date;
}

interface SupplierChangeRow {
  id: number | string;
  urn: number;
  school_name: string | null;
  client_id: string;
  client_name: string;
  current_client_id: string | null;
  current_client_name: string | null;
  given_by: string;
  given_at: Date;
  requested_at: Date;
}

/** Changes of supplier waiting for a DfE administrator, oldest first (of one school, or all). */
export async function pendingSupplierChanges(
  db: Database,
  filter: { urn?: number; id?: number } = {},
): Promise<SupplierChange[]> {
  const result = await sql<SupplierChangeRow>`
    select c.id, c.urn, s.name as school_name, c.client_id, n.name as client_name,
      k.client_id as current_client_id, h.name as current_client_name, c.given_by, c.given_at, c.requested_at
    from dfe.supplier_change c
    join dfe.oauth_client n on n.id = c.client_id
    left join dfe.school s on s.urn = c.urn
    left join dfe.consent k on k.urn = c.urn and k.withdrawn_at is null
    left join dfe.oauth_client h on h.id = k.client_id
    where c.status = 'pending'
      and (${filter.urn ?? null}::integer is null or c.urn = ${filter.urn ?? null}::integer)
      and (${filter.id ?? null}::bigint is null or c.id = ${filter.id ?? null}::bigint)
    order by c.requested_at, c.id
  `.execute(db);
  return result.rows.map((row) => ({
    id: Number(row.id),
    urn: row.urn,
    schoolName: row.school_name,
    clientId: row.client_id,
    clientName: row.client_name,
    currentClientId: row.current_client_id,
    currentClientName: row.current_client_name,
    givenBy: row.given_by,
    givenAt: row.given_at,
    requestedAt: row.requested_at,
  }));
}

export interface SupplierChangeDecision {
  /** The change to decide; with only a URN, the school must have exactly one pending change. */
  id?: number;
  urn?: number;
  clientId?: string;
  decision: 'confirm' | 'reject';
  /** The DfE administrator deciding, named in the audit. */
  decidedBy: string;
  now: Date;
}

export type SupplierChangeOutcome =
  | { kind: 'decided'; change: SupplierChange }
  | { kind: 'none' }
  | { kind: 'ambiguous'; changes: SupplierChange[] };

/**
 * A DfE administrator's decision on a pending change of supplier, in one transaction. Confirmed: the
 * current supplier's consent is removed and the new supplier's recorded (both in the consent
 * history, naming the administrator); from then on only the new supplier's figures are stored.
 * Rejected: the current supplier stays. Either way the change keeps who decided and when.
 */
export async function decideSupplierChange(
  db: Database,
  decision: SupplierChangeDecision,
): Promise<SupplierChangeOutcome> {
  return db.transaction().execute(async (tx) => {
    const changes = (
      await pendingSupplierChanges(tx, {
        ...(decision.urn === undefined ? {} : { urn: decision.urn }),
        ...(decision.id === undefined ? {} : { id: decision.id }),
      })
    ).filter((c) => decision.clientId === undefined || c.clientId === decision.clientId);
    const change = changes[0];
    if (!change) return { kind: 'none' };
    if (changes.length > 1) return { kind: 'ambiguous', changes };
    // Decided once: a second administrator deciding at the same moment finds nothing pending.
    const claimed = await sql`
      update dfe.supplier_change set status = ${decision.decision === 'confirm' ? 'confirmed' : 'rejected'},
        decided_at = ${decision.now}, decided_by = ${decision.decidedBy}
      where id = ${change.id} and status = 'pending'
    `.execute(tx);
    if (Number(claimed.numAffectedRows ?? 0) !== 1) return { kind: 'none' };
    if (decision.decision === 'confirm') {
      const recordedBy = `DfE administrator ${decision.decidedBy} (change of supplier confirmed)`;
      const removed = await sql<{ client_id: string }>`
        update dfe.consent set withdrawn_at = ${decision.now}, withdrawn_by = ${recordedBy}
        where urn = ${change.urn} and withdrawn_at is null and client_id <> ${change.clientId}
        returning client_id
      `.execute(tx);
      for (const row of removed.rows)
        await sql`
          insert into dfe.consent_event (client_id, urn, event, person, at, recorded_at, recorded_by)
          values (${row.client_id}, ${change.urn}, 'withdrawn', ${decision.decidedBy}, ${decision.now},
            ${decision.now}, ${recordedBy})
        `.execute(tx);
      await sql`
        insert into dfe.consent (client_id, urn, given_by, given_at, recorded_at, recorded_by)
        values (${change.clientId}, ${change.urn}, ${change.givenBy}, ${change.givenAt}, ${decision.now}, ${recordedBy})
        on conflict (client_id, urn) do update set
          given_by = excluded.given_by, given_at = excluded.given_at,
          recorded_at = excluded.recorded_at, recorded_by = excluded.recorded_by,
          withdrawn_at = null, withdrawn_by = null
      `.execute(tx);
      await sql`
        insert into dfe.consent_event (client_id, urn, event, person, at, recorded_at, recorded_by)
        values (${change.clientId}, ${change.urn}, 'given', ${change.givenBy}, ${change.givenAt},
          ${decision.now}, ${recordedBy})
      `.execute(tx);
    }
    return { kind: 'decided', change };
  });
}

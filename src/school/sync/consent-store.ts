/**
 * A school's consent to send its attendance: given and removed by a named person, kept with the
 * receiver's answer when it was told. Removing consent cancels the school's queued sends in the
 * same transaction, so nothing more leaves after it.
 */
import type { Database } from '../../platform/db/database.ts';
import type { ConsentOutcome, ReceiverClient } from './receiver-client.ts';
import './tables.ts';

export interface Consent {
  id: number;
  urn: number;
  givenBy: string;
  givenAt: Date;
  removedBy: string | null;
  removedAt: Date | null;
  receiverToldAt: Date | null;
  receiverOutcome: string | null;
  removalToldAt: Date | null;
  removalOutcome: string | null;
}

export class ConsentError extends Error {}

function consentOf(row: {
  id: number;
  urn: number;
  given_by: string;
  given_at: Date;
  removed_by: string | null;
  removed_at: Date | null;
  receiver_told_at: Date | null;
  receiver_outcome: string | null;
  removal_told_at: Date | null;
  removal_outcome: string | null;
}): Consent {
  return {
    id: row.id,
    urn: row.urn,
    givenBy: row.given_by,
    givenAt: new Date(row.given_at),
    removedBy: row.removed_by,
    removedAt: row.removed_at && new Date(row.removed_at),
    receiverToldAt: row.receiver_told_at && new Date(row.receiver_told_at),
    receiverOutcome: row.receiver_outcome,
    removalToldAt: row.removal_told_at && new Date(row.removal_told_at),
    removalOutcome: row.removal_outcome,
  };
}

/** The school's active consent, if any. */
export async function activeConsent(db: Database, urn: number): Promise<Consent | undefined> {
  const row = await db
    .selectFrom('school.consent')
    .selectAll()
    .where('urn', '=', urn)
    .where('removed_at', 'is', null)
    .executeTakeFirst();
  return row && consentOf(row);
}

/** Every consent the school gave, newest first. */
export async function consentHistory(db: Database, urn: number): Promise<Consent[]> {
  const rows = await db
    .selectFrom('school.consent')
    .selectAll()
    .where('urn', '=', urn)
    .orderBy('given_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
  return rows.map(consentOf);
}

/** The URNs of every consenting school, in order. */
export async function consentingUrns(db: Database): Promise<number[]> {
  const rows = await db
    .selectFrom('school.consent')
    .select('urn')
    .where('removed_at', 'is', null)
    .orderBy('urn')
    .execute();
  return rows.map((r) => r.urn);
}

const told = (outcome: ConsentOutcome | undefined, now: Date) =>
  outcome === undefined
    ? { at: null, text: 'No receiver is set up yet: it will be told at the next sync.' }
    : { at: outcome.kind === 'failed' ? null : now, text: outcome.reason };

/** Records the consent, then tells the receiver (when one is set up). */
export async function giveConsent(
  db: Database,
  receiver: ReceiverClient | undefined,
  consent: { urn: number; givenBy: string; now: Date },
): Promise<Consent> {
  const inserted = await db
    .insertInto('school.consent')
    .values({ urn: consent.urn, given_by: consent.givenBy, given_at: consent.now })
    .onConflict((oc) => oc.column('urn').where('removed_at', 'is', null).doNothing())
    .returning('id')
    .executeTakeFirst();
  if (!inserted) throw new ConsentError('This school has already given consent.');
  return tellReceiverOfConsent(db, receiver, inserted.id, consent.now);
}

/** Tells the receiver of a consent (again, when it could not be told before). */
export async function tellReceiverOfConsent(
  db: Database,
  receiver: ReceiverClient | undefined,
  consentId: number,
  now: Date,
): Promise<Consent> {
  const row = await db
    .selectFrom('school.consent')
    .selectAll()
    .where('id', '=', consentId)
    .executeTakeFirstOrThrow();
  const outcome = await receiver?.recordConsent(row.urn, row.given_by, new Date(row.given_at));
  const { at, text } = told(outcome, now);
  const updated = await db
    .updateTable('school.consent')
    .set({ receiver_told_at: at, receiver_outcome: text })
    .where('id', '=', consentId)
    .returningAll()
    .executeTakeFirstOrThrow();
  return consentOf(updated);
}

/** Records the removal and cancels the school's queued sends at once, then tells the receiver. */
export async function removeConsent(
  db: Database,
  receiver: ReceiverClient | undefined,
  removal: { urn: number; removedBy: string; now: Date },
): Promise<Consent> {
  const removed = await db.transaction().execute(async (tx) => {
    const row = await tx
      .updateTable('school.consent')
      .set({ removed_by: removal.removedBy, removed_at: removal.now })
      .where('urn', '=', removal.urn)
      .where('removed_at', 'is', null)
      .returning('id')
      .executeTakeFirst();
    if (!row) return undefined;
    await tx
      .updateTable('school.submission')
      .set({
        state: 'cancelled',
        failure: 'Not sent: consent was removed before it was sent.',
        finished_at: removal.now,
        lease_until: null,
      })
      .where('urn', '=', removal.urn)
      .where('state', '=', 'queued')
      .execute();
    return row;
  });
  if (!removed) throw new ConsentError('This school has not given consent, so there is none to remove.');
  const outcome = await receiver?.withdrawConsent(removal.urn, removal.removedBy);
  const { at, text } = told(outcome, removal.now);
  const updated = await db
    .updateTable('school.consent')
    .set({ removal_told_at: at, removal_outcome: text })
    .where('id', '=', removed.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  return consentOf(updated);
}

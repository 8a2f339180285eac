/**
 * The twice-daily sync: for every consenting school, today and the previous 7 school days
 * (send-window.ts), through an outbox.
 *
 * - **Outbox first.** The exact body is stored (`queued`, with its Idempotency-Key) before it is
 *   sent. A crash between the two leaves it `queued`; a crash while sending leaves it `sending`
 *   with a lease that runs out. Either way the next run sends that same body with the same key,
 *   so the receiver stores it once (it replays its first answer for a key it has seen).
 * - **One send per school per sync, across instances.** A send is unique per (school, slot), the
 *   slot naming the sync ("2026-11-20 08:30"): two instances running the same sync insert one row,
 *   and a send is taken by a conditional update (`queued` → `sending`), which only one wins.
 * - **One school never holds another.** Schools are sent a few at a time, each in its own
 *   try/catch; a receiver that stalls is cut off by the client's timeout.
 * - **Consent is checked at the claim**: a send of a school whose consent was removed is not sent.
 */
import { createHash, randomUUID } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { sql } from 'kysely';
import type { Database } from '../../platform/db/database.ts';
import type { AttendanceSubmissionBody } from '../../contracts/attendance/submission.ts';
import type { ReceiverClient, SendOutcome } from './receiver-client.ts';
import type { SubmissionState } from './tables.ts';
import { activeConsent, consentingUrns, tellReceiverOfConsent } from './consent-store.ts';

/** What one school would send now. */
export interface PreparedSend {
  /** The school days covered, oldest first. */
  dates: string[];
  body: AttendanceSubmissionBody;
}

/** Where a school's send comes from: its marks, enrolments and calendar (the school data). */
export interface SchoolAttendanceSource {
  /** The body of a send made at `now`; undefined when there is nothing to send (a long break). */
  prepare(urn: number, now: Date): Promise<PreparedSend | undefined>;
}

export interface SyncOptions {
  now: Date;
  receiver: ReceiverClient;
  source: SchoolAttendanceSource;
  /** Only these schools (each must have consented); every consenting school when not given. */
  urns?: readonly number[];
  /** The sync this is ("2026-11-20 08:30" for a scheduled one); a fresh one when not given. */
  slot?: string;
  /** Schools sent at once. */
  concurrency?: number;
  /** How long a claimed send is ours before another run may take it over. */
  leaseSeconds?: number;
  /** A line per school as it finishes (the CLI prints them). */
  progress?: (line: string, done: number, total: number) => void;
  /** Tests: called once a send is stored, before it is sent (a throw there is a crash). */
  afterStored?: (id: string) => void | Promise<void>;
}

export interface SchoolSyncResult {
  urn: number;
  /** The sends made for this school in this run (leftovers of a crash first). */
  sends: { id: string; state: SubmissionState; reason: string }[];
  /** Why nothing was sent, or what went wrong before sending. */
  note?: string;
}

const DEFAULT_LEASE_SECONDS = 600;

export async function syncSchools(db: Database, options: SyncOptions): Promise<SchoolSyncResult[]> {
  const consenting = await consentingUrns(db);
  const urns = options.urns ? options.urns.filter((urn) => consenting.includes(urn)) : consenting;
  const slot = options.slot ?? `manual ${options.now.toISOString()} ${randomUUID().slice(0, 8)}`;
  const results: SchoolSyncResult[] = [];
  let next = 0;
  const worker = async () => {
    while (next < urns.length) {
      const urn = urns[next++]!;
      let result: SchoolSyncResult;
      try {
        result = await syncSchool(db, urn, slot, options);
      } catch (error) {
        // One school's trouble (its data, a crash hook) is its own.
        result = { urn, sends: [], note: `Not sent: ${(error as Error).message}` };
      }
      results.push(result);
      options.progress?.(describeResult(result), results.length, urns.length);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 8) }, worker));
  return results.sort((a, b) => a.urn - b.urn);
}

export function describeResult(result: SchoolSyncResult): string {
  const sends = result.sends.map((s) => `${s.state}${s.reason ? ` (${s.reason})` : ''}`);
  return `${result.urn}: ${[...sends, ...(result.note ? [result.note] : [])].join('; ') || 'nothing to do'}`;
}

async function syncSchool(
  db: Database,
  urn: number,
  slot: string,
  options: SyncOptions,
): Promise<SchoolSyncResult> {
  const { now } = options;
  const result: SchoolSyncResult = { urn, sends: [] };
  const consent = await activeConsent(db, urn);
  if (!consent) return { ...result, note: 'no consent' };
  // The receiver was not told of the consent (it was down, or not set up): tell it first, as an
  // edgate receiver refuses figures of a school it holds no consent for.
  if (consent.receiverToldAt === null) await tellReceiverOfConsent(db, options.receiver, consent.id, now);

  // Leftovers of a run that crashed: sent as stored, with their key.
  for (const id of await unfinishedSends(db, urn, now)) {
    const sent = await claimAndSend(db, id, options);
    if (sent) result.sends.push(sent);
  }

  const prepared = await options.source.prepare(urn, now);
  if (!prepared || prepared.body.submissionData.length === 0)
    return { ...result, note: result.sends.length ? undefined : 'nothing to send in the window' };
  const id = await storeSend(db, urn, slot, prepared, now);
  // Another instance made this sync's send: it sends it.
  if (!id) return { ...result, note: result.sends.length ? undefined : 'sent by another instance' };
  await options.afterStored?.(id);
  const sent = await claimAndSend(db, id, options);
  if (sent) result.sends.push(sent);
  return result;
}

/** Stores the send in the outbox; undefined when this sync already has one for the school. */
export async function storeSend(
  db: Database,
  urn: number,
  slot: string,
  prepared: PreparedSend,
  now: Date,
): Promise<string | undefined> {
  const json = Buffer.from(JSON.stringify(prepared.body));
  const row = await db
    .insertInto('school.submission')
    .values({
      id: randomUUID(),
      urn,
      slot,
      idempotency_key: randomUUID(),
      dates: prepared.dates,
      body_sha256: createHash('sha256').update(json).digest(),
      body: gzipSync(json),
      state: 'queued',
      next_attempt_at: now,
      created_at: now,
    })
    .onConflict((oc) => oc.columns(['urn', 'slot']).doNothing())
    .returning('id')
    .executeTakeFirst();
  return row?.id;
}

/**
 * The school's active consent, given no later than the send was stored: a send stored under a
 * consent since removed is not sent under the next one (its body may predate the removal).
 */
function consentCovering(db: Database) {
  return db
    .selectFrom('school.consent as c')
    .select('c.id')
    .where('c.removed_at', 'is', null)
    .where(sql<boolean>`c.urn = s.urn and c.given_at <= s.created_at`);
}

/**
 * A condition that makes its statement's own transaction commit without waiting for the WAL flush
 * (`set_config(…, true)` lasts to the end of the transaction, which for a lone statement is its
 * commit), in one round trip where `begin; set local …; update; commit` took four — round trips
 * are what a sync of many schools waits on (bench/school-sync). Only for the claim and the
 * outcome: if a crash loses either, the send is found `queued` (or `sending` past its lease) and
 * sent again with the same key, which the receiver answers from its first receipt. The stored send
 * itself is committed durably: losing it after sending it would send the days again under a new
 * key. Not for a statement inside a wider transaction: it would relax that whole transaction.
 */
const COMMIT_WITHOUT_WAITING = sql<boolean>`(select set_config('synchronous_commit', 'off', true)) = 'off'`;

async function unfinishedSends(db: Database, urn: number, now: Date): Promise<string[]> {
  const rows = await db
    .selectFrom('school.submission')
    .select('id')
    .where('urn', '=', urn)
    .where((eb) =>
      eb.or([eb('state', '=', 'queued'), eb.and([eb('state', '=', 'sending'), eb('lease_until', '<', now)])]),
    )
    .orderBy('created_at')
    .execute();
  return rows.map((r) => r.id);
}

/**
 * Takes the send if it is still to be sent and nobody else holds it, while the school's consent
 * stands; sends it and records the outcome. Undefined when someone else has it.
 */
async function claimAndSend(
  db: Database,
  id: string,
  options: SyncOptions,
): Promise<SchoolSyncResult['sends'][number] | undefined> {
  const { now } = options;
  const leaseUntil = new Date(now.getTime() + (options.leaseSeconds ?? DEFAULT_LEASE_SECONDS) * 1000);
  const claimed = await db
    .updateTable('school.submission as s')
    .set({ state: 'sending', lease_until: leaseUntil, attempts: sql`s.attempts + 1` })
    .where('s.id', '=', id)
    .where((eb) =>
      eb.or([
        eb('s.state', '=', 'queued'),
        eb.and([eb('s.state', '=', 'sending'), eb('s.lease_until', '<', now)]),
      ]),
    )
    .where(({ exists }) => exists(consentCovering(db)))
    .where(COMMIT_WITHOUT_WAITING)
    .returning(['s.id', 's.body', 's.idempotency_key'])
    .executeTakeFirst();
  if (!claimed) {
    // Stored by a sync that raced the removal of consent: it is never to be sent.
    await db
      .updateTable('school.submission as s')
      .set({
        state: 'cancelled',
        failure: 'Not sent: consent was removed before it was sent.',
        finished_at: now,
      })
      .where('s.id', '=', id)
      .where('s.state', '=', 'queued')
      .where(({ not, exists }) => not(exists(consentCovering(db))))
      .execute();
    return undefined;
  }
  const outcome = await options.receiver.sendAttendance(gunzipSync(claimed.body), claimed.idempotency_key);
  const finished = finishedRow(outcome, now);
  await db
    .updateTable('school.submission')
    .set(finished)
    .where('id', '=', id)
    .where('state', '=', 'sending')
    .where(COMMIT_WITHOUT_WAITING)
    .execute();
  return { id, state: finished.state, reason: finished.failure ?? '' };
}

function finishedRow(outcome: SendOutcome, now: Date) {
  const common = { lease_until: null, finished_at: now, sent_at: now };
  switch (outcome.kind) {
    case 'accepted':
      return {
        ...common,
        state: (outcome.errors.length > 0 || outcome.errorsNotListed > 0
          ? 'accepted-with-errors'
          : 'accepted') as SubmissionState,
        last_status: outcome.status,
        submission_ref: outcome.submissionRef ?? null,
        receiver_errors: JSON.stringify({ errors: outcome.errors, errorsNotListed: outcome.errorsNotListed }),
        failure: null,
      };
    case 'refused':
      return {
        ...common,
        state: 'refused' as SubmissionState,
        last_status: outcome.status,
        submission_ref: null,
        receiver_errors: JSON.stringify(outcome.error),
        failure: outcome.reason,
      };
    case 'failed':
      return {
        ...common,
        state: 'failed' as SubmissionState,
        last_status: outcome.status ?? null,
        submission_ref: null,
        receiver_errors: null,
        failure: outcome.reason,
      };
  }
}

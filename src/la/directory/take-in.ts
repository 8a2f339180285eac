/**
 * Taking in a snapshot the collection stored: guard it, find what changed since the last snapshot
 * taken in for its LA, store the changes for review (or apply them at once with auto-apply), and
 * move the LA's take-in record on — all in one transaction, under a row lock on that record, so
 * two instances (or a re-run after a crash) take a snapshot in once. A missed day needs nothing:
 * the comparison is always with the last snapshot taken in.
 */
import type { Transaction } from 'kysely';
import type { Database } from '../../platform/db/database.ts';
import type { EdgateDatabase } from '../../platform/db/schema.ts';
import { ImportError } from '../../contracts/childcare-extract/extract-reader.ts';
import { readExtractDocument } from '../../contracts/childcare-extract/extract-scan.ts';
import type { Registration } from '../../contracts/childcare-extract/registration.ts';
import { detectChanges, reconcileMoves, type Snapshot } from '../changes/detect-changes.ts';
import { guardSnapshot, type HoldReason } from '../changes/snapshot-guard.ts';
import type { Change } from '../changes/change.ts';
import {
  applyChange,
  applyChanges,
  insertChanges,
  laSettings,
  registrationOf,
  type ChangeRow,
} from './directory-store.ts';
import { setSnapshotState, snapshotDocument, snapshotSummary } from './snapshot-access.ts';

type Trx = Transaction<EdgateDatabase>;

export interface TakeInOptions {
  now: Date;
  /** Who takes it in: the collector, or a person confirming a held snapshot. */
  by: string;
  /** A person confirmed a held snapshot: take it in despite the guard. */
  confirmHeld?: boolean;
}

export type TakeInOutcome =
  | {
      kind: 'taken-in';
      snapshotId: number;
      laCode: string;
      /** Changes stored, by kind. */
      counts: Record<string, number>;
      autoApplied: boolean;
    }
  | { kind: 'held'; snapshotId: number; laCode: string; reasons: HoldReason[] }
  /** Not in a state to take in (taken in already, held, discarded, invalid): nothing done. */
  | { kind: 'unchanged'; snapshotId: number; laCode: string; state: string }
  | { kind: 'unreadable'; snapshotId: number; laCode: string; problem: string }
  | { kind: 'not-found'; snapshotId: number };

/**
 * The snapshot's document read into a Snapshot (the extract's header and registrations): from
 * its bytes when written as writers write (decision 0017), else by the streaming reader.
 */
export async function readSnapshot(db: Database, id: number): Promise<Snapshot> {
  const extract = await readExtractDocument(await snapshotDocument(db, id), `snapshot ${id}`);
  return {
    laCode: extract.header.laCode,
    extractDateTime: extract.header.extractDateTime,
    registrations: extract.registrations,
  };
}

/** Takes in one snapshot; safe to call twice, or on two instances at once. */
export async function takeInSnapshot(
  db: Database,
  snapshotId: number,
  options: TakeInOptions,
): Promise<TakeInOutcome> {
  const first = await snapshotSummary(db, snapshotId);
  if (!first) return { kind: 'not-found', snapshotId };
  const laCode = first.laCode;
  await db
    .insertInto('la.take_in')
    .values({ la_code: laCode, snapshot_id: null })
    .onConflict((oc) => oc.column('la_code').doNothing())
    .execute();

  return db.transaction().execute(async (trx) => {
    const record = await trx
      .selectFrom('la.take_in')
      .selectAll()
      .where('la_code', '=', laCode)
      .forUpdate()
      .executeTakeFirstOrThrow();
    // Read again under the lock: another instance may have taken it in meanwhile.
    const snapshot = await snapshotSummary(trx, snapshotId, { lock: true });
    if (!snapshot) return { kind: 'not-found', snapshotId };
    const takeable = snapshot.state === 'received' || (snapshot.state === 'held' && options.confirmHeld);
    if (!takeable) return { kind: 'unchanged', snapshotId, laCode, state: snapshot.state };

    let current: Snapshot;
    try {
      current = await readSnapshot(trx, snapshotId);
    } catch (error) {
      if (!(error instanceof ImportError)) throw error;
      // The collection validates before storing; a document that still cannot be read is kept aside.
      const problem = `The document cannot be read: ${error.message}`.slice(0, 4000);
      await setSnapshotState(trx, snapshotId, { state: 'invalid', problem });
      return { kind: 'unreadable', snapshotId, laCode, problem };
    }
    if (current.laCode !== laCode) {
      const problem = `The document is LA ${current.laCode}'s extract, stored as LA ${laCode}'s.`;
      await setSnapshotState(trx, snapshotId, { state: 'invalid', problem });
      return { kind: 'unreadable', snapshotId, laCode, problem };
    }
    const previousId = record.snapshot_id;
    const previous = previousId === null ? undefined : await readSnapshot(trx, previousId);
    const settings = await laSettings(trx, laCode);

    if (!options.confirmHeld) {
      const verdict = guardSnapshot(current, previous, { maxRemovedShare: settings.maxRemovedShare });
      if (verdict.action === 'hold') {
        await setSnapshotState(trx, snapshotId, {
          state: 'held',
          problem: verdict.reasons.map((r) => r.message).join('\n'),
        });
        return { kind: 'held', snapshotId, laCode, reasons: verdict.reasons };
      }
    }

    const gone = await goneReferences(trx);
    const found = detectChanges(previous, current, { gone });
    const changes = await reconcileWithOtherLas(trx, found, options.now);

    const counts: Record<string, number> = {};
    const state = (change: Change) =>
      change.kind === 'housekeeping' ? 'kept-quiet' : settings.autoApply ? 'auto-applied' : 'pending';
    const rows = await insertChanges(
      trx,
      changes.map((change) => ({
        change,
        registration: wholeRegistration(change, current),
        snapshotId,
        previousSnapshotId: previousId,
        state: state(change),
        decidedBy: settings.autoApply ? 'auto-apply' : 'kept quiet',
        now: options.now,
      })),
    );
    for (const change of changes) counts[change.kind] = (counts[change.kind] ?? 0) + 1;
    for (const row of rows) if (row.reviewState === 'kept-quiet') await applyChange(trx, row, options.now);
    await applyChanges(
      trx,
      rows.filter((r) => r.reviewState === 'auto-applied'),
      options.now,
    );
    await trackGone(trx, rows);

    await trx
      .updateTable('la.take_in')
      .set({
        snapshot_id: snapshotId,
        extract_date_time: current.extractDateTime,
        taken_in_at: options.now,
      })
      .where('la_code', '=', laCode)
      .execute();
    await setSnapshotState(trx, snapshotId, {
      state: 'taken-in',
      decidedBy: options.by,
      decidedAt: options.now,
    });
    return { kind: 'taken-in', snapshotId, laCode, counts, autoApplied: settings.autoApply };
  });
}

/** A person discards a held snapshot: it is kept, never taken in. */
export async function discardSnapshot(
  db: Database,
  snapshotId: number,
  options: { now: Date; by: string; laCodes?: readonly string[] },
): Promise<'discarded' | 'not-held'> {
  return db.transaction().execute(async (trx) => {
    const snapshot = await snapshotSummary(trx, snapshotId, { lock: true });
    if (!snapshot || snapshot.state !== 'held') return 'not-held';
    if (options.laCodes && !options.laCodes.includes(snapshot.laCode)) return 'not-held';
    await setSnapshotState(trx, snapshotId, {
      state: 'discarded',
      decidedBy: options.by,
      decidedAt: options.now,
    });
    return 'discarded';
  });
}

/** The registration each change leads to: today's version, or as last seen when it went. */
function wholeRegistration(change: Change, current: Snapshot): Registration {
  switch (change.kind) {
    case 'changed':
    case 'status-changed':
    case 'housekeeping': {
      const found = current.registrations.find((r) => r.referenceNumber === change.referenceNumber);
      if (!found) throw new Error(`${change.referenceNumber} changed but is not in the snapshot`);
      return found;
    }
    default:
      return registrationOf(change);
  }
}

async function goneReferences(trx: Trx): Promise<Map<string, string>> {
  const rows = await trx.selectFrom('la.gone').select(['reference_number', 'la_code']).execute();
  return new Map(rows.map((r) => [r.reference_number, r.la_code.trim()]));
}

/** Keeps the references known gone: a departure adds one, an arrival removes it. */
async function trackGone(trx: Trx, rows: readonly ChangeRow[]): Promise<void> {
  const arrivals = rows
    .filter((r) => r.kind === 'new' || r.kind === 'restored' || r.kind === 'moved')
    .map((r) => r.referenceNumber);
  for (let i = 0; i < arrivals.length; i += 500)
    await trx
      .deleteFrom('la.gone')
      .where('reference_number', 'in', arrivals.slice(i, i + 500))
      .execute();
  for (const row of rows)
    if (row.kind === 'left' || row.kind === 'disappeared')
      await trx
        .insertInto('la.gone')
        .values({ reference_number: row.referenceNumber, la_code: row.laCode, change_id: row.id })
        .onConflict((oc) =>
          oc.column('reference_number').doUpdateSet({ la_code: row.laCode, change_id: row.id }),
        )
        .execute();
}

/**
 * A registration leaving this LA that another LA (taken in earlier, the same agent) already
 * showed arriving as new or restored is one move: the arrival becomes `moved`, compared field by
 * field with the version last seen here, and the departure is not stored apart
 * (`reconcileMoves`). An arrival already applied takes the record out of this LA's directory now.
 */
async function reconcileWithOtherLas(trx: Trx, changes: Change[], now: Date): Promise<Change[]> {
  const departures = changes.filter((c) => c.kind === 'left' || c.kind === 'disappeared');
  if (departures.length === 0) return changes;
  const arrivals = await trx
    .selectFrom('la.change')
    .selectAll()
    .where(
      'reference_number',
      'in',
      departures.map((d) => d.referenceNumber),
    )
    .where('la_code', '!=', changes[0]!.laCode)
    .where('kind', 'in', ['new', 'restored'])
    .where('review_state', 'in', ['pending', 'auto-applied', 'accepted'])
    .orderBy('id', 'desc')
    .execute();
  if (arrivals.length === 0) return changes;
  const latest = new Map<string, (typeof arrivals)[number]>();
  for (const a of arrivals) if (!latest.has(a.reference_number)) latest.set(a.reference_number, a);
  const arrivalChanges: Change[] = [...latest.values()].map((a) => ({
    kind: a.kind as 'new',
    referenceNumber: a.reference_number,
    laCode: a.la_code.trim(),
    registration: (typeof a.registration === 'string'
      ? JSON.parse(a.registration)
      : a.registration) as Registration,
  }));
  const reconciled = reconcileMoves([changes, arrivalChanges]);
  const kept = new Set(reconciled);
  const out = changes.filter((c) => kept.has(c));
  for (const moved of reconciled) {
    if (moved.kind !== 'moved' || changes.includes(moved)) continue;
    const row = latest.get(moved.referenceNumber)!;
    await trx
      .updateTable('la.change')
      .set({
        kind: 'moved',
        from_la: moved.fromLa,
        fields: JSON.stringify(moved.fields),
        status_from: moved.status?.from ?? null,
        status_to: moved.status?.to ?? null,
      })
      .where('id', '=', row.id)
      .execute();
    await trx.deleteFrom('la.gone').where('reference_number', '=', moved.referenceNumber).execute();
    if (row.review_state !== 'pending')
      await trx
        .updateTable('la.directory_record')
        .set({ in_feed: false, feed_updated_at: now })
        .where('la_code', '=', moved.fromLa)
        .where('reference_number', '=', moved.referenceNumber)
        .execute();
  }
  return out;
}

/**
 * Carries out a caseworker's status change: in one transaction, locks the registration,
 * asks the state machine (status-change.ts) whether the law allows it, and records it —
 * new status, status history, last change date, suspension periods and the audit row of
 * who, when and why. A refusal changes nothing.
 */
import { sql } from 'kysely';
import type { Database } from '../../platform/db/database.ts';
import {
  decideStatusChange,
  type RefusalCode,
  type StatusChangeContext,
  type StatusChangeDecision,
  type StatusChangeRequest,
} from './status-change.ts';
import type {
  Notice,
  Register,
  RegisterStatus,
  RegistrationStatus,
} from '../../contracts/childcare-extract/registration.ts';

export interface StatusChangeCommand {
  referenceNumber: string;
  request: StatusChangeRequest;
  /** Username of the caseworker (or API client) making the change. */
  actor: string;
  /** Europe/London calendar date of the change. */
  today: string;
  /** The version the caseworker saw; a different current version means someone else changed it first. */
  expectedVersion?: number;
}

export type StatusChangeOutcome =
  | {
      outcome: 'changed';
      from: RegistrationStatus;
      to: RegistrationStatus;
      correction: boolean;
      version: number;
    }
  | { outcome: 'refused'; code: RefusalCode; message: string }
  | { outcome: 'not-found' }
  | { outcome: 'stale'; currentVersion: number };

/** What the state machine decided about a change, and what it was decided on, without recording it. */
export type StatusChangeCheck =
  | {
      outcome: 'allowed';
      decision: Extract<StatusChangeDecision, { allowed: true }>;
      context: StatusChangeContext;
      version: number;
    }
  | { outcome: 'refused'; code: RefusalCode; message: string }
  | { outcome: 'not-found' }
  | { outcome: 'stale'; currentVersion: number };

/**
 * Asks the state machine about a change on the registration as it is now, changing nothing: the
 * check-your-answers page shows what it would do. Locks the row when run in a transaction.
 */
export async function checkStatusChange(
  /** The database, or a transaction (a Kysely transaction is one). */
  db: Database,
  command: Omit<StatusChangeCommand, 'actor'>,
): Promise<StatusChangeCheck> {
  const { referenceNumber, request, today } = command;
  const row = await db
    .selectFrom('regulator.registration')
    .select(['status', 'version'])
    .where('reference_number', '=', referenceNumber)
    .forUpdate()
    .executeTakeFirst();
  if (!row) return { outcome: 'not-found' };
  if (command.expectedVersion !== undefined && command.expectedVersion !== row.version) {
    return { outcome: 'stale', currentVersion: row.version };
  }
  const [registers, notices, suspensions] = await Promise.all([
    db
      .selectFrom('regulator.child_services_register')
      .select(['register', 'status', 'start_date', 'end_date'])
      .where('reference_number', '=', referenceNumber)
      .execute(),
    db
      .selectFrom('regulator.notice')
      .select(['type', 'sub_type', 'status', 'notice_date'])
      .where('reference_number', '=', referenceNumber)
      .execute(),
    db
      .selectFrom('regulator.suspension')
      .select(['seq', 'grounds', 'start_date', 'end_date', 'investigation_cannot_finish_sooner'])
      .where('reference_number', '=', referenceNumber)
      .orderBy('seq')
      .execute(),
  ]);
  const context: StatusChangeContext = {
    status: row.status as RegistrationStatus,
    registers: registers.map((r) => ({
      register: r.register as Register,
      status: r.status as RegisterStatus,
      startDate: r.start_date,
      ...(r.end_date ? { endDate: r.end_date } : {}),
    })),
    notices: notices.map((n): Notice => ({
      type: n.type as Notice['type'],
      subType: n.sub_type,
      status: n.status,
      ...(n.notice_date ? { date: n.notice_date } : {}),
    })),
    suspensions: suspensions.map((s) => ({
      grounds: s.grounds,
      startDate: s.start_date,
      endDate: s.end_date,
      investigationCannotFinishSooner: s.investigation_cannot_finish_sooner,
    })),
    today,
  };
  const decision = decideStatusChange(context, request);
  if (!decision.allowed) return { outcome: 'refused', code: decision.code, message: decision.message };
  return { outcome: 'allowed', decision, context, version: row.version };
}

export async function recordStatusChange(
  db: Database,
  command: StatusChangeCommand,
): Promise<StatusChangeOutcome> {
  const { referenceNumber, request, actor, today } = command;
  return db.transaction().execute(async (trx) => {
    const checked = await checkStatusChange(trx, command);
    if (checked.outcome !== 'allowed') return checked;
    const { decision } = checked;
    const version = checked.version + 1;
    await trx
      .updateTable('regulator.registration')
      .set({
        status: decision.to,
        status_changed_on:
          decision.from === decision.to ? sql<string>`status_changed_on` : decision.changeDate,
        last_change_date: decision.changeDate,
        version,
        updated_at: sql`now()`,
      })
      .where('reference_number', '=', referenceNumber)
      .execute();
    if (decision.from !== decision.to) {
      await sql`
        insert into regulator.status_history (reference_number, seq, status, change_date)
        select ${referenceNumber}, coalesce(max(seq) + 1, 0), ${decision.to}, ${decision.changeDate}::date
        from regulator.status_history where reference_number = ${referenceNumber}
      `.execute(trx);
    }
    if (decision.liftedSuspension) {
      const lifted = decision.liftedSuspension;
      const current = await trx
        .selectFrom('regulator.suspension')
        .select('seq')
        .where('reference_number', '=', referenceNumber)
        .where('start_date', '<=', today)
        .orderBy('seq', 'desc')
        .executeTakeFirst();
      if (current) {
        await trx
          .updateTable('regulator.suspension')
          .set({ end_date: lifted.endDate })
          .where('reference_number', '=', referenceNumber)
          .where('seq', '=', current.seq)
          .execute();
      }
      // Further periods recorded to start later no longer apply once the suspension is lifted.
      await trx
        .deleteFrom('regulator.suspension')
        .where('reference_number', '=', referenceNumber)
        .where('start_date', '>', today)
        .execute();
    }
    if (decision.suspension) {
      const s = decision.suspension;
      await sql`
        insert into regulator.suspension (reference_number, seq, grounds, start_date, end_date, investigation_cannot_finish_sooner)
        select ${referenceNumber}, coalesce(max(seq) + 1, 0), ${s.grounds}, ${s.startDate}::date, ${s.endDate}::date,
               ${s.investigationCannotFinishSooner}
        from regulator.suspension where reference_number = ${referenceNumber}
      `.execute(trx);
    }
    const { kind } = request;
    await trx
      .insertInto('regulator.status_change')
      .values({
        reference_number: referenceNumber,
        kind,
        from_status: decision.from,
        to_status: decision.to,
        change_date: decision.changeDate,
        reason: 'reason' in request ? request.reason.trim() : '',
        correction: decision.correction,
        details: JSON.stringify({
          ...(decision.suspension ? { suspension: decision.suspension } : {}),
          ...(decision.cancellationGround ? { cancellationGround: decision.cancellationGround } : {}),
          ...(decision.liftedSuspension ? { liftedSuspension: decision.liftedSuspension } : {}),
        }),
        changed_by: actor,
      })
      .execute();
    return {
      outcome: 'changed',
      from: decision.from,
      to: decision.to,
      correction: decision.correction,
      version,
    } as const;
  });
}

export interface StatusChangeRecord {
  id: number;
  kind: string;
  fromStatus: string;
  toStatus: string;
  changeDate: string;
  reason: string;
  correction: boolean;
  details: Record<string, unknown>;
  changedBy: string;
  changedAt: Date;
}

export async function statusChangesOf(db: Database, referenceNumber: string): Promise<StatusChangeRecord[]> {
  const rows = await db
    .selectFrom('regulator.status_change')
    .selectAll()
    .where('reference_number', '=', referenceNumber)
    .orderBy('id', 'desc')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    kind: r.kind,
    fromStatus: r.from_status,
    toStatus: r.to_status,
    changeDate: r.change_date,
    reason: r.reason,
    correction: r.correction,
    details: r.details,
    changedBy: r.changed_by,
    changedAt: r.changed_at,
  }));
}

/**
 * The LA's directory and its review queue in the database: changes stored as found, applied to
 * the directory when a person accepts them (or at once with auto-apply), rejected with a reason,
 * accepted in bulk by filter. Every query names the LA: a caller decides which LAs a person may
 * see, and nothing here reaches past them.
 */
import { sql, type Transaction } from 'kysely';
import type { Database } from '../../platform/db/database.ts';
import type { EdgateDatabase } from '../../platform/db/schema.ts';
import type { Registration } from '../../contracts/childcare-extract/registration.ts';
import { DEFAULT_MAX_REMOVED_SHARE } from '../changes/snapshot-guard.ts';
import type { Change, FieldChange } from '../changes/change.ts';
import { fieldChanges } from '../changes/field-diff.ts';
import type { ChangeTable, ReviewState } from './tables.ts';

type Executor = Database | Transaction<EdgateDatabase>;

export type ChangeKind = ChangeTable['kind'];
export const CHANGE_KINDS: readonly ChangeKind[] = [
  'new',
  'changed',
  'status-changed',
  'left',
  'disappeared',
  'restored',
  'moved',
  'housekeeping',
];

const CHUNK = 500;
const chunks = <T>(items: readonly T[], size = CHUNK): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
};

/** A refusal a person can act on (plain words). */
export class DirectoryError extends Error {}

// --- settings -------------------------------------------------------------------------------------

export interface LaSettings {
  laCode: string;
  autoApply: boolean;
  maxRemovedShare: number;
}

export async function laSettings(db: Executor, laCode: string): Promise<LaSettings> {
  const row = await db
    .selectFrom('la.settings')
    .select(['auto_apply', 'max_removed_share'])
    .where('la_code', '=', laCode)
    .executeTakeFirst();
  return {
    laCode,
    autoApply: row?.auto_apply ?? false,
    maxRemovedShare: row?.max_removed_share ?? DEFAULT_MAX_REMOVED_SHARE,
  };
}

export async function setLaSettings(
  db: Executor,
  laCode: string,
  change: { autoApply?: boolean; maxRemovedShare?: number },
  by: string,
  now: Date,
): Promise<LaSettings> {
  const current = await laSettings(db, laCode);
  const next = { ...current, ...change };
  if (!(next.maxRemovedShare >= 0 && next.maxRemovedShare <= 1))
    throw new DirectoryError('The share of removals allowed must be between 0% and 100%');
  await db
    .insertInto('la.settings')
    .values({
      la_code: laCode,
      auto_apply: next.autoApply,
      max_removed_share: next.maxRemovedShare,
      changed_by: by,
      changed_at: now,
    })
    .onConflict((oc) =>
      oc.column('la_code').doUpdateSet({
        auto_apply: next.autoApply,
        max_removed_share: next.maxRemovedShare,
        changed_by: by,
        changed_at: now,
      }),
    )
    .execute();
  return next;
}

// --- storing changes --------------------------------------------------------------------------------

/** The outward part of a postcode ("HP19 8FF" → "HP19"), for filtering by district. */
export function postcodeDistrict(postcode: string | undefined): string | null {
  if (!postcode) return null;
  const compact = postcode.toUpperCase().replace(/\s+/g, '');
  if (!/^[A-Z]{1,2}\d[A-Z\d]?\d[A-Z]{2}$/.test(compact)) return null;
  return compact.slice(0, -3);
}

export function registrationOf(change: Change): Registration {
  switch (change.kind) {
    case 'new':
    case 'restored':
    case 'moved':
      return change.registration;
    case 'left':
    case 'disappeared':
      return change.lastSeen;
    case 'changed':
    case 'status-changed':
    case 'housekeeping':
      throw new Error('a change of an existing registration carries no whole registration');
  }
}

export interface NewChange {
  change: Change;
  /** The whole registration the change leads to (or, gone, as last seen). */
  registration: Registration;
  snapshotId: number;
  previousSnapshotId: number | null;
  state: ReviewState;
  decidedBy?: string;
  now: Date;
}

function changeValues(input: NewChange) {
  const c = input.change;
  const r = input.registration;
  const fields: FieldChange[] = 'fields' in c ? c.fields : [];
  const status = c.kind === 'status-changed' ? c.status : c.kind === 'moved' ? c.status : undefined;
  return {
    la_code: c.laCode,
    reference_number: c.referenceNumber,
    kind: c.kind,
    from_la: c.kind === 'moved' ? c.fromLa : null,
    snapshot_id: input.snapshotId,
    previous_snapshot_id: input.previousSnapshotId,
    fields: JSON.stringify(fields),
    status_from: status?.from ?? null,
    status_to: status?.to ?? null,
    registration: JSON.stringify(r),
    provision_type: r.provisionType,
    postcode_district: postcodeDistrict(r.setting?.address.postcode ?? r.provider.address.postcode),
    review_state: input.state,
    decided_by: input.state === 'pending' ? null : (input.decidedBy ?? null),
    decided_at: input.state === 'pending' ? null : input.now,
    found_at: input.now,
  };
}

export async function insertChange(db: Executor, input: NewChange): Promise<ChangeRow> {
  return (await insertChanges(db, [input]))[0]!;
}

/** Stores changes a few hundred rows a statement; returns them in the same order. */
export async function insertChanges(db: Executor, inputs: readonly NewChange[]): Promise<ChangeRow[]> {
  const out: ChangeRow[] = [];
  for (const chunk of chunks(inputs, 200)) {
    const rows = await db.insertInto('la.change').values(chunk.map(changeValues)).returningAll().execute();
    // RETURNING gives rows in VALUES order on both engines; ids rise in that order too.
    out.push(...rows.map(changeRow).sort((a, b) => a.id - b.id));
  }
  return out;
}

// --- reading changes --------------------------------------------------------------------------------

export interface ChangeRow {
  id: number;
  laCode: string;
  referenceNumber: string;
  kind: ChangeKind;
  fromLa: string | null;
  snapshotId: number;
  previousSnapshotId: number | null;
  fields: FieldChange[];
  statusFrom: string | null;
  statusTo: string | null;
  registration: Registration;
  provisionType: string;
  postcodeDistrict: string | null;
  reviewState: ReviewState;
  decidedBy: string | null;
  decidedAt: Date | null;
  reason: string | null;
  foundAt: Date;
}

const json = <T>(value: unknown): T => (typeof value === 'string' ? (JSON.parse(value) as T) : (value as T));

function changeRow(row: Record<string, unknown>): ChangeRow {
  return {
    id: Number(row.id),
    laCode: String(row.la_code).trim(),
    referenceNumber: String(row.reference_number),
    kind: row.kind as ChangeKind,
    fromLa: row.from_la === null ? null : String(row.from_la).trim(),
    snapshotId: Number(row.snapshot_id),
    previousSnapshotId: row.previous_snapshot_id === null ? null : Number(row.previous_snapshot_id),
    fields: json<FieldChange[]>(row.fields),
    statusFrom: (row.status_from as string | null) ?? null,
    statusTo: (row.status_to as string | null) ?? null,
    registration: json<Registration>(row.registration),
    provisionType: String(row.provision_type),
    postcodeDistrict: (row.postcode_district as string | null) ?? null,
    reviewState: row.review_state as ReviewState,
    decidedBy: (row.decided_by as string | null) ?? null,
    decidedAt: row.decided_at ? new Date(row.decided_at as string) : null,
    reason: (row.reason as string | null) ?? null,
    foundAt: new Date(row.found_at as string),
  };
}

export interface ChangeFilter {
  laCode: string;
  kind?: ChangeKind;
  provisionType?: string;
  postcodeDistrict?: string;
  /** Only changes up to this id (bulk accept: what the person saw counted). */
  upTo?: number;
}

function filtered(db: Executor, filter: ChangeFilter, states: readonly ReviewState[]) {
  let query = db
    .selectFrom('la.change')
    .where('la_code', '=', filter.laCode)
    .where('review_state', 'in', states);
  if (filter.kind) query = query.where('kind', '=', filter.kind);
  if (filter.provisionType) query = query.where('provision_type', '=', filter.provisionType);
  if (filter.postcodeDistrict)
    query = query.where('postcode_district', '=', filter.postcodeDistrict.toUpperCase());
  if (filter.upTo !== undefined) query = query.where('id', '<=', filter.upTo);
  return query;
}

export async function pendingChanges(
  db: Executor,
  filter: ChangeFilter,
  page: { limit: number; offset: number } = { limit: 50, offset: 0 },
): Promise<{ changes: ChangeRow[]; total: number; lastId: number | null }> {
  const rows = await filtered(db, filter, ['pending'])
    .selectAll()
    .orderBy('id')
    .limit(page.limit)
    .offset(page.offset)
    .execute();
  const count = await filtered(db, filter, ['pending'])
    .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.max('id').as('last')])
    .executeTakeFirstOrThrow();
  return {
    changes: rows.map(changeRow),
    total: Number(count.n),
    lastId: count.last === null ? null : Number(count.last),
  };
}

/** Pending changes counted by kind, provision type and postcode district, for the filters. */
export async function pendingCounts(
  db: Executor,
  laCode: string,
): Promise<{
  total: number;
  byKind: Map<string, number>;
  byProvisionType: Map<string, number>;
  byDistrict: Map<string, number>;
}> {
  const group = async (column: 'kind' | 'provision_type' | 'postcode_district') => {
    const rows = await db
      .selectFrom('la.change')
      .select([column, (eb) => eb.fn.countAll<number>().as('n')])
      .where('la_code', '=', laCode)
      .where('review_state', '=', 'pending')
      .groupBy(column)
      .orderBy(column)
      .execute();
    return new Map(rows.map((r) => [String((r as Record<string, unknown>)[column] ?? ''), Number(r.n)]));
  };
  const byKind = await group('kind');
  return {
    total: [...byKind.values()].reduce((a, b) => a + b, 0),
    byKind,
    byProvisionType: await group('provision_type'),
    byDistrict: await group('postcode_district'),
  };
}

export async function changeById(db: Executor, laCode: string, id: number): Promise<ChangeRow | undefined> {
  const row = await db
    .selectFrom('la.change')
    .selectAll()
    .where('la_code', '=', laCode)
    .where('id', '=', id)
    .executeTakeFirst();
  return row && changeRow(row);
}

/** Decisions taken, newest first. */
export async function decidedChanges(
  db: Executor,
  laCode: string,
  page: { limit: number; offset: number } = { limit: 50, offset: 0 },
): Promise<ChangeRow[]> {
  const rows = await db
    .selectFrom('la.change')
    .selectAll()
    .where('la_code', '=', laCode)
    .where('review_state', 'in', ['accepted', 'rejected', 'auto-applied'])
    .orderBy('decided_at', 'desc')
    .orderBy('id', 'desc')
    .limit(page.limit)
    .offset(page.offset)
    .execute();
  return rows.map(changeRow);
}

/** Every change of one provider in one LA, newest first: which feed fields changed when. */
export async function changesOfRecord(
  db: Executor,
  laCode: string,
  referenceNumber: string,
): Promise<ChangeRow[]> {
  const rows = await db
    .selectFrom('la.change')
    .selectAll()
    .where('la_code', '=', laCode)
    .where('reference_number', '=', referenceNumber)
    .orderBy('id', 'desc')
    .execute();
  return rows.map(changeRow);
}

/**
 * Changes found since an instant, oldest first, for the exports: every state but the quiet
 * housekeeping ones (a reviewer never sees those either). One LA, or all (the CLI only).
 */
export async function changesSince(
  db: Executor,
  options: { since: Date; laCode?: string; limit?: number },
): Promise<ChangeRow[]> {
  let query = db
    .selectFrom('la.change')
    .selectAll()
    .where('found_at', '>=', options.since)
    .where('kind', '!=', 'housekeeping');
  if (options.laCode) query = query.where('la_code', '=', options.laCode);
  return (
    await query
      .orderBy('id')
      .limit(options.limit ?? 100_000)
      .execute()
  ).map(changeRow);
}

/** Changes for the CLI's listing: pending ones, all LAs or one. */
export async function pendingAcross(db: Executor, laCode?: string, limit = 1000): Promise<ChangeRow[]> {
  let query = db.selectFrom('la.change').selectAll().where('review_state', '=', 'pending');
  if (laCode) query = query.where('la_code', '=', laCode);
  return (await query.orderBy('id').limit(limit).execute()).map(changeRow);
}

// --- the directory ---------------------------------------------------------------------------------

export interface DirectoryRecord {
  laCode: string;
  referenceNumber: string;
  registration: Registration;
  inFeed: boolean;
  publicDescription: string | null;
  openingHours: string | null;
  website: string | null;
  listedPublicly: boolean;
  appliedChangeId: number | null;
  feedUpdatedAt: Date;
  localUpdatedBy: string | null;
  localUpdatedAt: Date | null;
}

function recordOf(row: Record<string, unknown>): DirectoryRecord {
  return {
    laCode: String(row.la_code).trim(),
    referenceNumber: String(row.reference_number),
    registration: json<Registration>(row.registration),
    inFeed: Boolean(row.in_feed),
    publicDescription: (row.public_description as string | null) ?? null,
    openingHours: (row.opening_hours as string | null) ?? null,
    website: (row.website as string | null) ?? null,
    listedPublicly: Boolean(row.listed_publicly),
    appliedChangeId: row.applied_change_id === null ? null : Number(row.applied_change_id),
    feedUpdatedAt: new Date(row.feed_updated_at as string),
    localUpdatedBy: (row.local_updated_by as string | null) ?? null,
    localUpdatedAt: row.local_updated_at ? new Date(row.local_updated_at as string) : null,
  };
}

export async function directoryRecord(
  db: Executor,
  laCode: string,
  referenceNumber: string,
): Promise<DirectoryRecord | undefined> {
  const row = await db
    .selectFrom('la.directory_record')
    .selectAll()
    .where('la_code', '=', laCode)
    .where('reference_number', '=', referenceNumber)
    .executeTakeFirst();
  return row && recordOf(row);
}

export async function searchDirectory(
  db: Executor,
  laCode: string,
  search: { text?: string; limit?: number; offset?: number },
): Promise<{ records: DirectoryRecord[]; total: number }> {
  let query = db.selectFrom('la.directory_record').where('la_code', '=', laCode);
  const text = search.text?.trim();
  if (text) {
    const like = `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    query = query.where((eb) =>
      eb.or([
        eb('reference_number', 'ilike', like),
        eb(sql<string>`registration->'provider'->>'name'`, 'ilike', like),
        eb(sql<string>`registration->'setting'->>'name'`, 'ilike', like),
        eb(sql<string>`registration->'setting'->'address'->>'postcode'`, 'ilike', like),
      ]),
    );
  }
  const rows = await query
    .selectAll()
    .orderBy('reference_number')
    .limit(search.limit ?? 50)
    .offset(search.offset ?? 0)
    .execute();
  const count = await query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return { records: rows.map(recordOf), total: Number(count.n) };
}

export const LOCAL_FIELDS = ['public_description', 'opening_hours', 'website', 'listed_publicly'] as const;
export type LocalField = (typeof LOCAL_FIELDS)[number];
export const LOCAL_FIELD_LABELS: Record<LocalField, string> = {
  public_description: 'Public description',
  opening_hours: 'Opening hours',
  website: 'Website',
  listed_publicly: 'Listed publicly',
};

export interface LocalFields {
  publicDescription: string | null;
  openingHours: string | null;
  website: string | null;
  listedPublicly: boolean;
}

/** Problems with local fields a person entered, by field, in plain words. */
export function localFieldProblems(fields: LocalFields): Partial<Record<keyof LocalFields, string>> {
  const problems: Partial<Record<keyof LocalFields, string>> = {};
  if ((fields.publicDescription ?? '').length > 2000)
    problems.publicDescription = 'Public description must be 2,000 characters or fewer';
  if ((fields.openingHours ?? '').length > 500)
    problems.openingHours = 'Opening hours must be 500 characters or fewer';
  if (fields.website) {
    let ok = fields.website.length <= 500;
    try {
      const url = new URL(fields.website);
      ok &&= url.protocol === 'https:' || url.protocol === 'http:';
    } catch {
      ok = false;
    }
    if (!ok) problems.website = 'Enter a website address starting https://, such as https://www.example.org';
  }
  return problems;
}

/** Sets a record's local fields; each one that differs is audited. Returns how many changed. */
export async function updateLocalFields(
  db: Database,
  laCode: string,
  referenceNumber: string,
  fields: LocalFields,
  by: string,
  now: Date,
): Promise<number> {
  const problems = Object.values(localFieldProblems(fields));
  if (problems.length > 0) throw new DirectoryError(problems.join('. '));
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom('la.directory_record')
      .select(['public_description', 'opening_hours', 'website', 'listed_publicly'])
      .where('la_code', '=', laCode)
      .where('reference_number', '=', referenceNumber)
      .forUpdate()
      .executeTakeFirst();
    if (!row) throw new DirectoryError(`${referenceNumber} is not in LA ${laCode}'s directory`);
    const next = {
      public_description: fields.publicDescription || null,
      opening_hours: fields.openingHours || null,
      website: fields.website || null,
      listed_publicly: fields.listedPublicly,
    };
    const edits = LOCAL_FIELDS.filter((f) => row[f] !== next[f]);
    if (edits.length === 0) return 0;
    await trx
      .updateTable('la.directory_record')
      .set({ ...next, local_updated_by: by, local_updated_at: now })
      .where('la_code', '=', laCode)
      .where('reference_number', '=', referenceNumber)
      .execute();
    await trx
      .insertInto('la.directory_edit')
      .values(
        edits.map((f) => ({
          la_code: laCode,
          reference_number: referenceNumber,
          field: f,
          old_value: row[f] === null ? null : String(row[f]),
          new_value: next[f] === null ? null : String(next[f]),
          changed_by: by,
          changed_at: now,
        })),
      )
      .execute();
    return edits.length;
  });
}

export async function localEdits(db: Executor, laCode: string, referenceNumber: string) {
  return db
    .selectFrom('la.directory_edit')
    .selectAll()
    .where('la_code', '=', laCode)
    .where('reference_number', '=', referenceNumber)
    .orderBy('id', 'desc')
    .execute();
}

// --- applying ----------------------------------------------------------------------------------------

/**
 * Puts a change into the directory (inside the caller's transaction). A change older than the one
 * last applied to the record changes nothing: the later version already holds it.
 */
export async function applyChange(trx: Executor, change: ChangeRow, now: Date): Promise<void> {
  const record = await trx
    .selectFrom('la.directory_record')
    .select(['applied_change_id', 'registration'])
    .where('la_code', '=', change.laCode)
    .where('reference_number', '=', change.referenceNumber)
    .forUpdate()
    .executeTakeFirst();
  if (record?.applied_change_id != null && Number(record.applied_change_id) > change.id) return;
  switch (change.kind) {
    case 'housekeeping': {
      if (!record) return;
      const current = json<Registration>(record.registration);
      const next = {
        ...current,
        lastChangeDate: change.registration.lastChangeDate,
        statusHistory: change.registration.statusHistory,
      };
      await trx
        .updateTable('la.directory_record')
        .set({ registration: JSON.stringify(next) })
        .where('la_code', '=', change.laCode)
        .where('reference_number', '=', change.referenceNumber)
        .execute();
      return;
    }
    case 'left':
    case 'disappeared':
      await trx
        .updateTable('la.directory_record')
        .set({ in_feed: false, applied_change_id: change.id, feed_updated_at: now })
        .where('la_code', '=', change.laCode)
        .where('reference_number', '=', change.referenceNumber)
        .execute();
      return;
    case 'moved':
      if (change.fromLa)
        await trx
          .updateTable('la.directory_record')
          .set({ in_feed: false, feed_updated_at: now })
          .where('la_code', '=', change.fromLa)
          .where('reference_number', '=', change.referenceNumber)
          .execute();
      break;
    case 'new':
    case 'changed':
    case 'status-changed':
    case 'restored':
      break;
  }
  const registration = JSON.stringify(change.registration);
  await trx
    .insertInto('la.directory_record')
    .values({
      la_code: change.laCode,
      reference_number: change.referenceNumber,
      registration,
      in_feed: true,
      listed_publicly: true,
      applied_change_id: change.id,
      feed_updated_at: now,
    })
    .onConflict((oc) =>
      oc.columns(['la_code', 'reference_number']).doUpdateSet({
        registration,
        in_feed: true,
        applied_change_id: change.id,
        feed_updated_at: now,
      }),
    )
    .execute();
}

/**
 * Puts many changes into the directory at once (bulk accept, auto-apply): for each provider only
 * its latest change counts (each carries the whole registration), and the common kinds — new,
 * changed, status changed, restored — go in as one upsert per few hundred records.
 */
export async function applyChanges(trx: Executor, changes: readonly ChangeRow[], now: Date): Promise<void> {
  const latest = new Map<string, ChangeRow>();
  for (const c of changes) {
    const key = `${c.laCode}:${c.referenceNumber}`;
    const seen = latest.get(key);
    if (!seen || c.id > seen.id) latest.set(key, c);
  }
  const upserts: ChangeRow[] = [];
  for (const c of latest.values()) {
    if (c.kind === 'new' || c.kind === 'changed' || c.kind === 'status-changed' || c.kind === 'restored')
      upserts.push(c);
    else await applyChange(trx, c, now);
  }
  const byLa = new Map<string, ChangeRow[]>();
  for (const c of upserts) byLa.set(c.laCode, [...(byLa.get(c.laCode) ?? []), c]);
  for (const [laCode, list] of byLa)
    for (const chunk of chunks(list)) {
      // A later change already applied keeps its version.
      const newer = await trx
        .selectFrom('la.directory_record')
        .select(['reference_number', 'applied_change_id'])
        .where('la_code', '=', laCode)
        .where(
          'reference_number',
          'in',
          chunk.map((c) => c.referenceNumber),
        )
        .forUpdate()
        .execute();
      const applied = new Map(newer.map((r) => [r.reference_number, Number(r.applied_change_id ?? 0)]));
      const values = chunk
        .filter((c) => (applied.get(c.referenceNumber) ?? 0) <= c.id)
        .map((c) => ({
          la_code: c.laCode,
          reference_number: c.referenceNumber,
          registration: JSON.stringify(c.registration),
          in_feed: true,
          listed_publicly: true,
          applied_change_id: c.id,
          feed_updated_at: now,
        }));
      if (values.length === 0) continue;
      await trx
        .insertInto('la.directory_record')
        .values(values)
        .onConflict((oc) =>
          oc.columns(['la_code', 'reference_number']).doUpdateSet((eb) => ({
            registration: eb.ref('excluded.registration'),
            in_feed: true,
            applied_change_id: eb.ref('excluded.applied_change_id'),
            feed_updated_at: eb.ref('excluded.feed_updated_at'),
          })),
        )
        .execute();
    }
}

// --- decisions ---------------------------------------------------------------------------------------

export type DecisionOutcome =
  { kind: 'decided'; change: ChangeRow } | { kind: 'not-pending'; change: ChangeRow } | { kind: 'not-found' };

async function lockedPending(trx: Executor, laCode: string, id: number) {
  const row = await trx
    .selectFrom('la.change')
    .selectAll()
    .where('la_code', '=', laCode)
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
  return row && changeRow(row);
}

async function acceptLocked(trx: Executor, change: ChangeRow, by: string, now: Date): Promise<void> {
  await applyChange(trx, change, now);
  await trx
    .updateTable('la.change')
    .set({ review_state: 'accepted', decided_by: by, decided_at: now })
    .where('id', '=', change.id)
    .execute();
  // Earlier changes of the record still pending are part of the version just accepted.
  await trx
    .updateTable('la.change')
    .set({
      review_state: 'accepted',
      decided_by: by,
      decided_at: now,
      reason: `Included in change ${change.id}, accepted`,
    })
    .where('la_code', '=', change.laCode)
    .where('reference_number', '=', change.referenceNumber)
    .where('review_state', '=', 'pending')
    .where('id', '<', change.id)
    .where('kind', '!=', 'housekeeping')
    .execute();
}

/** Accepts a pending change of `laCode`: applied to the directory in the same transaction. */
export async function acceptChange(
  db: Database,
  input: { laCode: string; id: number; by: string; now: Date },
): Promise<DecisionOutcome> {
  return db.transaction().execute(async (trx) => {
    const change = await lockedPending(trx, input.laCode, input.id);
    if (!change) return { kind: 'not-found' };
    if (change.reviewState !== 'pending') return { kind: 'not-pending', change };
    await acceptLocked(trx, change, input.by, input.now);
    return { kind: 'decided', change };
  });
}

/** Rejects a pending change of `laCode` with a reason: the directory keeps what it had. */
export async function rejectChange(
  db: Database,
  input: { laCode: string; id: number; by: string; now: Date; reason: string },
): Promise<DecisionOutcome> {
  const reason = input.reason.trim();
  if (reason.length === 0) throw new DirectoryError('Enter why the change is rejected');
  if (reason.length > 1000) throw new DirectoryError('The reason must be 1,000 characters or fewer');
  return db.transaction().execute(async (trx) => {
    const change = await lockedPending(trx, input.laCode, input.id);
    if (!change) return { kind: 'not-found' };
    if (change.reviewState !== 'pending') return { kind: 'not-pending', change };
    await trx
      .updateTable('la.change')
      .set({ review_state: 'rejected', decided_by: input.by, decided_at: input.now, reason })
      .where('id', '=', change.id)
      .execute();
    return { kind: 'decided', change };
  });
}

/**
 * Accepts every pending change matching the filter (up to `filter.upTo`, what the person saw
 * counted), oldest first, all in one transaction. Returns how many.
 */
export async function bulkAccept(db: Database, filter: ChangeFilter, by: string, now: Date): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const rows = (
      await filtered(trx, filter, ['pending']).selectAll().orderBy('id').forUpdate().execute()
    ).map(changeRow);
    if (rows.length === 0) return 0;
    await applyChanges(trx, rows, now);
    for (const chunk of chunks(rows.map((r) => r.id)))
      await trx
        .updateTable('la.change')
        .set({ review_state: 'accepted', decided_by: by, decided_at: now })
        .where('id', 'in', chunk)
        .execute();
    // The same providers' earlier changes still pending (outside the filter) are part of what was accepted.
    const latest = new Map<string, number>();
    for (const r of rows) latest.set(r.referenceNumber, Math.max(latest.get(r.referenceNumber) ?? 0, r.id));
    for (const refs of chunks([...latest.keys()])) {
      const earlier = await trx
        .selectFrom('la.change')
        .select(['id', 'reference_number'])
        .where('la_code', '=', filter.laCode)
        .where('review_state', '=', 'pending')
        .where('kind', '!=', 'housekeeping')
        .where('reference_number', 'in', refs)
        .forUpdate()
        .execute();
      for (const e of earlier.filter((e) => Number(e.id) < latest.get(e.reference_number)!))
        await trx
          .updateTable('la.change')
          .set({
            review_state: 'accepted',
            decided_by: by,
            decided_at: now,
            reason: `Included in change ${latest.get(e.reference_number)}, accepted`,
          })
          .where('id', '=', e.id)
          .execute();
    }
    return rows.length;
  });
}

/** The fields of a change against the version a person last accepted (the directory's). */
export function againstAccepted(change: ChangeRow, record: DirectoryRecord | undefined): FieldChange[] {
  if (!record) return change.fields;
  if (change.kind === 'left' || change.kind === 'disappeared') return [];
  return fieldChanges(record.registration, change.registration);
}

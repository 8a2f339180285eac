/**
 * Reading what a submission needs (its school, the supplier's consent) and storing an accepted
 * one. Storing is a single statement — the submission as received, its school-days merged into the
 * current picture — so it is one transaction on either engine and one round trip: a submission is
 * stored whole or not at all. School-days are written in date order, so two submissions for the
 * same school lock the same rows in the same order and cannot deadlock.
 */
import { createHash, randomUUID } from 'node:crypto';
import { brotliCompressSync, brotliDecompressSync, constants as zlibConstants, gunzipSync } from 'node:zlib';
import { CompiledQuery, sql } from 'kysely';
import type { Database } from '../../platform/db/database.ts';
import { executePrepared } from '../../platform/db/prepared-statements.ts';
import type { RecordError } from '../../contracts/attendance/attendance-errors.ts';
import { schoolDaysOf, type SchoolDay } from './school-day.ts';
import type { CleanSubmission } from './clean-submission.ts';
import type { AttendanceEntry } from '../../contracts/attendance/submission.ts';

export interface SubmissionResponse {
  submissionRef: string;
  /** The first record errors, in document order (at most `MAX_LISTED_ERRORS`). */
  errors: RecordError[];
  /** Only when `errors` could not list them all: how many more there were. */
  errorsNotListed?: number;
}

/** What the receiver knows about a submission's school and supplier, read in one query. */
export interface SubmissionParties {
  /** Absent when the URN is not in the schools register. */
  school?: { urn: number; laCode: string; phaseOfEducation: string };
  /** Absent when the client is unknown or disabled, or the token's generation is not its current one. */
  client?: { requiresConsent: boolean };
  /** Whether the client holds the school's active consent. */
  consented: boolean;
  /** The client holding the school's active consent (its current supplier), if any. */
  currentSupplier?: string;
}

export async function submissionParties(
  db: Database,
  clientId: string,
  urn: number,
  /** The token's generation: a client moved on to a newer one is treated as disabled. */
  tokenGeneration?: number,
): Promise<SubmissionParties> {
  const result = await sql<{
    urn: number | null;
    la_code: string | null;
    phase_of_education: string | null;
    requires_consent: boolean | null;
    current_supplier: string | null;
  }>`
    select s.urn, s.la_code, s.phase_of_education, c.requires_consent,
      (select k.client_id from dfe.consent k where k.urn = ${urn} and k.withdrawn_at is null) as current_supplier
    from (select 1) one
    left join dfe.school s on s.urn = ${urn}
    left join dfe.oauth_client c on c.id = ${clientId} and c.disabled_at is null
      and (${tokenGeneration ?? null}::integer is null or c.token_generation = ${tokenGeneration ?? null}::integer)
  `.execute(db);
  const row = result.rows[0];
  const currentSupplier = row?.current_supplier ?? undefined;
  const parties: SubmissionParties = { consented: currentSupplier === clientId };
  if (currentSupplier !== undefined) parties.currentSupplier = currentSupplier;
  if (row?.urn != null && row.la_code != null && row.phase_of_education != null)
    parties.school = { urn: row.urn, laCode: row.la_code, phaseOfEducation: row.phase_of_education };
  if (row?.requires_consent != null) parties.client = { requiresConsent: row.requires_consent };
  return parties;
}

export interface AcceptedSubmission {
  ref: string;
  clientId: string;
  tokenGeneration: number | undefined;
  urn: number;
  receivedAt: Date;
  idempotencyKey: string | undefined;
  bodySha256: Buffer;
  /** The body as received, compressed (`BODY_ENCODING`). */
  body: Buffer;
  response: SubmissionResponse;
  entriesReceived: number;
  /** The school-days to merge into the current picture, oldest first. */
  days: readonly SchoolDay[];
  clientAppId: string | undefined;
  clientSessionId: string | undefined;
}

/** A request as received, for `acceptSubmission`. */
export interface Receipt {
  raw: Buffer;
  clientId: string;
  /** The token's generation (clients.ts), checked against the client's; absent for edgate's own sends. */
  tokenGeneration?: number | undefined;
  receivedAt: Date;
  idempotencyKey?: string | undefined;
  clientAppId?: string | undefined;
  clientSessionId?: string | undefined;
}

/** How bodies are kept: brotli at quality 1 (~0.07 ms and 25× for a large school's 76 KB body). */
const BODY_ENCODING = 'br';

/**
 * Synchronous on purpose: for a large school's body the threadpool round trips of the async form
 * cost more CPU than the compression itself (measured).
 */
function compressBody(raw: Buffer): Buffer {
  return brotliCompressSync(raw, {
    params: {
      [zlibConstants.BROTLI_PARAM_QUALITY]: 1,
      [zlibConstants.BROTLI_PARAM_MODE]: zlibConstants.BROTLI_MODE_TEXT,
      [zlibConstants.BROTLI_PARAM_SIZE_HINT]: raw.length,
    },
  });
}

/** What storing needs from a body once read, whichever way it was read. */
interface Reading {
  urn: number;
  errors: RecordError[];
  errorsNotListed: number;
  entriesReceived: number;
  days: readonly SchoolDay[];
}

function accepted(receipt: Receipt, ref: string, reading: Reading): AcceptedSubmission {
  return {
    ref,
    clientId: receipt.clientId,
    tokenGeneration: receipt.tokenGeneration,
    urn: reading.urn,
    receivedAt: receipt.receivedAt,
    idempotencyKey: receipt.idempotencyKey,
    bodySha256: createHash('sha256').update(receipt.raw).digest(),
    body: compressBody(receipt.raw),
    response: {
      submissionRef: ref,
      errors: reading.errors,
      ...(reading.errorsNotListed > 0 ? { errorsNotListed: reading.errorsNotListed } : {}),
    },
    entriesReceived: reading.entriesReceived,
    days: reading.days,
    clientAppId: receipt.clientAppId,
    clientSessionId: receipt.clientSessionId,
  };
}

/**
 * A validated submission made ready to store: its reference, the body kept as received (compressed),
 * the 201 answer, and its school-days, under `ref` (a new reference unless given). The API, the
 * demo world and the ingest bench all store submissions made here.
 */
export function acceptSubmission(
  receipt: Receipt,
  validated: {
    submission: { urn: number; entries: readonly AttendanceEntry[] };
    errors: RecordError[];
    /** Absent: every error is listed. */
    errorsNotListed?: number;
    rejectedEntries: readonly number[];
  },
  ref: string = randomUUID(),
): AcceptedSubmission {
  return accepted(receipt, ref, {
    urn: validated.submission.urn,
    errors: validated.errors,
    errorsNotListed: validated.errorsNotListed ?? 0,
    entriesReceived: validated.submission.entries.length + validated.rejectedEntries.length,
    days: schoolDaysOf(validated.submission.entries, ref, receipt.receivedAt),
  });
}

/** A clean submission (`readCleanSubmission`), read for storing under `ref`, made ready to store. */
export function acceptCleanSubmission(
  receipt: Receipt,
  ref: string,
  clean: CleanSubmission,
): AcceptedSubmission {
  return accepted(receipt, ref, {
    urn: clean.urn,
    errors: [],
    errorsNotListed: 0,
    entriesReceived: clean.entriesReceived,
    days: clean.days,
  });
}

export type StoreOutcome =
  | { stored: true }
  /** The key was taken by another submission of the client; or the school, the client or the consent was missing. */
  | { stored: false; reason: 'idempotency-key-used' | 'not-permitted' };

function isUniqueViolation(error: unknown, constraint: string): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, constraint: name } = error as { code?: unknown; constraint?: unknown };
  // pg names the constraint; PGlite may not, and the submission's primary key is a fresh UUID.
  return code === '23505' && (name === undefined || name === constraint);
}

/** The storing statement's values for one submission, by name. */
interface StoreValues {
  clientId: string;
  tokenGeneration: number | null;
  urn: number;
  ref: string;
  receivedAt: Date;
  idempotencyKey: string | null;
  bodySha256: Buffer;
  body: Buffer;
  response: string;
  entriesReceived: number;
  entriesStored: number;
  errorCount: number;
  clientAppId: string | null;
  clientSessionId: string | null;
  days: string;
}

function storeValues(submission: AcceptedSubmission): StoreValues {
  // One JSON document of the days, each with its keys and totals, so that the statement has a
  // fixed number of parameters however many days a submission holds. The sessions are JSON already.
  let days = '';
  let entriesStored = 0;
  for (const day of submission.days) {
    days +=
      `${days === '' ? '[' : ','}{"date":${JSON.stringify(day.date)},"sessions":${day.sessionsJson},` +
      `"keys":${JSON.stringify(day.keys)},"totals":${JSON.stringify(day.totals)}}`;
    entriesStored += day.keys.length;
  }
  return {
    clientId: submission.clientId,
    tokenGeneration: submission.tokenGeneration ?? null,
    urn: submission.urn,
    ref: submission.ref,
    receivedAt: submission.receivedAt,
    idempotencyKey: submission.idempotencyKey ?? null,
    bodySha256: submission.bodySha256,
    body: submission.body,
    response: JSON.stringify(submission.response),
    entriesReceived: submission.entriesReceived,
    entriesStored,
    errorCount: submission.response.errors.length + (submission.response.errorsNotListed ?? 0),
    clientAppId: submission.clientAppId ?? null,
    clientSessionId: submission.clientSessionId ?? null,
    days: days === '' ? '[]' : `${days}]`,
  };
}

/** Where a value of one submission goes in the storing statement, which is compiled once. */
class StoreValue {
  constructor(readonly name: keyof StoreValues) {}
}

const value = (name: keyof StoreValues) => new StoreValue(name);

// Buffers (the hash, the compressed body) go as binary parameters: pg sends them as bytes.
// The school, the client (known and not disabled) and the school's current supplier are checked
// in the statement itself (the rule: consent/supplier-change.ts `maySubmit`), so the usual
// submission is one round trip, and a consent withdrawn or a client disabled a moment before is
// seen by every instance. Each school-day names the supplier whose values it holds. School-days are
// written in date order: two submissions for one school lock the same rows in the same order.
// The trigger dfe.merge_school_day decides what an update keeps.
const STORE_SUBMISSION = sql<{ stored: number }>`
  with permitted as (
    select s.urn, s.la_code, s.phase_of_education from dfe.school s
    join dfe.oauth_client c on c.id = ${value('clientId')} and c.disabled_at is null
      and (${value('tokenGeneration')}::integer is null or c.token_generation = ${value('tokenGeneration')}::integer)
    where s.urn = ${value('urn')}
      and coalesce(
        (select k.client_id = c.id from dfe.consent k where k.urn = s.urn and k.withdrawn_at is null),
        not c.requires_consent)
  ), submission as (
    insert into dfe.submission (ref, client_id, urn, received_at, idempotency_key, body_sha256, body, body_encoding,
      response, entries_received, entries_stored, error_count, client_app_id, client_session_id)
    select ${value('ref')}::uuid, ${value('clientId')}, urn, ${value('receivedAt')},
      ${value('idempotencyKey')}, ${value('bodySha256')}, ${value('body')}, ${BODY_ENCODING},
      ${value('response')}::jsonb, ${value('entriesReceived')}, ${value('entriesStored')},
      ${value('errorCount')}, ${value('clientAppId')}, ${value('clientSessionId')}
    from permitted
    returning 1
  ), school_days as (
    insert into dfe.school_day as d (urn, date, la_code, phase_of_education, sessions, session_keys, updated_at,
      possible, present, aea, authorised, unauthorised, not_counted, client_id)
    select p.urn, (day->>'date')::date, p.la_code, p.phase_of_education, day->'sessions',
      array(select jsonb_array_elements_text(day->'keys')), ${value('receivedAt')},
      (day->'totals'->>0)::integer, (day->'totals'->>1)::integer, (day->'totals'->>2)::integer,
      (day->'totals'->>3)::integer, (day->'totals'->>4)::integer, (day->'totals'->>5)::integer,
      ${value('clientId')}
    from permitted p, jsonb_array_elements(${value('days')}::jsonb) as day
    order by day->>'date'
    on conflict (urn, date) do update set
      sessions = excluded.sessions, session_keys = excluded.session_keys, updated_at = excluded.updated_at,
      la_code = excluded.la_code, phase_of_education = excluded.phase_of_education,
      possible = excluded.possible, present = excluded.present, aea = excluded.aea,
      authorised = excluded.authorised, unauthorised = excluded.unauthorised, not_counted = excluded.not_counted,
      client_id = excluded.client_id
    returning 1
  )
  select (select count(*) from submission)::integer as stored
`;

/** The statement compiled for each database's dialect, with `StoreValue`s where the values go. */
const compiledStore = new WeakMap<Database, CompiledQuery<{ stored: number }>>();

/**
 * The one statement that stores a submission, with its values: exported so that
 * bench/attendance-ingest can hand PostgreSQL's own pgbench exactly what the API runs. Its text is
 * compiled once; each submission only puts its values in place.
 */
export function storeSubmissionQuery(
  db: Database,
  submission: AcceptedSubmission,
): CompiledQuery<{ stored: number }> {
  let compiled = compiledStore.get(db);
  if (compiled === undefined) {
    compiled = STORE_SUBMISSION.compile(db);
    compiledStore.set(db, compiled);
  }
  const values = storeValues(submission);
  return CompiledQuery.raw(
    compiled.sql,
    compiled.parameters.map((parameter) =>
      parameter instanceof StoreValue ? values[parameter.name] : parameter,
    ),
  ) as CompiledQuery<{ stored: number }>;
}

export async function storeSubmission(db: Database, submission: AcceptedSubmission): Promise<StoreOutcome> {
  try {
    // Prepared once per connection: its planning was a fifth of PostgreSQL's work per submission.
    const rows = await executePrepared(db, storeSubmissionQuery(db, submission));
    return rows[0]?.stored === 1 ? { stored: true } : { stored: false, reason: 'not-permitted' };
  } catch (error) {
    if (
      submission.idempotencyKey !== undefined &&
      isUniqueViolation(error, 'submission_client_id_idempotency_key_key')
    )
      return { stored: false, reason: 'idempotency-key-used' };
    throw error;
  }
}

export interface StoredSubmission {
  ref: string;
  clientId: string;
  urn: number;
  receivedAt: Date;
  bodySha256: Buffer;
  response: SubmissionResponse;
  entriesReceived: number;
  entriesStored: number;
  errorCount: number;
}

interface SubmissionRow {
  ref: string;
  client_id: string;
  urn: number;
  received_at: Date;
  body_sha256: Uint8Array;
  response: SubmissionResponse;
  entries_received: number;
  entries_stored: number;
  error_count: number;
}

function storedSubmission(row: SubmissionRow): StoredSubmission {
  return {
    ref: row.ref,
    clientId: row.client_id,
    urn: row.urn,
    receivedAt: row.received_at,
    bodySha256: Buffer.from(row.body_sha256),
    response: row.response,
    entriesReceived: row.entries_received,
    entriesStored: row.entries_stored,
    errorCount: row.error_count,
  };
}

const SUBMISSION_COLUMNS = sql`ref::text as ref, client_id, urn, received_at, body_sha256, response,
  entries_received, entries_stored, error_count`;

export async function submissionByIdempotencyKey(
  db: Database,
  clientId: string,
  key: string,
): Promise<StoredSubmission | undefined> {
  const result = await sql<SubmissionRow>`
    select ${SUBMISSION_COLUMNS} from dfe.submission where client_id = ${clientId} and idempotency_key = ${key}
  `.execute(db);
  return result.rows[0] && storedSubmission(result.rows[0]);
}

export async function submissionByRef(db: Database, ref: string): Promise<StoredSubmission | undefined> {
  const result = await sql<SubmissionRow>`
    select ${SUBMISSION_COLUMNS} from dfe.submission where ref = ${ref}::uuid
  `.execute(db);
  return result.rows[0] && storedSubmission(result.rows[0]);
}

/** The request body as received, for a person looking into a submission. */
export async function submissionBody(db: Database, ref: string): Promise<Buffer | undefined> {
  const result = await sql<{ body: Uint8Array; body_encoding: string }>`
    select body, body_encoding from dfe.submission where ref = ${ref}::uuid
  `.execute(db);
  const row = result.rows[0];
  if (!row) return undefined;
  const stored = Buffer.from(row.body);
  return row.body_encoding === 'br' ? brotliDecompressSync(stored) : gunzipSync(stored);
}

export interface Refusal {
  clientId: string;
  receivedAt: Date;
  urn: number | undefined;
  status: number;
  code: string;
}

export async function recordRefusal(db: Database, refusal: Refusal): Promise<void> {
  await sql`
    insert into dfe.refused_request (client_id, received_at, urn, status, code)
    values (${refusal.clientId}, ${refusal.receivedAt}, ${refusal.urn ?? null}, ${refusal.status}, ${refusal.code})
  `.execute(db);
}

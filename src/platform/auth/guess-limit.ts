/**
 * Password and client-secret guessing, limited in the database so every instance counts every
 * attempt. An attempt is counted *before* its hash is checked, atomically, so a burst of parallel
 * guesses cannot all slip under the limit, and once the limit is reached a guess costs one small
 * statement and no scrypt at all. A right password gives its attempt back.
 *
 * Counters: one per (account or client, address) — slows guessing one account without locking an
 * office behind one address out of it — and one per address, higher, against spraying many
 * usernames. Keys are SHA-256 digests: fixed length whatever a client sends, and no usernames or
 * addresses kept in the clear. A counter's window starts at its first attempt and lasts a minute.
 */
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { Database } from '../db/database.ts';

export interface GuessLimits {
  /** Attempts per window for one account (or client) from one address. */
  perSubjectAndAddress: number;
  /** Attempts per window from one address, whatever the account. */
  perAddress: number;
  windowSeconds: number;
}

/** The limits from the one setting (attempts a minute for one account from one address). */
export function guessLimits(attemptsPerMinute: number): GuessLimits {
  return { perSubjectAndAddress: attemptsPerMinute, perAddress: attemptsPerMinute * 10, windowSeconds: 60 };
}

export interface GuessCounter {
  key: string;
  limit: number;
}

const digest = (text: string) => createHash('sha256').update(text).digest('base64url');

/** What a password attempt guesses at: the account as sign-in finds it (trimmed, lower-case). */
export const accountSubject = (username: string) => `account:${username.trim().toLowerCase()}`;
/** What a client-secret attempt guesses at: client ids are compared exactly. */
export const clientSubject = (clientId: string) => `client:${clientId}`;

/** The counters an attempt counts against; `subject` from `accountSubject` or `clientSubject`. */
export function guessCounters(subject: string, address: string, limits: GuessLimits): GuessCounter[] {
  return [
    {
      key: digest(`subject\0${subject}\0${address}`),
      limit: limits.perSubjectAndAddress,
    },
    { key: digest(`address\0${address}`), limit: limits.perAddress },
  ].sort((a, b) => (a.key < b.key ? -1 : 1)); // one order, so concurrent upserts cannot deadlock
}

/** Counts one attempt on every counter; true when every counter is still within its limit. */
export async function countAttempt(
  db: Database,
  counters: GuessCounter[],
  now: Date,
  limits: GuessLimits,
): Promise<boolean> {
  const windowStart = new Date(now.getTime() - limits.windowSeconds * 1000);
  const counts = new Map<string, number>();
  for (const counter of counters) {
    // One statement per counter: PGlite takes a single statement per query, and keys are few.
    const { rows } = await sql<{ attempts: number }>`
      insert into platform.sign_in_attempt as a (key, window_start, attempts)
      values (${counter.key}, ${now}, 1)
      on conflict (key) do update set
        attempts = case when a.window_start <= ${windowStart} then 1 else a.attempts + 1 end,
        window_start = case when a.window_start <= ${windowStart} then ${now} else a.window_start end
      returning attempts`.execute(db);
    counts.set(counter.key, Number(rows[0]?.attempts ?? 0));
  }
  // Housekeeping rides on attempts rather than a timer, as session expiry rides on sign-in.
  await sql`delete from platform.sign_in_attempt where window_start <= ${windowStart}`.execute(db);
  return counters.every((counter) => (counts.get(counter.key) ?? 0) <= counter.limit);
}

/** Gives back the attempt a right password or secret used, so a person who mistyped is not held back. */
export async function forgiveAttempt(db: Database, counters: GuessCounter[]): Promise<void> {
  await sql`
    update platform.sign_in_attempt set attempts = greatest(attempts - 1, 0)
    where key in (${sql.join(counters.map((c) => c.key))})`.execute(db);
}

export type GuessOutcome<T> = { outcome: 'accepted'; value: T } | { outcome: 'refused' | 'limited' };

/**
 * Counts the attempt, then runs `check` (the scrypt verification) only when within the limits.
 * Callers must answer `refused` and `limited` alike where the contract allows (an API's 401).
 */
export async function guessLimited<T>(
  db: Database,
  attempt: { subject: string; address: string; now: Date; limits: GuessLimits },
  check: () => Promise<T | undefined>,
): Promise<GuessOutcome<T>> {
  const counters = guessCounters(attempt.subject, attempt.address, attempt.limits);
  if (!(await countAttempt(db, counters, attempt.now, attempt.limits))) return { outcome: 'limited' };
  const value = await check();
  if (value === undefined) return { outcome: 'refused' };
  await forgiveAttempt(db, counters);
  return { outcome: 'accepted', value };
}

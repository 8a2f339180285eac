/**
 * The school role's sync against edgate's DfE role over real HTTPS: consent told to the DfE, the
 * DfE's stored figures equal to the school's aggregation, the outbox across a crash, token renewal,
 * 429 with Retry-After, an outage and recovery, two instances at once, and removal of consent.
 * The school side reaches the DfE over HTTPS only; the test reads the DfE's tables to check.
 */
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { openTestDatabase, type TestDatabase } from './support/test-database.ts';
import { startDfeReceiver, type DfeReceiver } from './support/dfe-receiver.ts';
import { disableClient, enableClient } from '../src/dfe/oauth/clients.ts';
import { generateSchool, type SyntheticSchool } from '../src/school/synthetic-school.ts';
import { ReceiverClient, forgetReceiverTokens } from '../src/school/sync/receiver-client.ts';
import { giveConsent, removeConsent } from '../src/school/sync/consent-store.ts';
import { storeSend, syncSchools, type SyncOptions } from '../src/school/sync/sync.ts';
import { prepareSend, recordsSource } from '../src/school/sync/attendance-source.ts';
import { totalMarks, combineSummaries } from '../src/contracts/attendance/aggregation.ts';
import { createClient } from '../src/dfe/oauth/clients.ts';
import { clientCredentialsToken, httpsCall } from './support/api-client.ts';

const URNS = [100001, 100002, 100003];
let database: TestDatabase;
let dfe: DfeReceiver;
/** Both sides' clock: a Friday in term, after the morning registers. */
let clock = new Date('2026-11-20T10:30:00Z');
const schools = new Map<number, SyntheticSchool>();
const source = recordsSource((urn) => schools.get(urn));
/** The DfE's injected trouble: answers to give before the real route, one per request. */
let trouble: { status: number; headers?: Record<string, string> }[] = [];
let sleeps: number[] = [];

function receiver(): ReceiverClient {
  return new ReceiverClient(dfe.settings, {
    ca: dfe.ca,
    now: () => clock,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0.5,
    maxAttempts: 3,
  });
}

const sync = (options: Partial<SyncOptions> = {}) =>
  syncSchools(database.db, { now: clock, receiver: receiver(), source, ...options });

const dfeCount = async (query: string) =>
  Number((await sql<{ n: number }>`${sql.raw(query)}`.execute(database.db)).rows[0]?.n);

/** What the DfE holds for a school: per "date session yeargroup", marks per code. */
async function dfeFigures(urn: number): Promise<Map<string, Record<string, number>>> {
  const rows = (
    await sql<{ date: string; sessions: Record<string, { m: Record<string, number> }> }>`
      select to_char(date, 'YYYY-MM-DD') as date, sessions from dfe.school_day where urn = ${urn} order by date
    `.execute(database.db)
  ).rows;
  const figures = new Map<string, Record<string, number>>();
  for (const row of rows)
    for (const [key, value] of Object.entries(row.sessions)) figures.set(`${row.date} ${key}`, value.m);
  return figures;
}

/** What the school's aggregation says it should be. */
function schoolFigures(urn: number): Map<string, Record<string, number>> {
  const prepared = prepareSend(urn, schools.get(urn)!, clock)!;
  const figures = new Map<string, Record<string, number>>();
  for (const entry of prepared.body.submissionData)
    figures.set(
      `${entry.date} ${entry.schoolSession} ${entry.ncYearGroup}`,
      Object.fromEntries(entry.attendances.map((a) => [a.attendanceCode, a.value])),
    );
  return figures;
}

before(async () => {
  database = await openTestDatabase();
  dfe = await startDfeReceiver({
    handle: database,
    urns: URNS,
    now: () => clock,
    beforeListen: (app) =>
      app.addHook('onRequest', async (request, reply) => {
        if (!request.url.startsWith('/attendances')) return;
        const next = trouble.shift();
        if (next)
          return reply
            .code(next.status)
            .headers(next.headers ?? {})
            .send({ error: 'injected' });
      }),
  });
  for (const [i, urn] of URNS.entries())
    schools.set(
      urn,
      generateSchool({
        seed: i + 1,
        phase: 'primary',
        pupils: 40,
        today: '2026-11-20',
        marksFrom: '2026-11-02',
        urn,
      }),
    );
});
after(async () => {
  await dfe.close();
  await database.close();
});
beforeEach(async () => {
  clock = new Date('2026-11-20T10:30:00Z');
  trouble = [];
  sleeps = [];
  forgetReceiverTokens();
  // Each test starts with no consent and no sends on either side.
  await sql`delete from school.submission`.execute(database.db);
  await sql`delete from school.consent`.execute(database.db);
  await sql`delete from dfe.school_day`.execute(database.db);
  await sql`delete from dfe.submission`.execute(database.db);
  await sql`delete from dfe.consent_event`.execute(database.db);
  await sql`delete from dfe.consent`.execute(database.db);
});

const consent = (urn: number) =>
  giveConsent(database.db, receiver(), { urn, givenBy: 'A. Administrator', now: clock });

const states = async (urn: number) =>
  (
    await database.db
      .selectFrom('school.submission')
      .select(['state', 'failure', 'idempotency_key', 'attempts'])
      .where('urn', '=', urn)
      .orderBy('created_at')
      .execute()
  ).map((r) => r.state);

describe('school sync to the DfE role over HTTPS', () => {
  test('consent is recorded at the DfE (PUT /consents/{urn}), and the sync stores exactly the school’s figures', async () => {
    const given = await consent(100001);
    assert.equal(given.receiverOutcome, 'The receiver recorded the consent.');
    assert.ok(given.receiverToldAt);
    const atDfe = await dfeCount(
      `select count(*)::integer as n from dfe.consent where urn = 100001 and client_id = '${dfe.supplierClientId}'`,
    );
    assert.equal(atDfe, 1);

    const results = await sync();
    assert.deepEqual(
      results.map((r) => [r.urn, r.sends.map((s) => s.state)]),
      [[100001, ['accepted']]],
      'only the consenting school is sent',
    );
    const expected = schoolFigures(100001);
    assert.ok(expected.size > 0);
    assert.deepEqual(await dfeFigures(100001), expected);
    assert.equal(await dfeCount('select count(*)::integer as n from dfe.school_day where urn = 100002'), 0);
  });

  test('a mark corrected 3 school days ago is resent by the next sync and replaces the old figure', async () => {
    await consent(100001);
    await sync();
    const school = schools.get(100001)!;
    const mark = school.marks.find((m) => m.date === '2026-11-17' && m.session === 'AM' && m.code === '/')!;
    mark.code = 'O';
    try {
      clock = new Date('2026-11-20T13:30:00Z');
      await sync();
      assert.deepEqual(await dfeFigures(100001), schoolFigures(100001));
    } finally {
      mark.code = '/';
    }
  });

  test('a mark changed 9 working days ago is not sent: the send leaves its date out and the DfE keeps its figure', async () => {
    // Friday 20 Nov's send covers Wednesday 11 Nov; on Tuesday 24 Nov that is 9 working days ago.
    await consent(100001);
    await sync();
    const ofDate = (figures: Map<string, Record<string, number>>, date: string) =>
      [...figures].filter(([key]) => key.startsWith(date));
    const before = ofDate(await dfeFigures(100001), '2026-11-11');
    assert.ok(before.length > 0, 'the DfE holds 11 Nov from the earlier send');
    const school = schools.get(100001)!;
    const mark = school.marks.find((m) => m.date === '2026-11-11' && m.session === 'AM' && m.code === '/')!;
    mark.code = 'O';
    try {
      clock = new Date('2026-11-24T10:30:00Z');
      const results = await sync();
      const latest = await database.db
        .selectFrom('school.submission')
        .select('dates')
        .where('urn', '=', 100001)
        .orderBy('seq', 'desc')
        .executeTakeFirstOrThrow();
      assert.ok(latest.dates.length > 0);
      assert.ok(
        !latest.dates.includes('2026-11-11'),
        `the send after the change covers ${latest.dates.join(', ')}`,
      );
      assert.deepEqual(
        results[0]!.sends.map((s) => s.state),
        ['accepted'],
      );
      assert.deepEqual(
        ofDate(await dfeFigures(100001), '2026-11-11'),
        before,
        'the DfE’s figure for 11 Nov is unchanged',
      );
    } finally {
      mark.code = '/';
    }
  });

  test('consent → sync → the DfE’s statistics list the school with the figures it sent', async () => {
    await consent(100001);
    const sent = prepareSend(100001, schools.get(100001)!, clock)!;
    assert.deepEqual(
      (await sync())[0]!.sends.map((s) => s.state),
      ['accepted'],
    );
    const analyst = await createClient(database.db, { name: 'DfE analyst', scopes: ['attendance.read'] });
    const token = await clientCredentialsToken(dfe.baseUrl, dfe.ca, analyst, 'attendance.read');
    const call = httpsCall(dfe.baseUrl, dfe.ca);
    type Listed = { urn: number; figures: Record<string, number | null> | null };
    for (const date of sent.dates) {
      const answer = await call('GET', `/statistics/la/825/schools?date=${date}`, {
        authorization: `Bearer ${token}`,
      });
      assert.equal(answer.status, 200, answer.text);
      const listed = answer.json<{ schools: Listed[] }>().schools;
      const own = combineSummaries(
        sent.body.submissionData
          .filter((entry) => entry.date === date)
          .map((entry) =>
            totalMarks(
              entry.attendances.map((a) => ({ code: a.attendanceCode, value: a.value })),
              date,
            ),
          ),
      );
      const shown = listed.find((s) => s.urn === 100001)?.figures;
      assert.ok(shown, `the DfE lists the school on ${date}`);
      const { possible, present, aea, authorised, unauthorised, notCounted, attendanceRate } = own;
      assert.deepEqual(
        { possible, present, aea, authorised, unauthorised, notCounted, attendanceRate, schools: 1 },
        {
          possible: shown.possible,
          present: shown.present,
          aea: shown.aea,
          authorised: shown.authorised,
          unauthorised: shown.unauthorised,
          notCounted: shown.notCounted,
          attendanceRate: shown.attendanceRate,
          schools: shown.schools,
        },
        date,
      );
      assert.equal(
        listed.find((s) => s.urn === 100002)?.figures,
        null,
        'a school without consent shows nothing',
      );
    }
  });

  test('a crash after storing the send: the next run sends it once, with its key, and the DfE holds one submission per key', async () => {
    await consent(100001);
    const crashed = await sync({
      afterStored: () => {
        throw new Error('killed');
      },
    });
    assert.match(crashed[0]!.note ?? '', /killed/);
    assert.deepEqual(await states(100001), ['queued']);
    assert.equal(await dfeCount('select count(*)::integer as n from dfe.submission'), 0);

    clock = new Date('2026-11-20T13:30:00Z');
    const next = await sync();
    // The leftover first, as stored; then this sync's own send.
    assert.deepEqual(
      next[0]!.sends.map((s) => s.state),
      ['accepted', 'accepted'],
    );
    assert.equal(
      await dfeCount(
        'select count(*)::integer as n from (select idempotency_key from dfe.submission group by 1 having count(*) > 1) d',
      ),
      0,
    );
    assert.equal(await dfeCount('select count(*)::integer as n from dfe.submission'), 2);
  });

  test('a crash while sending (the DfE stored it, we never heard): after the lease the same key is replayed, not stored twice', async () => {
    await consent(100001);
    await sync();
    // As if the process died between the DfE's answer and recording it.
    await sql`update school.submission set state = 'sending', lease_until = ${new Date(clock.getTime() + 600_000)}`.execute(
      database.db,
    );
    assert.equal((await sync())[0]!.sends.length, 1, 'a send still under its lease is left alone');
    clock = new Date(clock.getTime() + 3 * 3600_000);
    const later = await sync();
    assert.deepEqual(
      later[0]!.sends.map((s) => s.state),
      ['accepted', 'accepted'],
    );
    const keys = await database.db.selectFrom('school.submission').select('idempotency_key').execute();
    const stored = await dfeCount('select count(*)::integer as n from dfe.submission');
    assert.equal(stored, keys.length, 'one DfE submission per key');
  });

  test('a token the DfE stopped honouring is renewed once and the send goes through', async () => {
    await consent(100001);
    const client = receiver();
    await syncSchools(database.db, { now: clock, receiver: client, source });
    // Tokens from before a disable stay refused after the enable: the cached one now gets 401.
    await disableClient(database.db, dfe.supplierClientId, clock);
    await enableClient(database.db, dfe.supplierClientId);
    const results = await syncSchools(database.db, { now: clock, receiver: client, source });
    assert.deepEqual(
      results[0]!.sends.map((s) => s.state),
      ['accepted'],
    );
  });

  test('429 with Retry-After is honoured (the injected sleep is asked for exactly that), then sent', async () => {
    await consent(100001);
    trouble = [{ status: 429, headers: { 'retry-after': '17' } }];
    const results = await sync();
    assert.deepEqual(
      results[0]!.sends.map((s) => s.state),
      ['accepted'],
    );
    assert.deepEqual(sleeps, [17_000]);
  });

  test('the DfE down for a sync: each school’s send shows why; the next sync fills every day', async () => {
    await consent(100001);
    await consent(100002);
    trouble = Array.from({ length: 6 }, () => ({ status: 503 }));
    const down = await sync({ concurrency: 1 });
    for (const result of down) {
      assert.deepEqual(
        result.sends.map((s) => s.state),
        ['failed'],
      );
      assert.match(result.sends[0]!.reason, /could not take it \(503\), 3 tries/);
    }
    assert.equal(await dfeCount('select count(*)::integer as n from dfe.school_day'), 0);
    clock = new Date('2026-11-20T13:30:00Z');
    await sync();
    assert.deepEqual(await dfeFigures(100001), schoolFigures(100001));
    assert.deepEqual(await dfeFigures(100002), schoolFigures(100002));
  });

  test('two instances running the same sync at once send each school once', async () => {
    for (const urn of URNS) await consent(urn);
    const slot = '2026-11-20 08:30';
    const [a, b] = await Promise.all([sync({ slot }), sync({ slot })]);
    const sends = [...a!, ...b!].flatMap((r) => r.sends);
    assert.equal(sends.length, URNS.length);
    assert.equal(await dfeCount('select count(*)::integer as n from dfe.submission'), URNS.length);
  });

  test('removing consent tells the DfE, cancels queued sends and nothing more is sent', async () => {
    await consent(100001);
    await sync({
      afterStored: () => {
        throw new Error('killed');
      },
    });
    const removed = await removeConsent(database.db, receiver(), {
      urn: 100001,
      removedBy: 'A. Administrator',
      now: clock,
    });
    assert.equal(removed.removalOutcome, 'The receiver recorded the removal.');
    assert.deepEqual(await states(100001), ['cancelled']);
    assert.equal(
      await dfeCount(
        'select count(*)::integer as n from dfe.consent where urn = 100001 and withdrawn_at is null',
      ),
      0,
    );
    const results = await sync({ urns: [100001] });
    assert.deepEqual(results, []);
    assert.equal(await dfeCount('select count(*)::integer as n from dfe.submission'), 0);
  });

  test('a send stored as consent was removed is never sent, even after consent is given again', async () => {
    await consent(100001);
    await removeConsent(database.db, receiver(), { urn: 100001, removedBy: 'A. Administrator', now: clock });
    // A sync that read the consent just before the removal stores its send just after it.
    await storeSend(database.db, 100001, 'racing', prepareSend(100001, schools.get(100001)!, clock)!, clock);
    clock = new Date('2026-11-20T13:00:00Z');
    await consent(100001);
    const results = await sync();
    assert.deepEqual(
      results[0]!.sends.map((s) => s.state),
      ['accepted'],
      'only the send made under the new consent',
    );
    assert.deepEqual((await states(100001)).sort(), ['accepted', 'cancelled']);
    assert.equal(await dfeCount('select count(*)::integer as n from dfe.submission'), 1);
  });
});

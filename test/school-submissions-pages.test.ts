/**
 * The "Attendance API submissions" pages of the school role over HTTPS, with the DfE role as the
 * receiver on a server of its own: consent given and removed only with "Data Returns: Administer",
 * check-your-answers, CSRF on every change, the submissions table and a send's detail with each
 * record error as a place, and reconciliation with resend.
 */
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertPlainWords } from './support/plain-words.ts';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { sql } from 'kysely';
import type { FastifyInstance } from 'fastify';
import { createHttpServer } from '../src/platform/http/server.ts';
import { loadTls } from '../src/platform/http/tls.ts';
import { SecretBox } from '../src/platform/auth/secret-box.ts';
import { createAccount } from '../src/platform/auth/accounts.ts';
import { ACCOUNT_ROLES } from '../src/edgate.ts';
import { generateSchool } from '../src/school/synthetic-school.ts';
import { recordMark, replaceSchoolData } from '../src/school/school-data.ts';
import { schoolSyncRole } from '../src/school/sync/sync-role.ts';
import { saveReceiverSettings } from '../src/school/sync/receiver-settings.ts';
import { forgetReceiverTokens } from '../src/school/sync/receiver-client.ts';
import { runSchoolSync } from '../src/school/sync/sync-runner.ts';
import type { SchoolSyncSettings } from '../src/school/sync/sync-settings.ts';
import { openTestDatabase, type TestDatabase } from './support/test-database.ts';
import { startDfeReceiver, type DfeReceiver } from './support/dfe-receiver.ts';
import { csrfTokenIn, testClient, TEST_PASSWORD, type TestClient } from './support/test-server.ts';
import { freePort } from './support/postgres-cluster.ts';

const URN = 100001;
const PAGE = '/school/attendance-api';
let database: TestDatabase;
let dfe: DfeReceiver;
let school: FastifyInstance;
let baseUrl: string;
let ca: string;
let dir: string;
let settings: SchoolSyncSettings;
const box = new SecretBox(randomBytes(32));
let clock = new Date('2026-11-20T10:30:00Z');

async function signedIn(username: string): Promise<TestClient> {
  const client = testClient(baseUrl, ca);
  const answer = await client.signIn(username, TEST_PASSWORD);
  assert.equal(answer.status, 303, answer.body);
  return client;
}

/** Follows a page's form: the CSRF token from `formPage`, posted to `target`. */
async function submit(client: TestClient, formPage: string, target: string, fields: Record<string, string>) {
  const page = await client.get(formPage);
  assert.equal(page.status, 200, page.body);
  return client.post(target, { _csrf: csrfTokenIn(page.body), ...fields });
}

const dfeConsents = async () =>
  Number(
    (
      await sql<{
        n: number;
      }>`select count(*)::integer as n from dfe.consent where urn = ${URN} and withdrawn_at is null`.execute(
        database.db,
      )
    ).rows[0]?.n,
  );
const consents = () => database.db.selectFrom('school.consent').selectAll().execute();

before(async () => {
  database = await openTestDatabase();
  dfe = await startDfeReceiver({ handle: database, urns: [URN], now: () => clock });
  dir = mkdtempSync(path.join(tmpdir(), 'edgate-school-'));
  writeFileSync(path.join(dir, 'dfe-ca.pem'), dfe.ca);
  settings = {
    syncTimes: [],
    syncSchedule: false,
    syncLeaseSeconds: 600,
    receiverCaFile: path.join(dir, 'dfe-ca.pem'),
  };
  const tls = await loadTls({ dataDir: dir });
  ca = tls.cert;
  const port = await freePort();
  baseUrl = `https://127.0.0.1:${port}`;
  school = await createHttpServer({
    db: database.db,
    tls,
    logLevel: 'silent',
    now: () => clock,
    signInAttemptsPerMinute: 1000,
  });
  await schoolSyncRole(school, {
    handle: database,
    config: { publicUrl: baseUrl },
    settings,
    secretBox: box,
    now: () => clock,
  });
  await school.listen({ host: '127.0.0.1', port });
  await saveReceiverSettings(database.db, box, dfe.settings, 'test');

  const data = generateSchool({
    seed: 7,
    phase: 'primary',
    pupils: 40,
    today: '2026-11-20',
    marksFrom: '2026-11-02',
    urn: URN,
  });
  await replaceSchoolData(database.db, { ...data.school, name: 'Synthetic Primary School' }, data);
  for (const [username, permissions] of [
    ['head', ['data-returns-administer', 'attendance-take']],
    ['teacher', ['attendance-take']],
  ] as const) {
    await createAccount(
      database.db,
      {
        username,
        displayName: username === 'head' ? 'Hana Head' : 'Tom Teacher',
        password: TEST_PASSWORD,
        roles: ['school-user'],
      },
      ACCOUNT_ROLES,
    );
    await database.db
      .insertInto('school.staff')
      .values({ username, urn: URN, permissions: [...permissions], added_by: 'test' })
      .execute();
  }
});
after(async () => {
  await school.close();
  await dfe.close();
  await database.close();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(async () => {
  clock = new Date('2026-11-20T10:30:00Z');
  forgetReceiverTokens();
  await sql`delete from school.submission`.execute(database.db);
  await sql`delete from school.consent`.execute(database.db);
  await sql`delete from dfe.consent_event`.execute(database.db);
  await sql`delete from dfe.consent`.execute(database.db);
});

describe('Attendance API submissions pages', () => {
  test('the page says what is sent and previews today’s figures; a teacher is told which permission they lack and cannot consent', async () => {
    const teacher = await signedIn('teacher');
    const page = await teacher.get(PAGE);
    assert.equal(page.status, 200, page.body);
    assert.match(page.body, /Only totals are sent/);
    assert.match(page.body, /Today(&#39;|')s figures, as they would be sent/);
    assert.match(page.body, /Reception|Year 1/);
    assert.match(page.body, /you need the permission “Data Returns: Administer”/);
    assert.doesNotMatch(page.body, /action=give/);

    const check = await teacher.get(`${PAGE}/consent?action=give`);
    assert.equal(check.status, 403);
    assert.match(check.body, /need the permission “Data Returns: Administer”/);
    // Even a well-formed form post with the teacher's own CSRF token is refused.
    const token = csrfTokenIn((await teacher.get('/logout-confirm')).body);
    const posted = await teacher.post(`${PAGE}/consent`, { _csrf: token, action: 'give' });
    assert.equal(posted.status, 403);
    assert.match(posted.body, /need the permission “Data Returns: Administer”/);
    assert.equal((await teacher.post(`${PAGE}/resend`, { _csrf: token })).status, 403);
    assert.deepEqual(await consents(), []);
    assert.equal(await dfeConsents(), 0);
  });

  test('giving consent goes through check-your-answers, needs the CSRF token, records who and when, and tells the DfE', async () => {
    const head = await signedIn('head');
    const forged = await head.post(`${PAGE}/consent`, { action: 'give' });
    assert.equal(forged.status, 403, 'no CSRF token, no consent');
    assert.deepEqual(await consents(), []);

    const check = await head.get(`${PAGE}/consent?action=give`);
    assert.equal(check.status, 200);
    assert.match(check.body, /Check before you give consent/);
    assert.match(check.body, /Hana Head/);
    const given = await head.post(`${PAGE}/consent`, { _csrf: csrfTokenIn(check.body), action: 'give' });
    assert.equal(given.status, 303);
    const [consent] = await consents();
    assert.equal(consent?.given_by, 'Hana Head (head)');
    assert.equal(await dfeConsents(), 1);
    const page = await head.get(`${PAGE}?done=given`);
    assert.match(page.body, /Consent given/);
    assert.match(page.body, /Hana Head \(head\)/);
    assert.match(page.body, /10:30am on 20 November 2026/, 'London time');
    assert.match(page.body, /The receiver recorded the consent/);
    assert.match(page.body, /Remove consent/);
  });

  test('the submissions table: a green tick, a warning with each error as a place, and a failure with its reason; each opens', async () => {
    const head = await signedIn('head');
    await submit(head, `${PAGE}/consent?action=give`, `${PAGE}/consent`, { action: 'give' });
    await runSchoolSync(database.db, box, settings, { now: clock });
    // A send the DfE took with a record error, and one that failed, as the outbox keeps them.
    const body = {
      urn: URN,
      totalNoOfPupils: 40,
      submissionData: [
        {
          ncYearGroup: '3',
          date: '2026-11-13',
          schoolSession: 'AM',
          attendances: [
            { attendanceCode: '/', value: 5 },
            { attendanceCode: 'K', value: 1 },
          ],
        },
      ],
    };
    const row = (state: 'accepted-with-errors' | 'failed', minutes: number, extra: object) => ({
      id: randomUUID(),
      urn: URN,
      slot: `test ${state}`,
      idempotency_key: randomUUID(),
      dates: ['2026-11-13'],
      body_sha256: Buffer.alloc(32),
      body: gzipSync(JSON.stringify(body)),
      state,
      next_attempt_at: clock,
      created_at: new Date(clock.getTime() - minutes * 60_000),
      sent_at: new Date(clock.getTime() - minutes * 60_000),
      ...extra,
    });
    const warned = row('accepted-with-errors', 60, {
      receiver_errors: JSON.stringify({
        errors: [
          {
            code: 'VAL104',
            title: 'Invalid Attendance Code',
            detail: 'K',
            path: '$.submissionData[0].attendances[1].attendanceCode',
          },
        ],
        errorsNotListed: 0,
      }),
    });
    const failed = row('failed', 120, {
      failure: 'The receiver could not take it (503), 5 tries; the next sync will try again.',
    });
    await database.db.insertInto('school.submission').values([warned, failed]).execute();

    const page = await head.get(PAGE);
    assert.match(page.body, /✓ Received/);
    assert.match(page.body, /Received with errors/);
    assert.match(page.body, /1 entry not taken/);
    assert.match(page.body, /Failed/);
    assert.match(page.body, /could not take it \(503\)/);
    assert.match(page.body, /10 Nov to 20 Nov \(8 school days\)/);

    const detail = await head.get(`${PAGE}/submissions/${warned.id}`);
    assert.equal(detail.status, 200);
    assert.match(detail.body, /Year 3, 13 Nov, AM, code K — not a valid code on that date/);
    const failure = await head.get(`${PAGE}/submissions/${failed.id}`);
    assert.match(failure.body, /Why/);
    assert.match(failure.body, /could not take it \(503\)/);
    assert.equal((await head.get(`${PAGE}/submissions/${randomUUID()}`)).status, 404);
    for (const [shown, body] of [
      ['the submissions page', page.body],
      ['a submission received with errors', detail.body],
      ['a failed submission', failure.body],
    ] as const)
      assertPlainWords(body, shown);
  });

  test('removing consent: check-your-answers, queued sends cancelled, the DfE told, nothing more sent', async () => {
    const head = await signedIn('head');
    await submit(head, `${PAGE}/consent?action=give`, `${PAGE}/consent`, { action: 'give' });
    await runSchoolSync(database.db, box, settings, {
      now: clock,
      afterStored: () => {
        throw new Error('killed');
      },
    });
    const check = await head.get(`${PAGE}/consent?action=remove`);
    assert.match(check.body, /Check before you remove consent/);
    assert.equal(
      (await head.post(`${PAGE}/consent`, { action: 'remove' })).status,
      403,
      'no CSRF token, no removal',
    );
    assert.equal(await dfeConsents(), 1);
    const removed = await head.post(`${PAGE}/consent`, { _csrf: csrfTokenIn(check.body), action: 'remove' });
    assert.equal(removed.status, 303);
    assert.equal(await dfeConsents(), 0);
    const states = await database.db.selectFrom('school.submission').select('state').execute();
    assert.deepEqual(
      states.map((s) => s.state),
      ['cancelled'],
    );
    assert.deepEqual(await runSchoolSync(database.db, box, settings, { now: clock }), []);
    const page = await head.get(PAGE);
    assert.match(page.body, /Not sent/);
    assert.match(page.body, /removed by Hana Head/);
  });

  test('reconciliation lists a corrected mark as a difference, and resending (CSRF-checked) clears it', async () => {
    const head = await signedIn('head');
    await submit(head, `${PAGE}/consent?action=give`, `${PAGE}/consent`, { action: 'give' });
    await runSchoolSync(database.db, box, settings, { now: clock });
    const same = await head.get(`${PAGE}/reconcile`);
    assert.match(same.body, /No differences/);

    const mark = await database.db
      .selectFrom('school.mark')
      .select(['pupil_id', 'code'])
      .where('urn', '=', URN)
      .where('date', '=', '2026-11-17')
      .where('session', '=', 'AM')
      .where('code', '=', '/')
      .executeTakeFirstOrThrow();
    await recordMark(database.db, {
      urn: URN,
      pupilId: mark.pupil_id,
      date: '2026-11-17',
      session: 'AM',
      code: 'O',
      by: 'head',
      at: clock,
    });
    const differs = await head.get(`${PAGE}/reconcile`);
    assert.match(differs.body, /17 Nov, AM, code O: the DfE has 0, the school now 1/);
    assert.equal((await head.post(`${PAGE}/resend`, {})).status, 403, 'no CSRF token, no resend');
    const resent = await head.post(`${PAGE}/resend`, { _csrf: csrfTokenIn(differs.body) });
    assert.equal(resent.status, 303);
    assert.match((await head.get(`${PAGE}/reconcile`)).body, /No differences/);
  });
});

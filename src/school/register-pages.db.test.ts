/**
 * The register page, in process (app.inject): a teacher takes and amends a year group's marks,
 * every change is in the history; a teacher of another school reaches none of it, whatever the
 * URL or form says; a form without its CSRF token changes nothing.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertPlainWords } from '../../test/support/plain-words.ts';
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { openTestDatabase, type TestDatabase } from '../../test/support/test-database.ts';
import { csrfTokenIn } from '../../test/support/test-server.ts';
import { createHttpServer } from '../platform/http/server.ts';
import { SecretBox } from '../platform/auth/secret-box.ts';
import { createAccount } from '../platform/auth/accounts.ts';
import { startSession } from '../platform/auth/sessions.ts';
import { SESSION_COOKIE } from '../platform/web/shell.ts';
import { generateSchool } from './synthetic-school.ts';
import { yearGroupOn } from './pupils.ts';
import { addStaff, markHistory, replaceSchoolData } from './school-data.ts';
import { schoolRole } from './school-role.ts';
import { SCHOOL_USER } from './school-user.ts';

let database: TestDatabase;
let app: FastifyInstance;
const clock = new Date('2026-11-25T10:30:00Z');
const TODAY = '2026-11-25';
const ours = generateSchool({
  seed: 21,
  phase: 'primary',
  pupils: 70,
  today: TODAY,
  marksFrom: '2026-11-23',
  urn: 111111,
});
const theirs = generateSchool({
  seed: 22,
  phase: 'primary',
  pupils: 70,
  today: TODAY,
  marksFrom: '2026-11-23',
  urn: 222222,
});
// Today's morning register of ours is not taken yet.
ours.marks = ours.marks.filter((m) => m.date !== TODAY);
const cookies = new Map<string, string>();

async function signedIn(username: string, urn: number, permissions: string[]): Promise<void> {
  await addStaff(
    database.db,
    { username, urn, permissions, addedBy: 'test', password: 'synthetic-test-password' },
    [SCHOOL_USER],
  );
  const account = await database.db
    .selectFrom('platform.account')
    .select('id')
    .where('username', '=', username)
    .executeTakeFirstOrThrow();
  cookies.set(username, (await startSession(database.db, account.id, clock, 8)).token);
}

before(async () => {
  database = await openTestDatabase();
  await replaceSchoolData(database.db, ours.school, ours);
  await replaceSchoolData(database.db, theirs.school, theirs);
  await signedIn('tess', 111111, ['attendance-take']);
  await signedIn('other', 222222, ['attendance-take']);
  await signedIn('office', 111111, ['data-returns-administer']);
  await createAccount(
    database.db,
    { username: 'stranger', displayName: 'x', password: 'synthetic-test-password', roles: ['school-user'] },
    [SCHOOL_USER],
  );
  const account = await database.db
    .selectFrom('platform.account')
    .select('id')
    .where('username', '=', 'stranger')
    .executeTakeFirstOrThrow();
  cookies.set('stranger', (await startSession(database.db, account.id, clock, 8)).token);
  app = await createHttpServer({ db: database.db, logLevel: 'silent', now: () => clock });
  await app.register(async (scope) =>
    schoolRole(scope, {
      handle: database,
      config: { publicUrl: 'https://127.0.0.1' },
      settings: { syncTimes: [], syncSchedule: false, syncLeaseSeconds: 600, receiverCaFile: undefined },
      secretBox: new SecretBox(randomBytes(32)),
      now: () => clock,
    }),
  );
  await app.ready();
});
after(async () => {
  await app.close();
  await database.close();
});

const get = (who: string, url: string) =>
  app.inject({ method: 'GET', url, headers: { cookie: `${SESSION_COOKIE}=${cookies.get(who)}` } });
const post = (who: string, form: Record<string, string>) =>
  app.inject({
    method: 'POST',
    url: '/school/register',
    headers: {
      cookie: `${SESSION_COOKIE}=${cookies.get(who)}`,
      'content-type': 'application/x-www-form-urlencoded',
      'sec-fetch-site': 'same-origin',
    },
    payload: new URLSearchParams(form).toString(),
  });

const year3Today = ours.enrolments.filter((e) => yearGroupOn(e, TODAY) === '3');
const REGISTER = '/school/register?date-day=25&date-month=11&date-year=2026&session=AM&group=3';

test('a teacher takes the morning register of a year group, and each pupil has a mark', async () => {
  const page = await get('tess', REGISTER);
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /Reception|Year 3/);
  assert.match(page.body, new RegExp(`0 of ${year3Today.length} pupils marked`));
  assert.match(page.body, /I — Illness/);
  const form: Record<string, string> = {
    _csrf: csrfTokenIn(page.body),
    date: TODAY,
    session: 'AM',
    group: '3',
  };
  for (const e of year3Today) form[`mark-${e.pupilId}`] = '/';
  form[`mark-${year3Today[0]!.pupilId}`] = 'I';
  const saved = await post('tess', form);
  assert.equal(saved.statusCode, 303);
  assert.match(String(saved.headers.location), /saved=\d+/);
  const after = await get('tess', String(saved.headers.location));
  assert.match(after.body, new RegExp(`Register saved: ${year3Today.length} marks changed`));
  assert.match(after.body, new RegExp(`${year3Today.length} of ${year3Today.length} pupils marked`));
  const mark = await database.db
    .selectFrom('school.mark')
    .select(['code', 'recorded_by'])
    .where('urn', '=', 111111)
    .where('pupil_id', '=', year3Today[0]!.pupilId)
    .where('date', '=', TODAY)
    .where('session', '=', 'AM')
    .executeTakeFirstOrThrow();
  assert.deepEqual(mark, { code: 'I', recorded_by: 'tess' });
});

test('amending a mark with a reason records who, when, old and new, and the history page shows it', async () => {
  const page = await get('tess', REGISTER);
  const pupil = year3Today[0]!.pupilId;
  const saved = await post('tess', {
    _csrf: csrfTokenIn(page.body),
    date: TODAY,
    session: 'AM',
    group: '3',
    [`mark-${pupil}`]: 'M',
    reason: 'Dentist letter came in',
  });
  assert.equal(saved.statusCode, 303);
  const history = await markHistory(database.db, { urn: 111111, pupilId: pupil, date: TODAY, session: 'AM' });
  assert.deepEqual(
    history.map((h) => [h.from, h.to, h.by, h.reason]),
    [
      [null, 'I', 'tess', null],
      ['I', 'M', 'tess', 'Dentist letter came in'],
    ],
  );
  const shown = await get('tess', `/school/register/history?date=${TODAY}&session=AM&pupil=${pupil}`);
  assert.equal(shown.statusCode, 200);
  assert.match(shown.body, /I → M/);
  assert.match(shown.body, /Dentist letter came in/);
  assert.match(shown.body, /10:30am on 25 November 2026/);
  assertPlainWords(shown.body, 'a mark’s history');
  assertPlainWords((await get('tess', REGISTER)).body, 'the register');
  assertPlainWords((await get('tess', '/school/insight')).body, 'the insight page');
});

test('a teacher of another school reaches none of it, even with crafted URLs and forms', async () => {
  const pupil = year3Today[1]!.pupilId;
  // Pupil ids are the MIS's own: the other school has a P00012 too. The school is always the member's own.
  const history = await get(
    'other',
    `/school/register/history?date=${TODAY}&session=AM&pupil=${pupil}&urn=111111`,
  );
  const ourName = ours.pupils.find((p) => p.id === pupil)!;
  assert.equal(history.body.includes(`${ourName.forename} ${ourName.surname}`), false);
  const page = await get('other', `${REGISTER}&urn=111111`);
  assert.match(page.body, new RegExp(theirs.school.name));
  for (const p of ours.pupils
    .filter((o) => !theirs.pupils.some((t) => t.surname === o.surname && t.forename === o.forename))
    .slice(0, 10))
    assert.equal(page.body.includes(`${p.surname}, ${p.forename}`), false);
  const before = await database.db
    .selectFrom('school.mark')
    .select('code')
    .where('urn', '=', 111111)
    .where('pupil_id', '=', pupil)
    .where('date', '=', TODAY)
    .executeTakeFirst();
  const crafted = await post('other', {
    _csrf: csrfTokenIn(page.body),
    date: TODAY,
    session: 'AM',
    group: '3',
    urn: '111111',
    [`mark-${pupil}-x`]: 'G',
  });
  assert.equal(crafted.statusCode, 400);
  await post('other', {
    _csrf: csrfTokenIn(page.body),
    date: TODAY,
    session: 'AM',
    group: '3',
    urn: '111111',
    [`mark-${pupil}`]: 'G',
  });
  const afterwards = await database.db
    .selectFrom('school.mark')
    .select('code')
    .where('urn', '=', 111111)
    .where('pupil_id', '=', pupil)
    .where('date', '=', TODAY)
    .executeTakeFirst();
  assert.deepEqual(afterwards, before);
});

test('staff without the permission, and accounts of no school, are told why', async () => {
  const office = await get('office', REGISTER);
  assert.equal(office.statusCode, 403);
  assert.match(office.body, /needs the permission &quot;Attendance: Take the register&quot;/);
  const stranger = await get('stranger', REGISTER);
  assert.equal(stranger.statusCode, 403);
  assert.match(stranger.body, /not staff of any school/);
});

test('a form without its CSRF token changes nothing', async () => {
  const pupil = year3Today[2]!.pupilId;
  const refused = await post('tess', { date: TODAY, session: 'AM', group: '3', [`mark-${pupil}`]: 'G' });
  assert.equal(refused.statusCode, 403);
  const forged = await post('tess', {
    _csrf: 'forged',
    date: TODAY,
    session: 'AM',
    group: '3',
    [`mark-${pupil}`]: 'G',
  });
  assert.equal(forged.statusCode, 403);
  const mark = await database.db
    .selectFrom('school.mark')
    .select('code')
    .where('urn', '=', 111111)
    .where('pupil_id', '=', pupil)
    .where('date', '=', TODAY)
    .where('session', '=', 'AM')
    .executeTakeFirstOrThrow();
  assert.equal(mark.code, '/');
});

test('a bad date, a code not valid that day, and a day the school was shut are refused in plain words', async () => {
  const bad = await get(
    'tess',
    '/school/register?date-day=31&date-month=2&date-year=2026&session=AM&group=3',
  );
  assert.equal(bad.statusCode, 400);
  assert.match(bad.body, /href="#date-day">Date must be a real date/);
  // The GOV.UK date input's messages, on the part that is wrong.
  const noYear = await get(
    'tess',
    '/school/register?date-day=20&date-month=11&date-year=&session=AM&group=3',
  );
  assert.equal(noYear.statusCode, 400);
  assert.match(noYear.body, /href="#date-year">Date must include a year/);
  assert.match(noYear.body, /govuk-input--error" id="date-year"/);
  assert.doesNotMatch(noYear.body, /govuk-input--error" id="date-day"/);
  const future = await get(
    'tess',
    '/school/register?date-day=1&date-month=1&date-year=2027&session=AM&group=3',
  );
  assert.equal(future.statusCode, 400);
  assert.match(future.body, /Date must be today or in the past/);
  // A bookmark or a link may name the date as YYYY-MM-DD.
  const linked = await get('tess', `/school/register?date=${TODAY}&session=AM&group=3`);
  assert.equal(linked.statusCode, 200);
  assert.match(linked.body, /morning of 25 November 2026/);
  const page = await get('tess', REGISTER);
  const pupil = year3Today[2]!.pupilId;
  const wrongCode = await post('tess', {
    _csrf: csrfTokenIn(page.body),
    date: TODAY,
    session: 'AM',
    group: '3',
    [`mark-${pupil}`]: 'H',
  });
  assert.equal(wrongCode.statusCode, 400);
  assert.match(wrongCode.body, /&quot;H&quot; is not an attendance code on 2026-11-25/);
  const saturday = await get(
    'tess',
    '/school/register?date-day=21&date-month=11&date-year=2026&session=AM&group=3',
  );
  assert.match(saturday.body, /The school did not meet/);
});

test('the insight page shows this year by year group, the bands as a chart and a table, and names pupils only to their own school', async () => {
  const page = await get('tess', '/school/insight');
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /Attendance this year/);
  assert.match(page.body, /Whole school/);
  assert.match(page.body, /<svg[^>]*role="img"/);
  assert.match(page.body, /The bands as a table/);
  assert.match(page.body, /Persistently absent pupils/);
  const other = await get('other', '/school/insight');
  assert.match(other.body, new RegExp(theirs.school.name));
  assert.doesNotMatch(other.body, new RegExp(ours.school.name));
  const stranger = await get('stranger', '/school/insight');
  assert.equal(stranger.statusCode, 403);
});

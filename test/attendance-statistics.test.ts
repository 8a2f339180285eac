/**
 * Attendance statistics, in-process (support/test-app.ts): submissions posted through the API by suppliers, then the
 * figures read back — by LA clients and national readers through the statistics API, and by DfE
 * analysts on the pages and in the CSV downloads. Every expected figure is worked out by hand from
 * the marks posted below.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { createAccount } from '../src/platform/auth/accounts.ts';
import { createClient } from '../src/dfe/oauth/clients.ts';
import { NATIONAL_KEEP_MS } from '../src/dfe/statistics/attendance-statistics.ts';
import { giveConsent } from '../src/dfe/consent/consent-store.ts';
import type { School } from '../src/dfe/schools/school.ts';
import { TEST_PASSWORD, withCookies, type TestApp } from './support/test-app.ts';
import type { TestDatabase } from './support/test-database.ts';
import { startAttendanceApp } from './support/attendance-app.ts';
import { tokenFor as tokenFrom, type ApiAnswer } from './support/api-client.ts';
import { ACCOUNT_ROLES } from '../src/edgate.ts';

let server: TestApp;
let database: TestDatabase;
/** The server's clock: Friday 20 November 2026, morning. */
let clock = new Date('2026-11-20T09:00:00Z');

type Response = ApiAnswer;

/** One request in-process; given a jar, with the cookies the pages set. */
const call = (
  method: string,
  target: string,
  headers: Record<string, string> = {},
  body?: string,
  jar?: Map<string, string>,
): Promise<ApiAnswer> => (jar ? withCookies(server.call, jar) : server.call)(method, target, headers, body);

/** Signs in through the form; the jar then holds the session. */
async function signedIn(username: string): Promise<(target: string) => Promise<Response>> {
  const browser = server.client();
  const answer = await browser.signIn(username, TEST_PASSWORD);
  assert.equal(answer.status, 303, `${username} signs in`);
  const jar = browser.cookies;
  return (target) => call('GET', target, { accept: 'text/html' }, undefined, jar);
}

const school = (urn: number, laCode: string, phase: string, name: string): School => ({
  urn,
  name,
  laCode,
  typeOfEstablishment: 'Community school',
  phaseOfEducation: phase,
  status: 'Open',
  street: null,
  town: 'Exampleton',
  postcode: 'ZZ1 1ZZ',
});

const SCHOOLS: School[] = [
  school(100001, '825', 'Secondary', 'Synthetic Academy'),
  school(100002, '825', 'Primary', 'Synthetic Primary School'),
  // Never reports; its name is what a spreadsheet would run as a formula.
  school(100003, '825', 'Primary', '=HYPERLINK("http://example.invalid","Quiet School")'),
  school(200001, '826', 'Primary', 'Milton Synthetic Primary'),
];

const tokenFor = (client: { clientId: string; clientSecret: string }, scope: string) =>
  tokenFrom(server.call, client, scope);

type Marks = Record<string, number>;
const entry = (date: string, schoolSession: 'AM' | 'PM', ncYearGroup: string, marks: Marks) => ({
  ncYearGroup,
  date,
  schoolSession,
  attendances: Object.entries(marks).map(([attendanceCode, value]) => ({ attendanceCode, value })),
});

const post = async (token: string, body: unknown) =>
  call(
    'POST',
    '/attendances',
    { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    JSON.stringify(body),
  );

const getJson = (token: string, target: string) =>
  call('GET', target, { authorization: `Bearer ${token}`, accept: 'application/json' });

const tokens: Record<'misOne' | 'misTwo' | 'misThree' | 'national' | 'la825', string> = {
  misOne: '',
  misTwo: '',
  misThree: '',
  national: '',
  la825: '',
};
const clientIds: Record<'misOne' | 'misTwo' | 'misThree', string> = { misOne: '', misTwo: '', misThree: '' };

before(async () => {
  server = await startAttendanceApp({
    schools: SCHOOLS,
    config: { accessTokenLifetimeSeconds: 90 * 86400 },
    now: () => clock,
    accounts: false,
  });
  database = server.handle;
  for (const [username, roles] of [
    ['analyst', ['dfe-analyst']],
    ['admin', ['admin']],
    ['casey', ['caseworker']],
  ] as const)
    await createAccount(
      database.db,
      {
        username,
        displayName: username,
        password: TEST_PASSWORD,
        roles: [...roles],
      },
      ACCOUNT_ROLES,
    );

  const misOne = await createClient(database.db, {
    name: 'MIS One',
    scopes: ['attendance.submit'],
    requiresConsent: false,
  });
  const misTwo = await createClient(database.db, {
    name: 'MIS Two',
    scopes: ['attendance.submit'],
    requiresConsent: false,
  });
  const misThree = await createClient(database.db, { name: 'MIS Three', scopes: ['attendance.submit'] });
  const national = await createClient(database.db, { name: 'Analysis tool', scopes: ['attendance.read'] });
  const la825 = await createClient(database.db, {
    name: 'Buckinghamshire',
    scopes: ['attendance.read.la'],
    laCode: '825',
  });
  // Tokens are issued before the earliest send below: a token issued after the clock's now is refused.
  clock = new Date('2026-11-10T14:00:00Z');
  tokens.misOne = await tokenFor(misOne, 'attendance.submit');
  tokens.misTwo = await tokenFor(misTwo, 'attendance.submit');
  tokens.misThree = await tokenFor(misThree, 'attendance.submit');
  tokens.national = await tokenFor(national, 'attendance.read');
  tokens.la825 = await tokenFor(la825, 'attendance.read.la');
  clientIds.misOne = misOne.clientId;
  clientIds.misTwo = misTwo.clientId;
  clientIds.misThree = misThree.clientId;

  const accepted = async (token: string, body: unknown, errors = 0) => {
    const response = await post(token, body);
    assert.equal(response.status, 201, response.text);
    assert.equal(response.json<{ errors: unknown[] }>().errors.length, errors, response.text);
  };
  // Ten days ago and three days ago: in the week or not, for the suppliers monitor.
  clock = new Date('2026-11-10T15:00:00Z');
  await accepted(tokens.misTwo, {
    urn: 200001,
    totalNoOfPupils: 20,
    submissionData: [entry('2026-11-10', 'AM', '1', { '/': 20 })],
  });
  clock = new Date('2026-11-17T15:00:00Z');
  await accepted(tokens.misTwo, {
    urn: 200001,
    totalNoOfPupils: 20,
    submissionData: [entry('2026-11-17', 'AM', '1', { '/': 18, I: 2 })],
  });

  clock = new Date('2026-11-20T09:00:00Z');
  await accepted(tokens.misOne, {
    urn: 100001,
    totalNoOfPupils: 150,
    submissionData: [
      entry('2026-11-19', 'AM', '7', { '/': 95, I: 5 }),
      entry('2026-11-20', 'AM', '7', { '/': 90, V: 1, I: 6, O: 3 }),
      entry('2026-11-20', 'PM', '7', { '\\': 88, I: 6, O: 4, X: 2 }),
      entry('2026-11-20', 'AM', '8', { '/': 45, M: 3, G: 2 }),
    ],
  });
  await accepted(tokens.misOne, {
    urn: 100002,
    totalNoOfPupils: 30,
    submissionData: [
      entry('2026-11-20', 'AM', 'R', { '/': 27, N: 3 }),
      entry('2026-11-20', 'PM', 'R', { '\\': 25, I: 2, N: 3 }),
    ],
  });
  // Accepted with a record error (M is a class year group, never a pupil's): nothing of it is stored.
  await accepted(
    tokens.misOne,
    { urn: 100002, totalNoOfPupils: 30, submissionData: [entry('2026-11-20', 'AM', 'M', { '/': 1 })] },
    1,
  );
  await accepted(tokens.misTwo, {
    urn: 200001,
    totalNoOfPupils: 20,
    submissionData: [entry('2026-11-20', 'AM', '1', { '/': 19, P: 1 })],
  });
  // No consent yet: refused, nothing stored; the refusal is recorded once the answer is sent.
  const refused = await post(tokens.misThree, {
    urn: 100001,
    totalNoOfPupils: 150,
    submissionData: [entry('2026-11-20', 'AM', '9', { '/': 100 })],
  });
  assert.equal(refused.status, 403, refused.text);
  const refusals = async () =>
    (
      await sql<{ n: number }>`
        select count(*)::integer as n from dfe.refused_request where client_id = ${misThree.clientId}
      `.execute(database.db)
    ).rows[0]?.n;
  for (let tries = 0; (await refusals()) === 0 && tries < 100; tries++)
    await new Promise((resolve) => setTimeout(resolve, 20));
  await giveConsent(
    database.db,
    { clientId: misThree.clientId, urn: 100001, recordedBy: 'supplier', now: clock },
    { givenBy: 'A. Head', givenAt: new Date('2026-11-20T08:00:00Z') },
  );
});

after(() => server.close());

/*
 * The figures by hand (possible = present + aea + authorised + unauthorised; X is not counted):
 *   100001 on 20 Nov: AM 7 100 = 90 + 1 V + 6 I + 3 O; PM 7 98 = 88 + 6 I + 4 O (+2 X); AM 8 50 = 45 + 3 M + 2 G
 *                     → 248 possible, 223 present, 1 aea, 15 authorised, 9 unauthorised, 2 not counted
 *          on 19 Nov: AM 7 100 = 95 + 5 I
 *   100002 on 20 Nov: AM R 30 = 27 + 3 N; PM R 30 = 25 + 2 I + 3 N → 60, 52, 0, 2, 6
 *   200001 on 20 Nov: AM 1 20 = 19 + 1 P → 20, 19, 1, 0, 0   (LA 826)
 *   LA 825 on 20 Nov: 308 possible, 275 present, 1 aea, 17 authorised, 15 unauthorised, 2 not counted
 *   England on 20 Nov: 328, 294, 2, 17, 15, 2 → attendance 296/328, authorised 17/328, unauthorised 15/328
 */
const LA_825_ON_20 = {
  schools: 2,
  possible: 308,
  present: 275,
  aea: 1,
  authorised: 17,
  unauthorised: 15,
  notCounted: 2,
  attendanceRate: 276 / 308,
  authorisedRate: 17 / 308,
  unauthorisedRate: 15 / 308,
};
const ENGLAND_ON_20 = {
  date: '2026-11-20',
  schools: 3,
  possible: 328,
  present: 294,
  aea: 2,
  authorised: 17,
  unauthorised: 15,
  notCounted: 2,
  attendanceRate: 296 / 328,
  authorisedRate: 17 / 328,
  unauthorisedRate: 15 / 328,
};

describe('the statistics API', () => {
  test('national per day, for attendance.read', async () => {
    const response = await getJson(tokens.national, '/statistics/national?from=2026-11-19&to=2026-11-20');
    assert.equal(response.status, 200, response.text);
    assert.deepEqual(response.json(), {
      from: '2026-11-19',
      to: '2026-11-20',
      days: [
        {
          date: '2026-11-19',
          schools: 1,
          possible: 100,
          present: 95,
          aea: 0,
          authorised: 5,
          unauthorised: 0,
          notCounted: 0,
          attendanceRate: 0.95,
          authorisedRate: 0.05,
          unauthorisedRate: 0,
        },
        ENGLAND_ON_20,
      ],
    });
    const byDefault = await getJson(tokens.national, '/statistics/national');
    assert.deepEqual(
      byDefault.json<{ from: string; to: string; days: { date: string }[] }>().days.map((day) => day.date),
      ['2026-11-10', '2026-11-17', '2026-11-19', '2026-11-20'],
      'the last four weeks to today',
    );
  });

  test('an LA client reads its own LA per day and its schools on a day', async () => {
    const days = await getJson(tokens.la825, '/statistics/la/825?from=2026-11-01&to=2026-11-20');
    assert.equal(days.status, 200, days.text);
    const body = days.json<{ laCode: string; laName: string; days: Record<string, unknown>[] }>();
    assert.equal(body.laName, 'Buckinghamshire');
    assert.deepEqual(
      body.days.map((day) => day.date),
      ['2026-11-19', '2026-11-20'],
      'nothing of Milton Keynes',
    );
    assert.deepEqual(body.days[1], { date: '2026-11-20', ...LA_825_ON_20 });

    const schools = await getJson(tokens.la825, '/statistics/la/825/schools?date=2026-11-20');
    assert.equal(schools.status, 200, schools.text);
    const day = schools.json<{
      date: string;
      schoolsReporting: number;
      schoolsListed: number;
      total: Record<string, unknown>;
      yearGroups: { ncYearGroup: string; schools: number; possible: number; attendanceRate: number }[];
      schools: { urn: number; figures: { possible: number; attendanceRate: number } | null }[];
    }>();
    assert.equal(day.schoolsReporting, 2);
    assert.equal(day.schoolsListed, 3);
    assert.deepEqual(day.total, LA_825_ON_20);
    assert.deepEqual(
      day.yearGroups.map((g) => [g.ncYearGroup, g.schools, g.possible, g.attendanceRate]),
      [
        ['R', 1, 60, 52 / 60],
        ['7', 1, 198, 179 / 198],
        ['8', 1, 50, 45 / 50],
      ],
      'year groups in the reference order; a school with AM and PM counted once',
    );
    const byUrn = new Map(day.schools.map((s) => [s.urn, s.figures]));
    assert.deepEqual(byUrn.get(100001)?.possible, 248);
    assert.equal(byUrn.get(100001)?.attendanceRate, 224 / 248);
    assert.equal(byUrn.get(100002)?.attendanceRate, 52 / 60);
    assert.equal(byUrn.get(100003), null, 'a school that sent nothing is listed without figures');
    assert.equal(byUrn.has(200001), false);

    const latest = await getJson(tokens.la825, '/statistics/la/825/schools');
    assert.equal(
      latest.json<{ date: string }>().date,
      '2026-11-20',
      'the latest date with figures by default',
    );
  });

  test('an LA client cannot read another LA, any code; it reads England’s figures beside its own', async () => {
    for (const laCode of ['826', '999']) {
      for (const target of [`/statistics/la/${laCode}`, `/statistics/la/${laCode}/schools`]) {
        const response = await getJson(tokens.la825, target);
        assert.equal(response.status, 403, target);
        assert.deepEqual(response.json(), {
          id: 'ERROR_LA_NOT_PERMITTED',
          code: 'VAL129',
          status: '403',
          title: 'Local authority not permitted',
          detail: "This client may read only its own local authority's statistics",
        });
      }
    }
    // National totals are published aggregates: an LA compares its schools with England.
    const national = await getJson(tokens.la825, '/statistics/national?from=2026-11-20&to=2026-11-20');
    assert.equal(national.status, 200, national.text);
    assert.deepEqual(national.json<{ days: unknown[] }>().days, [ENGLAND_ON_20]);
    const supplier = await getJson(tokens.misOne, '/statistics/la/825');
    assert.equal(supplier.status, 403, 'submitting is not reading');
    const anonymous = await call('GET', '/statistics/la/825');
    assert.equal(anonymous.status, 401);
  });

  test('a national reader reads any LA; an unknown LA, a bad date or range is an error object', async () => {
    const other = await getJson(tokens.national, '/statistics/la/826?from=2026-11-20&to=2026-11-20');
    assert.equal(other.status, 200);
    assert.equal(other.json<{ days: { attendanceRate: number }[] }>().days[0]?.attendanceRate, 1);
    const unknown = await getJson(tokens.national, '/statistics/la/999');
    assert.equal(unknown.status, 404);
    assert.equal(unknown.json<{ code: string }>().code, 'VAL130');
    const badDate = await getJson(tokens.national, '/statistics/la/825/schools?date=2026-11-31');
    assert.equal(badDate.status, 400);
    assert.equal(badDate.json<{ code: string }>().code, 'VAL128');
    const reversed = await getJson(tokens.national, '/statistics/national?from=2026-11-20&to=2026-11-19');
    assert.deepEqual(reversed.json(), {
      id: 'ERROR_INVALID_DATE_RANGE',
      code: 'VAL131',
      status: '400',
      title: 'Invalid date range',
      detail: 'from must not be after to',
    });
    const tooLong = await getJson(tokens.national, '/statistics/national?from=2026-01-01&to=2026-11-20');
    assert.equal(tooLong.status, 400);
    assert.equal(tooLong.json<{ code: string }>().code, 'VAL131');
  });

  test('the statistics API is documented at /docs', async () => {
    const spec = await call('GET', '/docs/json');
    const paths = spec.json<{ paths: Record<string, Record<string, { tags?: string[] }>> }>().paths;
    for (const documented of [
      '/statistics/national',
      '/statistics/la/{laCode}',
      '/statistics/la/{laCode}/schools',
    ])
      assert.deepEqual(paths[documented]?.get?.tags, ['attendance'], documented);
  });
});

describe('the statistics pages', () => {
  test('need sign-in, and the dfe-analyst or admin role', async () => {
    const anonymous = await call('GET', '/dfe/attendance', { accept: 'text/html' });
    assert.equal(anonymous.status, 302);
    assert.match(String(anonymous.headers.location), /^\/login\?next=/);
    const caseworker = await signedIn('casey');
    for (const target of [
      '/dfe/attendance',
      '/dfe/attendance/national.csv',
      '/dfe/attendance/las',
      '/dfe/attendance/las.csv',
      '/dfe/attendance/las/825',
      '/dfe/attendance/las/825/schools.csv',
      '/dfe/attendance/schools/100001',
      '/dfe/attendance/year-groups',
      '/dfe/attendance/suppliers',
    ])
      assert.equal((await caseworker(target)).status, 403, target);
    const admin = await signedIn('admin');
    assert.equal((await admin('/dfe/attendance')).status, 200);
  });

  test('the dashboard: the latest day’s rates, a chart of the dates with figures, phases', async () => {
    const page = await (await signedIn('analyst'))('/dfe/attendance');
    assert.equal(page.status, 200);
    // 296/328 = 90.24%, 17/328 = 5.18%, 15/328 = 4.57%.
    assert.match(page.text, /data-figure="attendance">90\.2%</);
    assert.match(page.text, /data-figure="authorised">5\.2%</);
    assert.match(page.text, /data-figure="unauthorised">4\.6%</);
    assert.match(page.text, /The last 4 school days/);
    const charts = page.text.match(/<svg xmlns="http:\/\/www.w3.org\/2000\/svg" viewBox/g) ?? [];
    assert.equal(charts.length, 2, 'attendance and absence charts');
    assert.match(page.text, /<title>20 November 2026: Attendance 90\.2%<\/title>/);
    assert.match(page.text, /<path d="M[\d. L]+" fill="none" stroke="#1d70b8"/);
    // Primary: 100002 and 200001 → 80 possible, 71 present + 1 aea → 90.0%. Secondary: 224/248 → 90.3%.
    assert.match(page.text, /Primary<\/th>\s*<td[^>]*>2<\/td>\s*<td[^>]*>90\.0%<\/td>/);
    assert.match(page.text, /Secondary<\/th>\s*<td[^>]*>1<\/td>\s*<td[^>]*>90\.3%<\/td>/);
    const csp = String(page.headers['content-security-policy']);
    assert.doesNotMatch(csp, /unsafe-inline/, 'the chart needs no inline script or style');
  });

  test('the LA table, an LA’s page and a school’s page', async () => {
    const get = await signedIn('analyst');
    const las = await get('/dfe/attendance/las?date=2026-11-20');
    assert.equal(las.status, 200);
    assert.match(las.text, /href="\/dfe\/attendance\/las\/825\?date=2026-11-20">Buckinghamshire \(825\)/);
    assert.match(las.text, /Milton Keynes \(826\)/);
    assert.match(las.text, /2 of 3/, 'Buckinghamshire: 2 of its 3 schools reported');

    const la = await get('/dfe/attendance/las/825?date=2026-11-20');
    assert.equal(la.status, 200);
    assert.match(la.text, /2 of 3 schools reported/);
    assert.match(la.text, /Nothing received/);
    assert.match(la.text, /=HYPERLINK\(&quot;http:\/\/example.invalid&quot;/, 'names are escaped on pages');
    assert.equal((await get('/dfe/attendance/las/999')).status, 404);

    const academy = await get('/dfe/attendance/schools/100001?date=2026-11-20');
    assert.equal(academy.status, 200);
    assert.match(academy.text, /Synthetic Academy/);
    assert.match(academy.text, /The last 2 school days/);
    // Year 7: (178 + 1) / 198 = 90.4%; year 8: 45/50 = 90.0%.
    assert.match(academy.text, />7<\/th>\s*<td[^>]*>90\.4%<\/td>/);
    assert.match(academy.text, />8<\/th>\s*<td[^>]*>90\.0%<\/td>/);
    assert.match(academy.text, /Refused\s*<\/strong>\s*<span class="govuk-body-s">403 VAL121/);
    assert.match(academy.text, /MIS Three/);
    assert.match(academy.text, /A\. Head/, 'the consent recorded afterwards');

    const primary = await get('/dfe/attendance/schools/100002');
    assert.match(primary.text, /Accepted with errors/);
    assert.match(primary.text, />R<\/th>\s*<td[^>]*>86\.7%<\/td>/, '52/60, the latest day by default');
    assert.equal((await get('/dfe/attendance/schools/999999')).status, 404);
    assert.equal((await get('/dfe/attendance/schools/abc')).status, 404);

    const yearGroups = await get('/dfe/attendance/year-groups?date=2026-11-20');
    assert.match(yearGroups.text, />1<\/th>\s*<td[^>]*>1<\/td>\s*<td[^>]*>100\.0%<\/td>/, '200001’s year 1');
  });

  test('the suppliers monitor counts today and the last 7 days', async () => {
    const page = await (await signedIn('analyst'))('/dfe/attendance/suppliers');
    assert.equal(page.status, 200);
    const row = (clientId: string) => {
      const match = new RegExp(`data-client="${clientId}">([\\s\\S]*?)</tr>`).exec(page.text);
      assert.ok(match, clientId);
      return [...match[1]!.matchAll(/govuk-table__cell--numeric">([^<]*)</g)].map((m) => m[1]);
    };
    // Active consents; today accepted, with errors, refused; the same over 7 days.
    assert.deepEqual(row(clientIds.misOne), ['0', '2', '1', '0', '2', '1', '0']);
    assert.deepEqual(
      row(clientIds.misTwo),
      ['0', '1', '0', '0', '2', '0', '0'],
      '10 November is not in the week',
    );
    assert.deepEqual(row(clientIds.misThree), ['1', '0', '0', '1', '0', '0', '1']);
    assert.match(page.text, /Analysis tool[\s\S]*?Never/);
  });

  test('CSV downloads: the dashboard series, the LA table and an LA’s schools, quoted and guarded', async () => {
    const get = await signedIn('analyst');
    const national = await get('/dfe/attendance/national.csv');
    assert.equal(national.status, 200);
    assert.match(String(national.headers['content-type']), /^text\/csv; charset=utf-8/);
    assert.match(
      String(national.headers['content-disposition']),
      /attachment; filename="attendance-national-2026-11-20\.csv"/,
    );
    const lines = national.text.replace(/^\uFEFF/, '').split('\r\n');
    assert.equal(
      lines[0],
      'date,schools_reporting,possible_sessions,present,approved_educational_activity,authorised_absence,' +
        'unauthorised_absence,not_counted,attendance_rate_percent,authorised_absence_rate_percent,' +
        'unauthorised_absence_rate_percent',
    );
    assert.equal(lines[4], '2026-11-20,3,328,294,2,17,15,2,90.24,5.18,4.57');
    assert.equal(lines.length, 6, 'header, four dates, and the final line end');

    const las = await get('/dfe/attendance/las.csv?date=2026-11-20');
    const laLines = las.text.replace(/^\uFEFF/, '').split('\r\n');
    assert.equal(laLines[1], '2026-11-20,825,Buckinghamshire,3,2,308,275,1,17,15,2,89.61,5.52,4.87');

    const schools = await get('/dfe/attendance/las/825/schools.csv?date=2026-11-20');
    assert.match(String(schools.headers['content-disposition']), /attendance-825-schools-2026-11-20\.csv/);
    const schoolLines = schools.text.replace(/^\uFEFF/, '').split('\r\n');
    assert.ok(
      schoolLines.includes(
        '2026-11-20,825,100001,Synthetic Academy,Secondary,yes,1,248,223,1,15,9,2,90.32,6.05,3.63',
      ),
    );
    assert.ok(
      schoolLines.includes(
        '2026-11-20,825,100003,"\'=HYPERLINK(""http://example.invalid"",""Quiet School"")",Primary,no,0,,,,,,,,,',
      ),
      schoolLines.join('\n'),
    );
  });
});

describe('kept up to date', () => {
  test('a correction shows at once for an LA and within seconds nationally', async () => {
    // The server's clock ages the kept national answers: no waiting, and no timing of this machine.
    clock = new Date('2026-11-20T13:00:00Z');
    const before = await getJson(tokens.national, '/statistics/national?from=2026-11-20&to=2026-11-20');
    assert.deepEqual(before.json<{ days: unknown[] }>().days[0], ENGLAND_ON_20);
    // 200001 corrects its morning: 10 present, 10 unauthorised (newer receipt wins).
    const corrected = await post(tokens.misTwo, {
      urn: 200001,
      totalNoOfPupils: 20,
      submissionData: [entry('2026-11-20', 'AM', '1', { '/': 10, O: 10 })],
    });
    assert.equal(corrected.status, 201, corrected.text);
    const la = await getJson(tokens.national, '/statistics/la/826?from=2026-11-20&to=2026-11-20');
    assert.equal(la.json<{ days: { attendanceRate: number }[] }>().days[0]?.attendanceRate, 0.5);
    // England: 328 possible, 285 present, 1 aea, 17 authorised, 25 unauthorised.
    clock = new Date(clock.getTime() + NATIONAL_KEEP_MS);
    const now = await getJson(tokens.national, '/statistics/national?from=2026-11-20&to=2026-11-20');
    assert.equal(now.json<{ days: { attendanceRate: number }[] }>().days[0]?.attendanceRate, 286 / 328);
  });
});

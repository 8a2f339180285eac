/**
 * LA officers see their schools' attendance, across roles over HTTPS on one server with every
 * role: schools of two LAs send figures to the DfE role; each LA's role reads them back from the
 * DfE's statistics API with the LA's own OAuth client, as it would from a DfE it does not host.
 * The officer of one LA sees only its schools, with the figures the DfE gives for that LA; a
 * crafted address for another LA's school is "page not found"; a revoked token is renewed; an
 * unreachable DfE leaves the figures kept, with when they were fetched and why they are stale.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createAccount } from '../src/platform/auth/accounts.ts';
import { ACCOUNT_ROLES } from '../src/edgate.ts';
import { upsertSchools } from '../src/dfe/schools/school-store.ts';
import type { School } from '../src/dfe/schools/school.ts';
import { disableClient, enableClient } from '../src/dfe/oauth/clients.ts';
import { setAttendanceSource } from '../src/la/attendance/attendance-source.ts';
import { forgetDfeTokens } from '../src/la/attendance/dfe-statistics-client.ts';
import { startTestServer, TEST_PASSWORD, type TestClient, type TestServer } from './support/test-server.ts';
import { clientWithToken, type TokenHolder } from './support/attendance-app.ts';
import { freePort } from './support/postgres-cluster.ts';

let server: TestServer;
/** Friday 20 November 2026, 15:00 London. */
let clock = new Date('2026-11-20T15:00:00Z');
const minutes = (n: number) => new Date(clock.getTime() + n * 60_000);

const school = (urn: number, laCode: string, phaseOfEducation: string, name: string): School => ({
  urn,
  name,
  laCode,
  typeOfEstablishment: 'Community school',
  phaseOfEducation,
  status: 'Open',
  street: null,
  town: 'Exampleton',
  postcode: 'ZZ1 1ZZ',
});

const SCHOOLS = [
  school(100001, '825', 'Secondary', 'Synthetic Academy'),
  school(100002, '825', 'Primary', 'Synthetic Primary School'),
  // Never sends; its name is what a spreadsheet would run as a formula.
  school(100003, '825', 'Primary', '=HYPERLINK("http://example.invalid","Quiet School")'),
  // Sent on the 18th only: nothing for the last two school days.
  school(100004, '825', 'Primary', 'Lapsed Primary School'),
  school(200001, '826', 'Primary', 'Milton Synthetic Primary'),
];

const entry = (
  date: string,
  schoolSession: 'AM' | 'PM',
  ncYearGroup: string,
  marks: Record<string, number>,
) => ({
  ncYearGroup,
  date,
  schoolSession,
  attendances: Object.entries(marks).map(([attendanceCode, value]) => ({ attendanceCode, value })),
});

const SUBMISSIONS = [
  {
    urn: 100001,
    totalNoOfPupils: 150,
    submissionData: [
      entry('2026-11-19', 'AM', '7', { '/': 95, I: 5 }),
      entry('2026-11-20', 'AM', '7', { '/': 90, V: 1, I: 6, O: 3 }),
      entry('2026-11-20', 'PM', '7', { '\\': 88, I: 6, O: 4, X: 2 }),
      entry('2026-11-20', 'AM', '8', { '/': 45, M: 3, G: 2 }),
    ],
  },
  {
    urn: 100002,
    totalNoOfPupils: 30,
    submissionData: [
      entry('2026-11-19', 'AM', 'R', { '/': 28, N: 2 }),
      entry('2026-11-20', 'AM', 'R', { '/': 27, N: 3 }),
    ],
  },
  { urn: 100004, totalNoOfPupils: 20, submissionData: [entry('2026-11-18', 'AM', '2', { '/': 20 })] },
  { urn: 200001, totalNoOfPupils: 20, submissionData: [entry('2026-11-20', 'AM', '1', { '/': 19, P: 1 })] },
];

let la825: TokenHolder;
let reader: TokenHolder;

async function signedIn(username: string): Promise<TestClient> {
  const browser = server.client();
  const answer = await browser.signIn(username, TEST_PASSWORD);
  assert.equal(answer.status, 303, `${username} signs in`);
  return browser;
}

const dfeJson = async <T>(target: string): Promise<T> => {
  const answer = await server.call('GET', target, { authorization: `Bearer ${reader.token}` });
  assert.equal(answer.status, 200, answer.text);
  return answer.json<T>();
};

interface DfeFigures {
  attendanceRate: number | null;
  authorisedRate: number | null;
  unauthorisedRate: number | null;
}
const percent = (rate: number | null) => (rate === null ? '–' : `${(rate * 100).toFixed(1)}%`);
const rates = (f: DfeFigures) => [
  percent(f.attendanceRate),
  percent(f.authorisedRate),
  percent(f.unauthorisedRate),
];

/** The three rates a page shows in the cells marked `data-{area}`, in order. */
function cells(html: string, area: string): string[] {
  return [...html.matchAll(new RegExp(`data-${area}="[a-z]+">([^<]*)<`, 'g'))].map((m) => m[1]!);
}
/** The page's table row with the attribute, e.g. data-urn="100001". */
function row(html: string, attribute: string): string {
  const match = new RegExp(`<tr class="govuk-table__row" ${attribute}>([\\s\\S]*?)</tr>`).exec(html);
  assert.ok(match, `a row ${attribute}`);
  return match[1]!;
}

/** A page without its per-response script nonce, to compare two answers. */
const withoutNonce = (html: string) => html.replace(/nonce="[^"]*"/g, '');

const setSource = (laCode: string, client: TokenHolder, baseUrl = server.baseUrl) =>
  setAttendanceSource(
    server.handle.db,
    server.secretBox,
    {
      laCode,
      baseUrl,
      tokenUrl: `${baseUrl}/oauth2/token`,
      clientId: client.clientId,
      clientSecret: client.clientSecret,
      caPem: server.ca,
    },
    'test',
  );

before(async () => {
  forgetDfeTokens();
  server = await startTestServer({ now: () => clock });
  const db = server.handle.db;
  await upsertSchools(db, SCHOOLS);
  const mis = await clientWithToken(server, {
    name: 'MIS',
    scopes: ['attendance.submit'],
    requiresConsent: false,
  });
  for (const body of SUBMISSIONS) {
    const answer = await server.call(
      'POST',
      '/attendances',
      { authorization: `Bearer ${mis.token}`, 'content-type': 'application/json' },
      JSON.stringify(body),
    );
    assert.equal(answer.status, 201, answer.text);
  }
  la825 = await clientWithToken(server, {
    name: 'Buckinghamshire',
    scopes: ['attendance.read.la'],
    laCode: '825',
  });
  const la826 = await clientWithToken(server, {
    name: 'Milton Keynes',
    scopes: ['attendance.read.la'],
    laCode: '826',
  });
  reader = await clientWithToken(server, { name: 'Analysis', scopes: ['attendance.read'] });
  await setSource('825', la825);
  await setSource('826', la826);
  for (const [username, laCode] of [
    ['officer825', '825'],
    ['officer826', '826'],
  ] as const)
    await createAccount(
      db,
      { username, displayName: username, password: TEST_PASSWORD, roles: ['la-officer'], laCode },
      ACCOUNT_ROLES,
    );
});

after(() => server.close());

describe('an LA officer’s attendance pages', () => {
  let officer: TestClient;
  let page: string;

  test('the officer sees their own LA, with the DfE’s figures for it beside England’s', async () => {
    officer = await signedIn('officer825');
    const entry = await officer.get('/la/attendance');
    assert.equal(entry.status, 302);
    assert.equal(entry.headers.location, '/la/825/attendance');
    const answer = await officer.get('/la/825/attendance');
    assert.equal(answer.status, 200, answer.body);
    page = answer.body;
    assert.match(page, /Figures fetched from the DfE at 20 November 2026 at 15:00/);
    assert.ok(page.includes(la825.clientId), 'where the figures come from: the LA’s client');
    assert.doesNotMatch(page, new RegExp(la825.clientSecret), 'never the secret');

    const la = await dfeJson<{
      total: DfeFigures;
      yearGroups: (DfeFigures & { ncYearGroup: string })[];
      schools: { urn: number; figures: DfeFigures | null }[];
    }>('/statistics/la/825/schools?date=2026-11-20');
    const england = await dfeJson<{ days: DfeFigures[] }>(
      '/statistics/national?from=2026-11-20&to=2026-11-20',
    );
    assert.deepEqual(cells(page, 'la'), rates(la.total));
    assert.deepEqual(cells(page, 'england'), rates(england.days[0]!));
    for (const s of la.schools) {
      const shown = row(page, `data-urn="${s.urn}"`);
      if (s.figures) assert.deepEqual(cells(shown, 'school'), rates(s.figures), `school ${s.urn}`);
      else assert.match(shown, /Nothing received/);
    }
    for (const group of la.yearGroups)
      assert.deepEqual(
        cells(row(page, `data-year-group="${group.ncYearGroup}"`), 'year-group'),
        rates(group),
      );
    assert.deepEqual(cells(row(page, 'data-phase="Secondary"'), 'phase'), ['90.3%', '6.0%', '3.6%']);

    const days = await dfeJson<{ days: (DfeFigures & { date: string })[] }>(
      '/statistics/la/825?from=2026-11-01&to=2026-11-20',
    );
    assert.deepEqual(
      days.days.map((d) => d.date),
      ['2026-11-18', '2026-11-19', '2026-11-20'],
    );
    assert.deepEqual(
      cells(page, 'la-day'),
      days.days.reverse().flatMap(rates),
      'the school days, newest first',
    );
  });

  test('only its own schools: nothing of another LA', async () => {
    assert.doesNotMatch(page, /200001|Milton Synthetic/);
    const listed = /data-not-sent>([\s\S]*?)<\/ul>/.exec(page)?.[1] ?? '';
    assert.match(listed, /Lapsed Primary School \(100004\)/);
    assert.match(listed, /Quiet School/);
    assert.doesNotMatch(listed, /100001|100002/);
  });

  test('an earlier school day is chosen by its date; a date without figures shows the latest', async () => {
    const earlier = await officer.get('/la/825/attendance?date=2026-11-19');
    const la = await dfeJson<{ total: DfeFigures }>('/statistics/la/825/schools?date=2026-11-19');
    assert.deepEqual(cells(earlier.body, 'la'), rates(la.total));
    const holiday = await officer.get('/la/825/attendance?date=2026-11-21');
    assert.match(holiday.body, /There are no figures for that date: these are the latest/);
    assert.deepEqual(cells(holiday.body, 'la'), cells(page, 'la'));
  });

  test('a school’s page shows its trend beside its LA and England, with a table for the chart', async () => {
    const answer = await officer.get('/la/825/attendance/schools/100001');
    assert.equal(answer.status, 200, answer.body);
    assert.match(answer.body, /<svg[^>]+role="img"/);
    const school = await dfeJson<{ schools: { urn: number; figures: DfeFigures }[] }>(
      '/statistics/la/825/schools?date=2026-11-19',
    );
    const on19 = school.schools.find((s) => s.urn === 100001)!.figures;
    assert.deepEqual(cells(row(answer.body, 'data-date="2026-11-19"'), 'school'), rates(on19));
  });

  test('the CSV holds the LA’s schools, formula cells neutralised', async () => {
    const csv = await officer.get('/la/825/attendance/schools.csv?date=2026-11-20');
    assert.equal(csv.status, 200);
    assert.match(String(csv.headers['content-type']), /^text\/csv/);
    assert.match(csv.body, /"'=HYPERLINK\(""http:\/\/example.invalid"",""Quiet School""\)"/);
    assert.match(
      csv.body,
      /2026-11-20,825,100001,Synthetic Academy,Secondary,yes,1,248,223,1,15,9,2,90\.32,/,
    );
    assert.doesNotMatch(csv.body, /200001/);
  });

  test('another LA’s school or pages, even by a crafted address, are not found like unknown ones', async () => {
    const unknown = await officer.get('/la/825/attendance/schools/999999');
    assert.equal(unknown.status, 404);
    for (const target of [
      '/la/825/attendance/schools/200001',
      '/la/826/attendance',
      '/la/826/attendance/schools/200001',
      '/la/826/attendance/schools.csv?date=2026-11-20',
    ]) {
      const answer = await officer.get(target);
      assert.equal(answer.status, 404, target);
      assert.equal(withoutNonce(answer.body), withoutNonce(unknown.body), target);
    }
    const other = await signedIn('officer826');
    // Another instance has just claimed the LA's first fetch: the page says so, not "no figures".
    await server.handle.db
      .insertInto('la.attendance_fetch')
      .values({ la_code: '826', tried_at: clock })
      .execute();
    const claimed = await other.get('/la/826/attendance');
    assert.match(claimed.body, /The figures are being fetched from the DfE for the first time/);
    assert.doesNotMatch(claimed.body, /The DfE has no attendance figures/);
    await server.handle.db.deleteFrom('la.attendance_fetch').where('la_code', '=', '826').execute();
    const theirs = await other.get('/la/826/attendance');
    assert.equal(theirs.status, 200);
    assert.match(theirs.body, /Milton Synthetic Primary/);
    assert.doesNotMatch(theirs.body, /Synthetic Academy/);
  });

  test('someone who is not an LA officer is refused', async () => {
    for (const username of ['casey', 'nobody']) {
      const browser = await signedIn(username);
      assert.equal((await browser.get('/la/825/attendance')).status, 403, username);
      assert.equal((await browser.get('/la/825/attendance/schools.csv')).status, 403, username);
    }
    assert.equal((await server.client().get('/la/825/attendance')).status, 302, 'signed out: to sign in');
  });

  test('a token the DfE revoked is replaced, and the figures fetched again', async () => {
    clock = minutes(11);
    await disableClient(server.handle.db, la825.clientId, clock);
    await enableClient(server.handle.db, la825.clientId);
    const answer = await officer.get('/la/825/attendance');
    assert.equal(answer.status, 200);
    assert.match(answer.body, /Figures fetched from the DfE at 20 November 2026 at 15:11/);
    assert.doesNotMatch(answer.body, /data-stale-reason/);
  });

  test('the DfE unreachable: the figures kept, when they were fetched, and why they are stale', async () => {
    const closed = await freePort();
    await setSource('825', la825, `https://127.0.0.1:${closed}`);
    clock = minutes(11);
    const answer = await officer.get('/la/825/attendance');
    assert.equal(answer.status, 200);
    assert.match(answer.body, /Figures last fetched at 20 November 2026 at 15:11/);
    assert.match(
      answer.body,
      /data-stale-reason>The DfE could not give newer figures when we asked at 20 November 2026 at 15:22: The DfE refused the connection \(nothing is listening at that address\)/,
    );
    assert.deepEqual(cells(answer.body, 'la'), cells(page, 'la'), 'the figures kept are still shown');
  });
});

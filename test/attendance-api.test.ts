/**
 * The attendance API in-process (support/test-app.ts) with real access tokens, as a MIS supplier's client uses it:
 * every contract case of the 2020 API, consent, idempotent retries, the window across a bank
 * holiday, and concurrent submissions for one school.
 */
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { createClient } from '../src/dfe/oauth/clients.ts';
import type { School } from '../src/dfe/schools/school.ts';
import { SECONDARY_YEAR_GROUPS, syntheticSubmission } from '../src/dfe/collection/synthetic-submission.ts';
import { submissionBody } from '../src/dfe/collection/submission-store.ts';
import { gzipSync } from 'node:zlib';
import { tokenFor as tokenFrom, type ApiAnswer } from './support/api-client.ts';
import type { TestApp } from './support/test-app.ts';
import type { TestDatabase } from './support/test-database.ts';
import { startAttendanceApp } from './support/attendance-app.ts';

let server: TestApp;
let database: TestDatabase;
/** The server's clock: a Friday morning in term. */
let clock = new Date('2026-11-20T09:00:00Z');

type Response = ApiAnswer;
const call = (method: string, target: string, headers: Record<string, string> = {}, body?: string | Buffer) =>
  server.call(method, target, headers, body);

const SCHOOLS: School[] = [
  {
    urn: 100001,
    name: 'Synthetic Academy',
    laCode: '825',
    typeOfEstablishment: 'Academy converter',
    phaseOfEducation: 'Secondary',
    status: 'Open',
    street: '1 Example Road',
    town: 'Exampleton',
    postcode: 'ZZ1 1ZZ',
  },
  {
    urn: 100002,
    name: 'Synthetic Primary School',
    laCode: '825',
    typeOfEstablishment: 'Community school',
    phaseOfEducation: 'Primary',
    status: 'Open',
    street: null,
    town: 'Exampleton',
    postcode: 'ZZ1 2ZZ',
  },
];

const tokenFor = (clientId: string, clientSecret: string, scope: string) =>
  tokenFrom(server.call, { clientId, clientSecret }, scope);

let supplier: { clientId: string; token: string };
let legacySupplier: { clientId: string; token: string };
let reader: string;

const post = (body: unknown, token = legacySupplier.token, headers: Record<string, string> = {}) =>
  call(
    'POST',
    '/attendances',
    { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
    typeof body === 'string' ? body : JSON.stringify(body),
  );

const day = (date: string, seed = 1, urn = 100001) =>
  syntheticSubmission({
    urn,
    dates: [date],
    yearGroups: SECONDARY_YEAR_GROUPS,
    pupilsPerYearGroup: 150,
    seed,
  });

const count = async (table: string) =>
  Number(
    (await sql<{ n: number }>`select count(*)::integer as n from ${sql.table(table)}`.execute(database.db))
      .rows[0]?.n,
  );

before(async () => {
  server = await startAttendanceApp({
    schools: SCHOOLS,
    // Tokens outlive the clock moves of the tests below.
    config: { accessTokenLifetimeSeconds: 90 * 86400 },
    now: () => clock,
  });
  database = server.handle;
  const withConsent = await createClient(database.db, {
    name: 'Consenting MIS',
    scopes: ['attendance.submit'],
  });
  supplier = {
    clientId: withConsent.clientId,
    token: await tokenFor(withConsent.clientId, withConsent.clientSecret, 'attendance.submit'),
  };
  const legacy = await createClient(database.db, {
    name: '2020 MIS',
    scopes: ['attendance.submit'],
    requiresConsent: false,
  });
  legacySupplier = {
    clientId: legacy.clientId,
    token: await tokenFor(legacy.clientId, legacy.clientSecret, 'attendance.submit'),
  };
  const analyst = await createClient(database.db, { name: 'Analysis tool', scopes: ['attendance.read'] });
  reader = await tokenFor(analyst.clientId, analyst.clientSecret, 'attendance.read');
});
after(() => server.close());
beforeEach(() => {
  clock = new Date('2026-11-20T09:00:00Z');
});

describe('POST /attendances: accepted submissions', () => {
  test('a valid submission is answered 201 with a reference and no errors, and its outcome can be read back', async () => {
    const body = day('2026-11-20');
    const response = await post(body, legacySupplier.token, {
      'api-client-app-id': 'mis',
      'api-client-session-id': 's1',
    });
    assert.equal(response.status, 201, response.text);
    const answer = response.json<{ submissionRef: string; errors: unknown[] }>();
    assert.match(answer.submissionRef, /^[0-9a-f-]{36}$/);
    assert.deepEqual(answer.errors, []);
    assert.equal(response.headers.location, `/submissions/${answer.submissionRef}`);

    const outcome = await call('GET', `/submissions/${answer.submissionRef}`, {
      authorization: `Bearer ${legacySupplier.token}`,
    });
    assert.equal(outcome.status, 200);
    assert.deepEqual(outcome.json(), {
      submissionRef: answer.submissionRef,
      urn: 100001,
      receivedAt: '2026-11-20T09:00:00.000Z',
      outcome: 'accepted',
      entriesReceived: 16,
      entriesStored: 16,
      errors: [],
    });
    // Kept as received, byte for byte, and compressed.
    const stored = await submissionBody(database.db, answer.submissionRef);
    assert.equal(stored?.toString('utf8'), JSON.stringify(body));
    const kept = (
      await sql<{ size: number; body_encoding: string }>`
        select length(body) as size, body_encoding from dfe.submission where ref = ${answer.submissionRef}::uuid
      `.execute(database.db)
    ).rows[0];
    assert.equal(kept?.body_encoding, 'br');
    assert.ok((kept?.size ?? Infinity) < JSON.stringify(body).length / 5, `kept ${kept?.size} bytes`);
    // A body stored before brotli (gzip, migration 0006) reads back the same.
    await sql`
      update dfe.submission set body = ${gzipSync(JSON.stringify(body))}, body_encoding = 'gzip'
      where ref = ${answer.submissionRef}::uuid
    `.execute(database.db);
    const older = await submissionBody(database.db, answer.submissionRef);
    assert.equal(older?.toString('utf8'), JSON.stringify(body));
    // The current picture: one school-day with 16 (session, year group) values and the day's totals.
    const row = (
      await sql<{
        sessions: Record<string, { m: Record<string, number>; s: string }>;
        possible: number;
        present: number;
      }>`
        select sessions, possible, present from dfe.school_day where urn = 100001 and date = '2026-11-20'`.execute(
        database.db,
      )
    ).rows[0];
    assert.ok(row);
    assert.equal(Object.keys(row.sessions).length, 16);
    assert.equal(row.sessions['AM 7']?.s, answer.submissionRef);
    assert.equal(row.possible, 16 * 150);
    const amPresent = body.submissionData
      .filter((e) => e.schoolSession === 'AM')
      .reduce((n, e) => n + (e.attendances[0]?.value ?? 0), 0);
    assert.ok(row.present >= amPresent);
  });

  test('record errors come back with the 201 in document order, exactly as the 2020 API wrote them; good entries are stored', async () => {
    const body = day('2026-11-19');
    const attendances = body.submissionData[0]?.attendances ?? [];
    // The 11th mark gets an unknown code; the 2nd entry a bad year group; a negative value in the 3rd.
    const tenth = attendances[10];
    assert.ok(tenth);
    tenth.attendanceCode = 'Ω';
    const second = body.submissionData[1];
    assert.ok(second);
    second.ncYearGroup = 'M';
    const third = body.submissionData[2]?.attendances[1];
    assert.ok(third);
    third.value = -1;
    const zero = body.submissionData[3]?.attendances[2];
    assert.ok(zero);
    zero.value = 0; // 0 is valid
    delete body.enrolments; // totals no longer add up to an enrolment: not checked without one
    const response = await post(body);
    assert.equal(response.status, 201, response.text);
    const answer = response.json<{ submissionRef: string; errors: unknown[] }>();
    assert.deepEqual(answer.errors, [
      {
        id: 'FAILURE_INVALID_ATTENDANCE_CODE',
        code: 'VAL104',
        status: '',
        title: 'Invalid Attendance Code',
        detail: 'Ω',
        path: '$.submissionData[0].attendances[10].attendanceCode',
      },
      {
        id: 'FAILURE_INVALID_NCYEARGROUP_CODE',
        code: 'VAL103',
        status: '',
        title: 'Invalid NC Year Group Code',
        detail: 'M',
        path: '$.submissionData[1].ncYearGroup',
      },
      {
        id: 'FAILURE_INVALID_ATTENDANCE_VALUE',
        code: 'VAL105',
        status: '',
        title: 'Invalid Attendance Value',
        detail: '-1',
        path: '$.submissionData[2].attendances[1].value',
      },
    ]);
    const outcome = await call('GET', `/submissions/${answer.submissionRef}`, {
      authorization: `Bearer ${reader}`,
    });
    assert.equal(outcome.json().outcome, 'accepted with errors');
    assert.equal(outcome.json().entriesStored, 13);
    const keys = (
      await sql<{ n: number }>`select count(*)::integer as n from dfe.school_day, jsonb_object_keys(sessions)
        where urn = 100001 and date = '2026-11-19'`.execute(database.db)
    ).rows[0]?.n;
    assert.equal(keys, 13);
  });

  test('hostile values are record errors, never a database error: counts past 2^31 or overflowing the day, -0, 1e400, control characters', async () => {
    const body = day('2026-11-13', 21);
    delete body.enrolments;
    const entries = body.submissionData;
    const mark = (entry: number, index: number) => {
      const found = entries[entry]?.attendances[index];
      assert.ok(found);
      return found;
    };
    mark(0, 0).value = 2 ** 31;
    // Each fits an integer; the day's total would not.
    mark(1, 0).value = 1_500_000_000;
    mark(1, 1).value = 1_500_000_000;
    mark(2, 0).attendanceCode = '\u0000';
    mark(3, 0).attendanceCode = '\ud800';
    const yearGroup = entries[4];
    assert.ok(yearGroup);
    yearGroup.ncYearGroup = 'R\u0000';
    // Cut at 200 characters, this would leave half of the emoji's surrogate pair.
    const longYearGroup = entries[7];
    assert.ok(longYearGroup);
    longYearGroup.ncYearGroup = `${'R'.repeat(199)}😀`;
    // -0 and 1e400 are written into the text: JSON.stringify writes neither.
    mark(5, 0).value = -101;
    mark(6, 0).value = -102;
    const response = await post(
      JSON.stringify(body).replace('"value":-101', '"value":-0').replace('"value":-102', '"value":1e400'),
    );
    assert.equal(response.status, 201, response.text);
    const answer = response.json<{
      submissionRef: string;
      errors: { code: string; detail: string; path: string }[];
    }>();
    assert.deepEqual(
      answer.errors.map((error) => [error.code, error.detail, error.path]),
      [
        ['VAL105', '2147483648', '$.submissionData[0].attendances[0].value'],
        ['VAL105', '1500000000', '$.submissionData[1].attendances[0].value'],
        ['VAL105', '1500000000', '$.submissionData[1].attendances[1].value'],
        ['VAL104', '\\u0000', '$.submissionData[2].attendances[0].attendanceCode'],
        ['VAL104', '\\ud800', '$.submissionData[3].attendances[0].attendanceCode'],
        ['VAL103', 'R\\u0000', '$.submissionData[4].ncYearGroup'],
        ['VAL105', '-0', '$.submissionData[5].attendances[0].value'],
        ['VAL105', 'Infinity', '$.submissionData[6].attendances[0].value'],
        ['VAL103', `${'R'.repeat(199)}…`, '$.submissionData[7].ncYearGroup'],
      ],
    );
    const outcome = await call('GET', `/submissions/${answer.submissionRef}`, {
      authorization: `Bearer ${legacySupplier.token}`,
    });
    assert.equal(outcome.status, 200);
    assert.equal(outcome.json().entriesStored, 16 - 8);
    assert.deepEqual(outcome.json().errors, answer.errors);

    // The usual body, clean but for one count of 2^31, is read the fast way until that count.
    const clean = day('2026-11-12', 22);
    delete clean.enrolments;
    const first = clean.submissionData[0]?.attendances[0];
    assert.ok(first);
    first.value = 2 ** 31;
    const large = await post(clean);
    assert.equal(large.status, 201, large.text);
    assert.deepEqual(
      large
        .json<{ errors: { code: string; path: string }[] }>()
        .errors.map((error) => [error.code, error.path]),
      [['VAL105', '$.submissionData[0].attendances[0].value']],
    );
  });

  test('a URN may be sent as a 6-digit string, and a date as YYYY-MM-DDT00:00:00', async () => {
    const body = { ...day('2026-11-18'), urn: '100001' };
    for (const entry of body.submissionData) entry.date = '2026-11-18T00:00:00';
    const response = await post(body);
    assert.equal(response.status, 201, response.text);
    assert.deepEqual(response.json().errors, []);
  });
});

describe('POST /attendances: an answer of bounded size, however many bad items', () => {
  test('400,000 bad marks: the 201 lists the first 1,000 and counts the rest; the same answer is stored, read back and replayed', async () => {
    const marks = `[${Array(400_000).fill('5').join(',')}]`;
    const raw = `{"urn":100001,"totalNoOfPupils":1,"submissionData":[{"ncYearGroup":"7","date":"2026-11-20","schoolSession":"AM","attendances":${marks}}]}`;
    const response = await post(raw, legacySupplier.token, { 'idempotency-key': 'many-errors' });
    assert.equal(response.status, 201, response.text.slice(0, 500));
    assert.ok(response.text.length < 1_000_000, `an answer of ${response.text.length} characters`);
    const answer = response.json<{
      submissionRef: string;
      errors: { code: string; path: string }[];
      errorsNotListed: number;
    }>();
    assert.equal(answer.errors.length, 1000);
    assert.deepEqual(answer.errors[999], {
      id: 'FAILURE_INVALID_SUBMISSION_DATA',
      code: 'VAL117',
      status: '',
      title: 'Invalid Submission Data',
      detail: '5',
      path: '$.submissionData[0].attendances[999]',
    });
    assert.equal(answer.errorsNotListed, 399_000);

    const stored = (
      await sql<{ response_size: number; body_size: number; error_count: number }>`
        select octet_length(response::text) as response_size, octet_length(body) as body_size, error_count
        from dfe.submission where ref = ${answer.submissionRef}::uuid
      `.execute(database.db)
    ).rows[0];
    assert.ok(stored);
    assert.ok(stored.response_size < 1_000_000, `a stored answer of ${stored.response_size} bytes`);
    assert.ok(stored.body_size < raw.length, `a stored body of ${stored.body_size} bytes`);
    assert.equal(stored.error_count, 400_000);

    const outcome = await call('GET', `/submissions/${answer.submissionRef}`, {
      authorization: `Bearer ${legacySupplier.token}`,
    });
    assert.equal(outcome.status, 200);
    assert.equal(outcome.json().outcome, 'accepted with errors');
    assert.deepEqual(outcome.json().errors, answer.errors);
    assert.equal(outcome.json().errorsNotListed, 399_000);

    const replayed = await post(raw, legacySupplier.token, { 'idempotency-key': 'many-errors' });
    assert.equal(replayed.headers['idempotent-replayed'], 'true');
    assert.deepEqual(replayed.json(), answer);
  });
});

describe('POST /attendances: refused requests change nothing', () => {
  const refusals: [string, () => Promise<Response>, number, Record<string, string>][] = [
    [
      'an empty body',
      () => post(''),
      400,
      {
        id: 'ERROR_EMPTY_REQUEST_BODY',
        code: 'VAL118',
        status: '400',
        title: 'Empty request body',
        detail: 'Empty request body',
      },
    ],
    [
      'a body that is not JSON',
      () => post('{"urn": 100001,'),
      400,
      {
        id: 'ERROR_EMPTY_REQUEST_BODY',
        code: 'VAL118',
        status: '400',
        title: 'Empty request body',
        detail: 'The request body is not valid JSON',
      },
    ],
    [
      'a wrong content type',
      () =>
        call(
          'POST',
          '/attendances',
          { authorization: `Bearer ${legacySupplier.token}`, 'content-type': 'text/plain' },
          JSON.stringify(day('2026-11-20')),
        ),
      415,
      {
        id: 'ERROR_INCORRECT_CONTENT_TYPE',
        code: 'VAL119',
        status: '415',
        title: 'Incorrect content type',
        detail: 'Incorrect content type',
      },
    ],
    [
      'a body nested 100,000 deep',
      () =>
        post(
          `{"urn":100001,"totalNoOfPupils":1,"submissionData":[${'['.repeat(100_000)}${']'.repeat(100_000)}]}`,
        ),
      400,
      {
        id: 'ERROR_EMPTY_REQUEST_BODY',
        code: 'VAL118',
        status: '400',
        title: 'Empty request body',
        detail: 'The request body nests lists and objects more than 64 deep',
      },
    ],
    [
      'a missing URN',
      () => post({ ...day('2026-11-20'), urn: undefined }),
      400,
      {
        id: 'ERROR_INVALID_URN',
        code: 'VAL100',
        status: '400',
        title: 'URN is required',
        detail: 'No URN was provided in the submission',
      },
    ],
    [
      'a null URN',
      () => post({ ...day('2026-11-20'), urn: null }),
      400,
      {
        id: 'ERROR_INVALID_URN',
        code: 'VAL100',
        status: '400',
        title: 'URN is required',
        detail: 'No URN was provided in the submission',
      },
    ],
    [
      'a URN of 5 digits',
      () => post({ ...day('2026-11-20'), urn: 12345 }),
      400,
      {
        id: 'ERROR_INVALID_URN',
        code: 'VAL101',
        status: '400',
        title: 'Invalid URN',
        detail:
          'A Valid URN is required along with the submission. You can search here at https://get-information-schools.service.gov.uk/ to find the appropriate URN',
      },
    ],
    [
      'a URN not in the schools register',
      () => post({ ...day('2026-11-20'), urn: 999999 }),
      400,
      {
        id: 'ERROR_INVALID_URN',
        code: 'VAL102',
        status: '400',
        title: 'URN not found',
        detail:
          'URN not found. You can search here at https://get-information-schools.service.gov.uk/ to find the appropriate URN',
      },
    ],
    [
      'no submissionData',
      () => post({ urn: 100001, totalNoOfPupils: 3 }),
      400,
      {
        id: 'ERROR_INVALID_SUBMISSION_DATA',
        code: 'VAL120',
        status: '400',
        title: 'Invalid submission data',
        detail: 'submissionData must be a list of entries',
      },
    ],
    [
      'a body over 4 MB',
      () => post(`{"urn":100001,"pad":"${'x'.repeat(4 * 1024 * 1024)}"}`),
      413,
      {
        id: 'ERROR_REQUEST_TOO_LARGE',
        code: 'VAL126',
        status: '413',
        title: 'Request body too large',
        detail: 'The request body is too large',
      },
    ],
    [
      'a submission from a supplier without the school’s consent',
      () => post(day('2026-11-20'), supplier.token),
      403,
      {
        id: 'ERROR_NO_CONSENT',
        code: 'VAL121',
        status: '403',
        title: 'No consent',
        detail: 'The school has not given this supplier consent to send its attendance',
      },
    ],
  ];
  for (const [name, send, status, error] of refusals) {
    test(`${name}: ${status} ${error.code}`, async () => {
      const before = [await count('dfe.submission'), await count('dfe.school_day')];
      const response = await send();
      assert.equal(response.status, status, response.text);
      assert.deepEqual(response.json(), error);
      assert.deepEqual([await count('dfe.submission'), await count('dfe.school_day')], before);
    });
  }

  test('no token, a bad token, or a token without attendance.submit is refused as RFC 6750 says', async () => {
    const none = await call(
      'POST',
      '/attendances',
      { 'content-type': 'application/json' },
      JSON.stringify(day('2026-11-20')),
    );
    assert.equal(none.status, 401);
    assert.equal(none.headers['www-authenticate'], 'Bearer realm="edgate"');
    const forged = await post(day('2026-11-20'), `${legacySupplier.token.slice(0, -4)}AAAA`);
    assert.equal(forged.status, 401);
    assert.match(String(forged.headers['www-authenticate']), /error="invalid_token"/);
    const readOnly = await post(day('2026-11-20'), reader);
    assert.equal(readOnly.status, 403);
    assert.match(String(readOnly.headers['www-authenticate']), /error="insufficient_scope"/);
  });
});

describe('the window of dates, across the Christmas bank holidays', () => {
  test('received on Monday 4 January 2027, the 8th working day before is 18 December (25, 28 December and 1 January are bank holidays)', async () => {
    clock = new Date('2027-01-04T16:00:00Z');
    const body = syntheticSubmission({
      urn: 100002,
      dates: ['2026-12-17', '2026-12-18', '2027-01-04', '2027-01-05'],
      yearGroups: ['R'],
      pupilsPerYearGroup: 30,
      seed: 3,
    });
    delete body.enrolments;
    const response = await post(body);
    assert.equal(response.status, 201, response.text);
    const errors = response.json<{ errors: { code: string; path: string; detail: string }[] }>().errors;
    assert.deepEqual(
      errors.map((e) => [e.code, e.path, e.detail]),
      [
        ['VAL108', '$.submissionData[0].date', '2026-12-17'],
        ['VAL108', '$.submissionData[1].date', '2026-12-17'],
        ['VAL107', '$.submissionData[6].date', '2027-01-05'],
        ['VAL107', '$.submissionData[7].date', '2027-01-05'],
      ],
    );
    const dates = await sql<{
      date: string;
    }>`select date::text as date from dfe.school_day where urn = 100002 order by date`.execute(database.db);
    assert.deepEqual(
      dates.rows.map((r) => r.date),
      ['2026-12-18', '2027-01-04'],
    );
  });
});

describe('consent', () => {
  test('a supplier records consent, may then submit, and after removing it is refused again', async () => {
    const headers = { authorization: `Bearer ${supplier.token}`, 'content-type': 'application/json' };
    const missing = await call('GET', '/consents/100002', headers);
    assert.equal(missing.status, 404);
    assert.equal(missing.json().code, 'VAL124');

    const bad = await call('PUT', '/consents/100002', headers, JSON.stringify({ givenBy: 'A. Admin' }));
    assert.equal(bad.status, 400);
    assert.equal(bad.json().code, 'VAL123');
    assert.match(String(bad.json().detail), /givenAt/);
    const unknownSchool = await call(
      'PUT',
      '/consents/999999',
      headers,
      JSON.stringify({ givenBy: 'A', givenAt: '2026-11-20T08:00:00Z' }),
    );
    assert.equal(unknownSchool.json().code, 'VAL102');

    const given = await call(
      'PUT',
      '/consents/100002',
      headers,
      JSON.stringify({ givenBy: 'A. Admin', givenAt: '2026-11-20T08:30:00Z' }),
    );
    assert.equal(given.status, 200, given.text);
    assert.deepEqual(given.json(), {
      urn: 100002,
      givenBy: 'A. Admin',
      givenAt: '2026-11-20T08:30:00.000Z',
      recordedAt: '2026-11-20T09:00:00.000Z',
      active: true,
      withdrawnAt: null,
      withdrawnBy: null,
    });
    const body = syntheticSubmission({
      urn: 100002,
      dates: ['2026-11-20'],
      yearGroups: ['1'],
      pupilsPerYearGroup: 30,
      seed: 4,
    });
    assert.equal((await post(body, supplier.token)).status, 201);

    const removed = await call(
      'DELETE',
      '/consents/100002',
      { authorization: `Bearer ${supplier.token}`, 'content-type': 'application/json' },
      JSON.stringify({ withdrawnBy: 'A. Admin' }),
    );
    assert.equal(removed.status, 204, removed.text);
    assert.equal(
      (await call('DELETE', '/consents/100002', { authorization: `Bearer ${supplier.token}` })).status,
      404,
    );
    const refused = await post(body, supplier.token);
    assert.equal(refused.status, 403);
    assert.equal(refused.json().code, 'VAL121');
    const history = await sql<{ event: string; person: string }>`
      select event, person from dfe.consent_event where urn = 100002 order by id`.execute(database.db);
    assert.deepEqual(history.rows, [
      { event: 'given', person: 'A. Admin' },
      { event: 'withdrawn', person: 'A. Admin' },
    ]);
  });
});

describe('Idempotency-Key', () => {
  test('a retry with the same key returns the original answer and stores nothing twice; another body with that key is refused', async () => {
    const body = day('2026-11-17', 9);
    const key = 'retry-7f3c';
    const first = await post(body, legacySupplier.token, { 'idempotency-key': key });
    assert.equal(first.status, 201);
    const submissions = await count('dfe.submission');
    const again = await post(body, legacySupplier.token, { 'idempotency-key': key });
    assert.equal(again.status, 201);
    assert.equal(again.headers['idempotent-replayed'], 'true');
    assert.deepEqual(again.json(), first.json());
    assert.equal(await count('dfe.submission'), submissions);

    const other = await post(day('2026-11-17', 10), legacySupplier.token, { 'idempotency-key': key });
    assert.equal(other.status, 422);
    assert.deepEqual(other.json(), {
      id: 'ERROR_IDEMPOTENCY_KEY_REUSED',
      code: 'VAL122',
      status: '422',
      title: 'Idempotency key already used',
      detail: 'This Idempotency-Key was used with a different request body',
    });
    // Keys belong to a client: another supplier's same key is its own.
    const bad = await post(body, legacySupplier.token, { 'idempotency-key': '' });
    assert.equal(bad.json().code, 'VAL127');
  });

  test('concurrent retries with one key store one submission', async () => {
    const body = day('2026-11-16', 11);
    const answers = await Promise.all(
      Array.from({ length: 8 }, () => post(body, legacySupplier.token, { 'idempotency-key': 'burst-1' })),
    );
    assert.deepEqual(
      answers.map((a) => a.status),
      Array(8).fill(201),
    );
    assert.equal(new Set(answers.map((a) => a.json().submissionRef)).size, 1);
    const stored = await sql<{
      n: number;
    }>`select count(*)::integer as n from dfe.submission where idempotency_key = 'burst-1'`.execute(
      database.db,
    );
    assert.equal(stored.rows[0]?.n, 1);
  });
});

describe('the current picture', () => {
  test('a newer receipt replaces a (session, year group); an older one arriving late does not', async () => {
    clock = new Date('2026-11-20T12:00:00Z');
    const newer = await post(day('2026-11-13', 21));
    clock = new Date('2026-11-20T10:00:00Z');
    const older = await post(day('2026-11-13', 22));
    assert.equal(newer.status, 201);
    assert.equal(older.status, 201);
    const row = (
      await sql<{
        refs: string[];
      }>`select array_agg(distinct value->>'s') as refs from dfe.school_day, jsonb_each(sessions)
        where urn = 100001 and date = '2026-11-13'`.execute(database.db)
    ).rows[0];
    assert.deepEqual(row?.refs, [newer.json().submissionRef]);
  });

  test('a send with fewer year groups replaces only those; the day keeps the others and its totals add up again', async () => {
    const both = syntheticSubmission({
      urn: 100002,
      dates: ['2026-11-17'],
      yearGroups: ['5', '6'],
      pupilsPerYearGroup: 40,
      seed: 61,
    });
    clock = new Date('2026-11-20T09:00:00Z');
    assert.equal((await post(both)).status, 201);
    // Later, year group 5 only, with 2 pupils of 40 now absent unauthorised in each session.
    const fewer = {
      urn: 100002,
      totalNoOfPupils: 80,
      submissionData: (['AM', 'PM'] as const).map((schoolSession) => ({
        ncYearGroup: '5',
        date: '2026-11-17',
        schoolSession,
        attendances: [
          { attendanceCode: schoolSession === 'AM' ? '/' : '\\', value: 38 },
          { attendanceCode: 'O', value: 2 },
        ],
      })),
    };
    clock = new Date('2026-11-20T11:00:00Z');
    const answer = await post(fewer);
    assert.equal(answer.status, 201, answer.text);
    const row = (
      await sql<{ keys: string[]; possible: number; unauthorised: number; refs: string[] }>`
        select session_keys as keys, possible, unauthorised,
          (select array_agg(value->>'s' order by key) from jsonb_each(sessions)) as refs
        from dfe.school_day where urn = 100002 and date = '2026-11-17'`.execute(database.db)
    ).rows[0];
    assert.ok(row);
    assert.deepEqual(row.keys, ['AM 5', 'AM 6', 'PM 5', 'PM 6']);
    assert.equal(row.possible, 4 * 40);
    const yearSix = both.submissionData.filter((e) => e.ncYearGroup === '6');
    const unauthorisedSix = yearSix.reduce(
      (n, e) =>
        n +
        e.attendances
          .filter((m) => ['G', 'N', 'O', 'U'].includes(m.attendanceCode))
          .reduce((k, m) => k + m.value, 0),
      0,
    );
    assert.equal(row.unauthorised, 4 + unauthorisedSix);
    const ref = String(answer.json().submissionRef);
    assert.equal(row.refs.filter((r) => r === ref).length, 2);
  });

  test('twenty concurrent submissions for one school, dates in different orders, all succeed and the newest receipt wins each key', async () => {
    const dates = ['2026-11-10', '2026-11-11', '2026-11-12', '2026-11-13'];
    const sends = Array.from({ length: 20 }, (_, i) => {
      const order = i % 2 === 0 ? dates : [...dates].reverse();
      const body = syntheticSubmission({
        urn: 100002,
        dates: order,
        yearGroups: ['7', '8'],
        pupilsPerYearGroup: 100,
        seed: 100 + i,
      });
      return post(body);
    });
    const answers = await Promise.all(sends);
    assert.deepEqual(
      answers.map((a) => a.status),
      Array(20).fill(201),
    );
    // Every key holds the values of the latest receipt among those that sent it.
    const rows = await sql<{ key: string; r: string; latest: string }>`
      select key, value->>'r' as r,
        (select max(received_at) from dfe.submission s where s.ref::text = any(${answers.map((a) => String(a.json().submissionRef))}::text[])) as latest
      from dfe.school_day, jsonb_each(sessions) where urn = 100002 and date between '2026-11-10' and '2026-11-13'`.execute(
      database.db,
    );
    assert.equal(rows.rows.length, 4 * 2 * 2);
    for (const row of rows.rows) assert.equal(new Date(row.r).getTime(), new Date(row.latest).getTime());
  });
});

describe('look-ups', () => {
  const auth = () => ({ authorization: `Bearer ${reader}` });
  test('GET /codes/attendance lists every code, or those valid on a date', async () => {
    const all = (await call('GET', '/codes/attendance', auth())).json<{ code: string; category: string }[]>();
    assert.ok(all.some((c) => c.code === 'K') && all.some((c) => c.code === 'H'));
    const in2020 = (await call('GET', '/codes/attendance?date=2020-10-20', auth())).json<
      { code: string }[]
    >();
    assert.ok(!in2020.some((c) => c.code === 'K'));
    assert.ok(in2020.some((c) => c.code === 'H'));
    const in2025 = (await call('GET', '/codes/attendance?date=2025-01-06', auth())).json<
      { code: string; category: string; validFrom: string | null }[]
    >();
    assert.deepEqual(
      in2025.find((c) => c.code === 'K'),
      {
        code: 'K',
        description:
          in2025.find((c) => c.code === 'K') &&
          (in2025.find((c) => c.code === 'K') as unknown as { description: string }).description,
        category: 'approved_educational_activity',
        countsAsPossibleSession: true,
        countsAsAttendance: true,
        validFrom: '2024-08-19',
        validTo: null,
      },
    );
    const bad = await call('GET', '/codes/attendance?date=2025-02-30', auth());
    assert.equal(bad.status, 400);
    assert.equal(bad.json().code, 'VAL128');
  });

  test('GET /codes/ncyeargroup lists the pupil year groups, never M', async () => {
    const groups = (await call('GET', '/codes/ncyeargroup', auth())).json<
      { code: string; description: string }[]
    >();
    assert.ok(groups.some((g) => g.code === 'R'));
    assert.ok(!groups.some((g) => g.code === 'M'));
  });

  test('API answers carry the security headers of a JSON API, the same on every answer', async () => {
    const answers = [
      await call('GET', '/codes/ncyeargroup', auth()),
      await call('POST', '/attendances', { ...auth(), 'content-type': 'text/plain' }, 'x'),
      await call('GET', '/statistics/national', auth()),
      await call('GET', '/.well-known/jwks.json'),
      await call(
        'POST',
        '/oauth2/token',
        { 'content-type': 'application/x-www-form-urlencoded' },
        'grant_type=x',
      ),
    ];
    for (const answer of answers) {
      assert.equal(answer.headers['x-content-type-options'], 'nosniff');
      assert.equal(answer.headers['strict-transport-security'], 'max-age=31536000; includeSubDomains');
      assert.equal(answer.headers['x-frame-options'], 'SAMEORIGIN');
      // Nothing in a JSON answer may run or be framed; it has no script, so no nonce either.
      assert.equal(answer.headers['content-security-policy'], "default-src 'none';frame-ancestors 'none'");
      assert.equal(answer.headers['x-powered-by'], undefined);
    }
  });

  test('GET /provider/{urn} describes a school; a bad or unknown URN gets VAL101 / VAL102', async () => {
    const provider = await call('GET', '/provider/100002', auth());
    assert.deepEqual(provider.json(), {
      urn: 100002,
      name: 'Synthetic Primary School',
      address: 'Exampleton, ZZ1 2ZZ',
      phaseOfEducation: 'Primary',
      schoolType: 'Community school',
    });
    const malformed = await call('GET', '/provider/12x', auth());
    assert.equal(malformed.status, 400);
    assert.equal(malformed.json().code, 'VAL101');
    const unknown = await call('GET', '/provider/999999', auth());
    assert.equal(unknown.status, 400);
    assert.equal(unknown.json().code, 'VAL102');
  });

  test('GET /submissions/{ref}: another client’s submission, or an unknown reference, is not found', async () => {
    const mine = await post(day('2026-11-20', 40));
    const ref = String(mine.json().submissionRef);
    const other = await call('GET', `/submissions/${ref}`, { authorization: `Bearer ${supplier.token}` });
    assert.equal(other.status, 404);
    assert.equal(other.json().code, 'VAL125');
    assert.equal(
      (await call('GET', '/submissions/not-a-uuid', { authorization: `Bearer ${supplier.token}` })).status,
      404,
    );
  });
});

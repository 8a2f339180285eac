/**
 * One school, one supplier (issue 12, item 5), in-process with real tokens: a second supplier
 * cannot take a school over by recording consent itself; its consent waits as a change of
 * supplier that a DfE administrator confirms or rejects on a check-your-answers page; a school-day
 * never mixes two suppliers' values.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertPlainWords } from './support/plain-words.ts';
import { sql } from 'kysely';
import { createAccount } from '../src/platform/auth/accounts.ts';
import { syntheticSubmission } from '../src/dfe/collection/synthetic-submission.ts';
import { csrfTokenIn, TEST_PASSWORD, withCookies, type TestApp } from './support/test-app.ts';
import type { TestDatabase } from './support/test-database.ts';
import { clientWithToken, startAttendanceApp } from './support/attendance-app.ts';
import type { ApiAnswer } from './support/api-client.ts';
import { ACCOUNT_ROLES } from '../src/edgate.ts';

let server: TestApp;
let database: TestDatabase;
let clock = new Date('2026-11-20T09:00:00Z');

const URN = 400001;
const OTHER_URN = 400002;

/** One request in-process; given a jar, with the cookies the pages set. */
const call = (
  method: string,
  target: string,
  headers: Record<string, string> = {},
  body?: string,
  jar?: Map<string, string>,
): Promise<ApiAnswer> => (jar ? withCookies(server.call, jar) : server.call)(method, target, headers, body);

interface Supplier {
  clientId: string;
  token: string;
}
let misA: Supplier;
let misB: Supplier;
let legacy: Supplier;

const json = (token: string) => ({ authorization: `Bearer ${token}`, 'content-type': 'application/json' });
const putConsent = (supplier: Supplier, urn = URN, givenBy = 'Head of Data') =>
  call(
    'PUT',
    `/consents/${urn}`,
    json(supplier.token),
    JSON.stringify({ givenBy, givenAt: '2026-11-20T08:00:00Z' }),
  );
const send = (supplier: Supplier, yearGroups: string[], seed: number, urn = URN) =>
  call(
    'POST',
    '/attendances',
    json(supplier.token),
    JSON.stringify(
      syntheticSubmission({ urn, dates: ['2026-11-19'], yearGroups, pupilsPerYearGroup: 30, seed }),
    ),
  );

before(async () => {
  server = await startAttendanceApp({
    now: () => clock,
    accounts: false,
    schools: [URN, OTHER_URN].map((urn, i) => ({
      urn,
      name: `Synthetic School ${i + 1}`,
      laCode: '825',
      typeOfEstablishment: 'Community school',
      phaseOfEducation: 'Primary',
      status: 'Open',
      street: null,
      town: 'Exampleton',
      postcode: null,
    })),
  });
  database = server.handle;
  const supplier = (name: string, requiresConsent = true): Promise<Supplier> =>
    clientWithToken(server, { name, scopes: ['attendance.submit'], requiresConsent });
  misA = await supplier('MIS A');
  misB = await supplier('MIS B');
  legacy = await supplier('2020 MIS', false);
  await createAccount(
    database.db,
    {
      username: 'dfe-admin',
      displayName: 'Dee Admin',
      password: TEST_PASSWORD,
      roles: ['admin'],
    },
    ACCOUNT_ROLES,
  );
  await createAccount(
    database.db,
    {
      username: 'analyst',
      displayName: 'Ana Lyst',
      password: TEST_PASSWORD,
      roles: ['dfe-analyst'],
    },
    ACCOUNT_ROLES,
  );
});

after(() => server.close());

async function signedIn(username: string): Promise<Map<string, string>> {
  const browser = server.client();
  const answer = await browser.signIn(username, TEST_PASSWORD);
  assert.equal(answer.status, 303, `${username} signs in`);
  const jar = browser.cookies;
  return jar;
}

/** The suppliers whose values one school-day holds, from the submissions its session values came from. */
async function suppliersOfDay(urn: number, date: string): Promise<string[]> {
  const result = await sql<{ client_id: string }>`
    select distinct s.client_id from dfe.school_day d, jsonb_each(d.sessions) v
    join dfe.submission s on s.ref = (v.value->>'s')::uuid
    where d.urn = ${urn} and d.date = ${date}::date order by s.client_id
  `.execute(database.db);
  return result.rows.map((row) => row.client_id);
}

test('a second supplier cannot take over a school: its consent is refused with 409 and waits for the DfE; its figures are refused', async () => {
  assert.equal((await putConsent(misA)).status, 200);
  assert.equal((await send(misA, ['1', '2', '3'], 1)).status, 201);

  const takeover = await putConsent(misB, URN, 'Someone at MIS B');
  assert.equal(takeover.status, 409, takeover.text);
  assert.equal(takeover.json().code, 'VAL132');
  assert.equal(takeover.json().status, '409');
  assert.match(String(takeover.json().detail), /Another supplier holds this school's consent/);

  const refused = await send(misB, ['1'], 2);
  assert.equal(refused.status, 403, refused.text);
  assert.equal(refused.json().code, 'VAL121');
  assert.match(String(refused.json().detail), /Another supplier holds/);
  // A 2020-contract client may not serve a school another supplier holds, either.
  const legacyRefused = await send(legacy, ['1'], 3);
  assert.equal(legacyRefused.status, 403, legacyRefused.text);
  assert.equal(legacyRefused.json().code, 'VAL121');
  // … but it may serve a school nobody holds.
  assert.equal((await send(legacy, ['1'], 4, OTHER_URN)).status, 201);

  assert.deepEqual(await suppliersOfDay(URN, '2026-11-19'), [misA.clientId]);
  const consents = await sql<{ client_id: string; active: boolean }>`
    select client_id, withdrawn_at is null as active from dfe.consent where urn = ${URN}`.execute(
    database.db,
  );
  assert.deepEqual(consents.rows, [{ client_id: misA.clientId, active: true }]);
});

test('an admin rejects the change on a check-your-answers page (CSRF-checked, named in the audit); the school keeps its supplier', async () => {
  const jar = await signedIn('dfe-admin');
  const list = await call('GET', '/dfe/supplier-changes', { accept: 'text/html' }, undefined, jar);
  assert.equal(list.status, 200);
  assert.match(list.text, /Synthetic School 1/);
  assert.match(list.text, /MIS A/);
  assert.match(list.text, /MIS B/);
  const id = /\/dfe\/supplier-changes\/(\d+)\?decision=reject/.exec(list.text)?.[1];
  assert.ok(id, 'a reject link');

  const check = await call(
    'GET',
    `/dfe/supplier-changes/${id}?decision=reject`,
    { accept: 'text/html' },
    undefined,
    jar,
  );
  assert.equal(check.status, 200);
  assert.match(check.text, /Reject the change of supplier/);
  assert.match(check.text, /Someone at MIS B/);
  assertPlainWords(list.text, 'the supplier changes');
  assertPlainWords(check.text, 'the reject check page');

  const form = { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' };
  const forged = await call('POST', `/dfe/supplier-changes/${id}`, form, 'decision=reject', jar);
  assert.equal(forged.status, 403, 'no CSRF token, no decision');

  const analyst = await signedIn('analyst');
  assert.equal(
    (await call('GET', '/dfe/supplier-changes', { accept: 'text/html' }, undefined, analyst)).status,
    403,
  );

  const decided = await call(
    'POST',
    `/dfe/supplier-changes/${id}`,
    form,
    new URLSearchParams({ _csrf: csrfTokenIn(check.text), decision: 'reject' }).toString(),
    jar,
  );
  assert.equal(decided.status, 303, decided.text);
  const audit = await sql<{ status: string; decided_by: string; decided_at: Date }>`
    select status, decided_by, decided_at from dfe.supplier_change where id = ${Number(id)}`.execute(
    database.db,
  );
  assert.deepEqual(audit.rows, [
    { status: 'rejected', decided_by: 'Dee Admin (dfe-admin)', decided_at: clock },
  ]);
  assert.equal((await send(misB, ['1'], 5)).status, 403);
  assert.equal((await send(misA, ['1'], 6)).status, 201);
});

test('once the admin confirms the change, only the new supplier is accepted and a school-day never mixes the two', async () => {
  clock = new Date('2026-11-20T09:30:00Z');
  assert.equal((await putConsent(misB, URN, 'Head of Data')).status, 409);
  const jar = await signedIn('dfe-admin');
  const list = await call('GET', '/dfe/supplier-changes', { accept: 'text/html' }, undefined, jar);
  const id = /\/dfe\/supplier-changes\/(\d+)\?decision=confirm/.exec(list.text)?.[1];
  assert.ok(id);
  const check = await call(
    'GET',
    `/dfe/supplier-changes/${id}?decision=confirm`,
    { accept: 'text/html' },
    undefined,
    jar,
  );
  assert.match(check.text, /Confirm the change of supplier/);
  const decided = await call(
    'POST',
    `/dfe/supplier-changes/${id}`,
    { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
    new URLSearchParams({ _csrf: csrfTokenIn(check.text), decision: 'confirm' }).toString(),
    jar,
  );
  assert.equal(decided.status, 303);
  const after = await call('GET', String(decided.headers.location), { accept: 'text/html' }, undefined, jar);
  assert.match(after.text, /Change of supplier confirmed for URN 400001/);
  assert.match(after.text, /No change of supplier is waiting/);

  // MIS A sent year groups 1–3 for the 19th; MIS B sends only year group 1: the day is B's alone.
  clock = new Date('2026-11-20T09:45:00Z');
  assert.equal((await send(misA, ['1'], 7)).status, 403);
  assert.equal((await send(misB, ['1'], 8)).status, 201);
  assert.deepEqual(await suppliersOfDay(URN, '2026-11-19'), [misB.clientId]);
  const day = await sql<{ keys: string[]; client_id: string }>`
    select session_keys as keys, client_id from dfe.school_day where urn = ${URN} and date = '2026-11-19'`.execute(
    database.db,
  );
  assert.deepEqual(day.rows, [{ keys: ['AM 1', 'PM 1'], client_id: misB.clientId }]);

  const history = await sql<{ client_id: string; event: string; recorded_by: string }>`
    select client_id, event, recorded_by from dfe.consent_event where urn = ${URN} order by id`.execute(
    database.db,
  );
  assert.deepEqual(
    history.rows.map((row) => [row.client_id, row.event]),
    [
      [misA.clientId, 'given'],
      [misA.clientId, 'withdrawn'],
      [misB.clientId, 'given'],
    ],
  );
  assert.match(history.rows[2]?.recorded_by ?? '', /Dee Admin/);
});

test('when the current supplier removes its consent, the waiting supplier records its own and its pending change is closed', async () => {
  clock = new Date('2026-11-20T09:50:00Z');
  assert.equal((await putConsent(misA, OTHER_URN)).status, 200, 'nobody held it (a 2020 client sent for it)');
  assert.equal((await putConsent(misB, OTHER_URN)).status, 409);
  const removed = await call('DELETE', `/consents/${OTHER_URN}`, { authorization: `Bearer ${misA.token}` });
  assert.equal(removed.status, 204);
  assert.equal((await putConsent(misB, OTHER_URN)).status, 200);
  const pending = await sql<{ n: number }>`
    select count(*)::integer as n from dfe.supplier_change where urn = ${OTHER_URN} and status = 'pending'`.execute(
    database.db,
  );
  assert.equal(pending.rows[0]?.n, 0);
  assert.equal((await send(legacy, ['1'], 9, OTHER_URN)).status, 403, 'the 2020 client no longer serves it');
  assert.equal((await send(misB, ['1'], 10, OTHER_URN)).status, 201);
});

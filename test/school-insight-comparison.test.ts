/**
 * The school's insight beside its LA's and England's rates, across roles: the school role
 * in-process, the DfE role on a server of its own reached over real HTTPS with the school's
 * receiver client (which holds `attendance.read` besides its send scope). Three schools send
 * through the real sync (two in LA 825, one in 826); the page's LA and England figures must be
 * the DfE's own for the same dates, and with the DfE down the last figures are shown as stale.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { SecretBox } from '../src/platform/auth/secret-box.ts';
import { ACCOUNT_ROLES } from '../src/edgate.ts';
import { createClient } from '../src/dfe/oauth/clients.ts';
import { generateSchool } from '../src/school/synthetic-school.ts';
import { addStaff, replaceSchoolData } from '../src/school/school-data.ts';
import { saveReceiverSettings } from '../src/school/sync/receiver-settings.ts';
import { forgetReceiverTokens } from '../src/school/sync/receiver-client.ts';
import { receiverFor, runSchoolSync } from '../src/school/sync/sync-runner.ts';
import { giveConsent } from '../src/school/sync/consent-store.ts';
import { combineSummaries, type MarkTotals } from '../src/contracts/attendance/aggregation.ts';
import { openTestDatabase, type TestDatabase } from './support/test-database.ts';
import { startDfeReceiver, type DfeReceiver } from './support/dfe-receiver.ts';
import { startTestApp, TEST_PASSWORD, TEST_ROLE_CONFIG, type TestApp } from './support/test-app.ts';
import { clientCredentialsToken, httpsCall } from './support/api-client.ts';

const SCHOOLS = [
  { urn: 100001, laCode: '825', seed: 1 },
  { urn: 100002, laCode: '825', seed: 2 },
  { urn: 100003, laCode: '826', seed: 3 },
];
let database: TestDatabase;
let dfe: DfeReceiver;
let school: TestApp;
let dir: string;
const box = new SecretBox(randomBytes(32));
let clock = new Date('2026-11-20T10:30:00Z');
let dfeDown = false;
let statisticsAsked = 0;

before(async () => {
  database = await openTestDatabase();
  dfe = await startDfeReceiver({
    handle: database,
    urns: SCHOOLS.map((s) => s.urn),
    laCodes: Object.fromEntries(SCHOOLS.map((s) => [s.urn, s.laCode])),
    now: () => clock,
    supplierScopes: ['attendance.submit', 'attendance.read'],
    beforeListen: (app) =>
      app.addHook('onRequest', async (request, reply) => {
        if (!request.url.startsWith('/statistics')) return;
        statisticsAsked++;
        if (dfeDown) return reply.code(503).send({ error: 'down' });
      }),
  });
  dir = mkdtempSync(path.join(tmpdir(), 'edgate-insight-'));
  const receiverCaFile = path.join(dir, 'dfe-ca.pem');
  writeFileSync(receiverCaFile, dfe.ca);
  school = await startTestApp({
    roles: ['school'],
    handle: database,
    accounts: false,
    secretBox: box,
    now: () => clock,
    config: { ...TEST_ROLE_CONFIG, receiverCaFile },
  });
  await saveReceiverSettings(database.db, box, dfe.settings, 'test');
  for (const { urn, laCode, seed } of SCHOOLS) {
    const data = generateSchool({
      seed,
      phase: 'primary',
      pupils: 40,
      today: '2026-11-20',
      marksFrom: '2026-11-02',
      urn,
    });
    await replaceSchoolData(database.db, { ...data.school, laCode }, data);
  }
  await addStaff(
    database.db,
    { username: 'head', urn: 100001, permissions: [], addedBy: 'test', password: TEST_PASSWORD },
    ACCOUNT_ROLES,
  );
  // Consent and one sync of each school, through the school role's own path.
  const settings = { syncTimes: [], syncSchedule: false, syncLeaseSeconds: 600, receiverCaFile };
  const receiver = (await receiverFor(database.db, box, settings, { now: () => clock }))!;
  for (const { urn } of SCHOOLS)
    await giveConsent(database.db, receiver, { urn, givenBy: 'A. Administrator', now: clock });
  const results = await runSchoolSync(database.db, box, settings, { now: clock });
  assert.deepEqual(
    results.map((r) => r.sends.map((s) => s.state)),
    [['accepted'], ['accepted'], ['accepted']],
  );
});
after(async () => {
  await school.close();
  await dfe.close();
  await database.close();
  rmSync(dir, { recursive: true, force: true });
  forgetReceiverTokens();
});

/** The DfE's own figures for the dates, added up from its statistics API. */
async function dfeFigures(target: string) {
  const analyst = await createClient(database.db, { name: `Analyst ${target}`, scopes: ['attendance.read'] });
  const token = await clientCredentialsToken(dfe.baseUrl, dfe.ca, analyst, 'attendance.read');
  const answer = await httpsCall(dfe.baseUrl, dfe.ca)('GET', target, { authorization: `Bearer ${token}` });
  assert.equal(answer.status, 200, answer.text);
  return combineSummaries(answer.json<{ days: MarkTotals[] }>().days);
}

/** The comparison table's row for `name`: its cells' text. */
function row(page: string, name: string): string[] {
  const table = /<table class="govuk-table" id="comparison">([\s\S]*?)<\/table>/.exec(page)?.[1] ?? '';
  const found = [...table.matchAll(/<tr class="govuk-table__row">([\s\S]*?)<\/tr>/g)].find((m) =>
    m[1]!.includes(`>${name}</th>`),
  );
  assert.ok(found, `a row for ${name}`);
  return [...found[1]!.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((m) => m[1]!.trim());
}

const percent = (rate: number | null) => (rate === null ? '–' : `${(rate * 100).toFixed(1)}%`);

describe('the insight page beside the LA and England', () => {
  test('shows the LA’s and England’s rates exactly as the DfE gives them for the same dates', async () => {
    const client = school.client();
    assert.equal((await client.signIn('head', TEST_PASSWORD)).status, 303);
    const page = await client.get('/school/insight');
    assert.equal(page.status, 200, page.body);
    // The school year so far: 1 August to today; England takes two months a request.
    const la = await dfeFigures('/statistics/la/825?from=2026-08-01&to=2026-11-20');
    const england = combineSummaries([
      await dfeFigures('/statistics/national?from=2026-08-01&to=2026-10-01'),
      await dfeFigures('/statistics/national?from=2026-10-02&to=2026-11-20'),
    ]);
    assert.ok(la.possible > 0 && england.possible > la.possible, 'England holds the other LA’s school too');
    assert.notEqual(percent(la.attendanceRate), percent(england.attendanceRate));
    for (const [name, figures] of [
      ['Buckinghamshire', la],
      ['England', england],
    ] as const)
      assert.deepEqual(
        row(page.body, name),
        [
          percent(figures.attendanceRate),
          percent(figures.attendanceRate === null ? null : 1 - figures.attendanceRate),
          figures.possible.toLocaleString('en-GB'),
        ],
        name,
      );
    assert.doesNotMatch(page.body, /last fetched/);
    assert.equal(
      Number(
        (await sql<{ n: number }>`select count(*)::integer as n from school.comparison`.execute(database.db))
          .rows[0]?.n,
      ),
      2,
      'both kept in the school’s schema',
    );
  });

  test('with the DfE down, the last figures are shown with when they were fetched and why they are old; with none kept, no comparison', async () => {
    const client = school.client();
    await client.signIn('head', TEST_PASSWORD);
    const fresh = await client.get('/school/insight');
    dfeDown = true;
    try {
      clock = new Date('2026-11-20T13:30:00Z');
      const page = await client.get('/school/insight');
      assert.equal(page.status, 200, page.body);
      assert.deepEqual(row(page.body, 'England'), row(fresh.body, 'England'));
      assert.match(
        page.body,
        /England: these figures were last fetched at 20 Nov 2026, 10:30 \(London time\) and run to 20 November 2026\. They could not be brought up to date: The receiver could not take it \(503\), 1 try\./,
      );
      // The next page, a minute on, shows the same without asking the DfE again.
      const asked = statisticsAsked;
      clock = new Date('2026-11-20T13:31:00Z');
      const again = await client.get('/school/insight');
      assert.equal(statisticsAsked, asked);
      assert.match(again.body, /England: these figures were last fetched at 20 Nov 2026, 10:30/);
      await sql`delete from school.comparison`.execute(database.db);
      const none = await client.get('/school/insight');
      assert.match(
        row(none.body, 'Buckinghamshire')[0]!,
        /^No comparison is available: The receiver could not take it \(503\)/,
      );
    } finally {
      dfeDown = false;
      clock = new Date('2026-11-20T10:30:00Z');
    }
  });

  test('a supplier client without attendance.read: the page says plainly there is no comparison and why', async () => {
    const sendOnly = await createClient(database.db, {
      name: 'Send-only MIS',
      scopes: ['attendance.submit'],
    });
    await saveReceiverSettings(database.db, box, { ...dfe.settings, ...sendOnly }, 'test');
    await sql`delete from school.comparison`.execute(database.db);
    try {
      const client = school.client();
      await client.signIn('head', TEST_PASSWORD);
      const page = await client.get('/school/insight');
      assert.equal(page.status, 200, page.body);
      for (const name of ['Buckinghamshire', 'England'])
        assert.match(
          row(page.body, name)[0]!,
          /^No comparison is available: The DfE does not let this MIS read its statistics \(invalid_scope\): its OAuth client needs the attendance\.read scope\.$/,
        );
    } finally {
      await saveReceiverSettings(database.db, box, dfe.settings, 'test');
    }
  });
});

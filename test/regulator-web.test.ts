/** The caseworker's journey and the admin API, in-process (support/test-app.ts). */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, csrfTokenIn, TEST_PASSWORD, type TestApp } from './support/test-app.ts';
import { upsertRegistrations } from '../src/regulator/register/register-store.ts';
import { generateRegister } from '../src/contracts/childcare-extract/synthetic-register.ts';
import type { Registration } from '../src/contracts/childcare-extract/registration.ts';
import { everyElementRegistration, exemptAgency } from '../src/contracts/childcare-extract/feed-fixtures.ts';

const NOW = new Date('2026-11-02T10:00:00Z');

describe('regulator pages and API', () => {
  let server: TestApp;
  let register: Registration[];

  before(async () => {
    server = await startTestApp({ now: () => NOW });
    register = [
      ...generateRegister({ scale: 'demo', seed: 3, today: '2026-11-01', laCodes: ['825', '805'] }),
    ];
    await upsertRegistrations(server.handle.db, register);
  });
  after(() => server.close());

  test('health and readiness answer; metrics are not public', async () => {
    const client = server.client();
    assert.equal((await client.request('GET', '/healthz')).status, 200);
    const ready = await client.request('GET', '/readyz');
    assert.deepEqual(ready.json(), { status: 'ready', database: 'ok' });
    const metrics = await client.request('GET', '/metrics');
    assert.equal(metrics.status, 404, 'served only with METRICS_TOKEN (web-hardening.test.ts)');
    assert.ok(ready.headers['x-request-id'], 'every response carries its request id');
    assert.match(String(ready.headers['strict-transport-security']), /max-age=/);
  });

  test('pages need a sign-in; a wrong password is refused without saying which part was wrong', async () => {
    const client = server.client();
    const anonymous = await client.get('/regulator/registrations');
    assert.equal(anonymous.status, 302);
    assert.match(String(anonymous.headers.location), /^\/login\?next=/);
    const wrong = await client.signIn('casey', 'not the password');
    assert.equal(wrong.status, 401);
    assert.match(wrong.body, /Enter a correct username and password/);
    const unknown = await client.signIn('nobody-at-all', TEST_PASSWORD);
    assert.equal(unknown.status, 401);
    assert.equal(client.cookies.has('__Host-edgate-session'), false);
  });

  test('a form posted without its CSRF token is refused and changes nothing', async () => {
    const client = server.client();
    await client.get('/login');
    const forged = await client.post('/login', { username: 'casey', password: TEST_PASSWORD });
    assert.equal(forged.status, 403);
    assert.equal(client.cookies.has('__Host-edgate-session'), false);

    const signedIn = server.client();
    await signedIn.signIn('casey', TEST_PASSWORD);
    const target = register.find((r) => r.status === 'ACTV')!;
    const attack = await signedIn.post(`/regulator/registrations/${target.referenceNumber}/status`, {
      kind: 'cancel',
      ground: 'other',
      reason: 'forged',
      _csrf: 'wrong-token',
    });
    assert.equal(attack.status, 403);
    const page = await signedIn.get(`/regulator/registrations/${target.referenceNumber}`);
    assert.doesNotMatch(page.body, /forged/);
  });

  test('an account without the caseworker role cannot see the register', async () => {
    const client = server.client();
    await client.signIn('nobody', TEST_PASSWORD);
    const page = await client.get('/regulator/registrations');
    assert.equal(page.status, 403);
  });

  test('a caseworker searches, opens a registration and sees its history, inspections and notices', async () => {
    const client = server.client();
    const signIn = await client.signIn('casey', TEST_PASSWORD);
    assert.equal(signIn.status, 303);
    const inLa = register.filter((r) => r.laCode === '805');
    const search = await client.get('/regulator/registrations?la=805');
    assert.equal(search.status, 200);
    assert.match(search.body, new RegExp(`${inLa.length} registrations? found`));
    const target = register.find((r) => r.inspections.length > 0 && r.notices.length > 0) ?? register[0]!;
    const page = await client.get(`/regulator/registrations/${target.referenceNumber}`);
    assert.equal(page.status, 200);
    assert.ok(page.body.includes(target.provider.name.replace(/&/g, '&amp;').replace(/'/g, '&#39;')));
    assert.match(page.body, /Status history/);
    for (const inspection of target.inspections) assert.ok(page.body.includes(inspection.overallJudgement));
    const missing = await client.get('/regulator/registrations/EY000000');
    assert.equal(missing.status, 404);
  });

  test('the registration page shows the v1.3 elements with plain labels, and what consent and special considerations mean for public outputs', async () => {
    const every = everyElementRegistration('EY100901', '825');
    await upsertRegistrations(server.handle.db, [every, exemptAgency('EY100903', '825')]);
    const client = server.client();
    await client.signIn('casey', TEST_PASSWORD);
    const page = await client.get('/regulator/registrations/EY100901');
    assert.equal(page.status, 200);
    const text = page.body.replace(/&#39;/g, "'");
    for (const shown of [
      "Special considerations: Women's refuge.",
      'must never appear in a public directory',
      'Consent withheld',
      'not released for public viewing',
      'UPRN 100023336956',
      'Home childcarer',
      'Early Years Register',
      'Exempt',
      'All year round',
      'Weekends',
      'Notice of decision',
      'Conditions on the registration certificate',
      'All registers',
      'Welfare notices',
      'Welfare requirements notice: safeguarding',
      'Linked registrations',
      'href="/regulator/registrations/EY100002"',
      // A setting's mobile and work telephone; an age band for the whole registration, to 20.
      'Mobile  07700 900002 ',
      'Work 01296 000006 ext',
      'All registers</td><td class="govuk-table__cell">8 to 20</td>',
    ]) {
      assert.ok(text.includes(shown), shown);
    }
    assert.doesNotMatch(text, /undefined/);
    // Codes are for machines: the page says them in words only.
    assert.doesNotMatch(text, /\((WREF|HCR|EYR|ALYR|WEND|NOD|REGD)\)/);
    const agency = await client.get('/regulator/registrations/EY100903');
    assert.match(agency.body, /Childminder agency · EY100903/);
    assert.match(agency.body, /Exempt from registration/);
    // No postcode (optional in Ofsted's schema): the address ends at the town, with no blank line.
    assert.match(agency.body, /Unit 4<br>Aylesbury<br><span class="govuk-hint">UPRN 200003/);
  });

  test('an illegal status change is explained in plain words and changes nothing; a legal one is recorded', async () => {
    const client = server.client();
    await client.signIn('casey', TEST_PASSWORD);
    const target = register.find(
      (r) => r.status === 'ACTV' && r.notices.length === 0 && r.provisionType !== 'RPP',
    )!;
    const form = await client.get(`/regulator/registrations/${target.referenceNumber}/status`);
    const csrf = csrfTokenIn(form.body);
    const tooLong = await client.post(`/regulator/registrations/${target.referenceNumber}/status`, {
      _csrf: csrf,
      version: '1',
      kind: 'suspend',
      grounds: 'Allegation under investigation',
      'endDate-day': '1',
      'endDate-month': '3',
      'endDate-year': '2027',
      reason: 'Risk of harm',
    });
    assert.equal(tooLong.status, 422);
    assert.match(tooLong.body, /A suspension period can last at most 6 weeks/);
    const unchanged = await client.get(`/regulator/registrations/${target.referenceNumber}`);
    assert.match(unchanged.body, />\s*Active\s*</);

    const check = await client.post(`/regulator/registrations/${target.referenceNumber}/status`, {
      _csrf: csrf,
      version: '1',
      kind: 'resign',
      reason: 'Moving away',
    });
    assert.equal(check.status, 200, 'a resignation is checked before it is made');
    const resign = await client.post(`/regulator/registrations/${target.referenceNumber}/status/confirm`, {
      _csrf: csrf,
      version: '1',
      kind: 'resign',
      reason: 'Moving away',
    });
    assert.equal(resign.status, 303);
    const after = await client.get(String(resign.headers.location));
    assert.match(after.body, /Status changed to Resigned/);
    assert.match(after.body, /Moving away/);
    assert.match(after.body, /casey/);

    const stale = await client.post(`/regulator/registrations/${target.referenceNumber}/status/confirm`, {
      _csrf: csrf,
      version: '1',
      kind: 'correct',
      to: 'ACTV',
      reason: 'Resigned by mistake, provider confirmed',
    });
    assert.equal(stale.status, 409, 'a form showing an old version cannot overwrite a newer change');
  });

  test('sign-out ends the session on the server', async () => {
    const client = server.client();
    await client.signIn('casey', TEST_PASSWORD);
    const token = client.cookies.get('__Host-edgate-session')!;
    const confirm = await client.get('/logout-confirm');
    await client.post('/logout', { _csrf: csrfTokenIn(confirm.body) });
    const replayed = server.client();
    replayed.cookies.set('__Host-edgate-session', token);
    assert.equal((await replayed.get('/regulator/registrations')).status, 302);
  });

  test('the admin API: HTTP Basic, JSON errors, status changes with the same rules', async () => {
    const client = server.client();
    const basic = (user: string, password: string) => ({
      authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
      accept: 'application/json',
    });
    const noAuth = await client.request('GET', '/api/regulator/registrations');
    assert.equal(noAuth.status, 401);
    assert.match(String(noAuth.headers['www-authenticate']), /^Basic/);
    const wrong = await client.request(
      'GET',
      '/api/regulator/registrations',
      undefined,
      basic('casey', 'nope'),
    );
    assert.equal(wrong.status, 401);
    // The right password of an account the API is not for answers like a wrong one (no oracle).
    const forbidden = await client.request(
      'GET',
      '/api/regulator/registrations',
      undefined,
      basic('nobody', TEST_PASSWORD),
    );
    assert.equal(forbidden.status, 401);
    assert.equal(forbidden.body, wrong.body);

    const auth = basic('casey', TEST_PASSWORD);
    const list = await client.request(
      'GET',
      '/api/regulator/registrations?la=825&pageSize=5',
      undefined,
      auth,
    );
    assert.equal(list.status, 200);
    const body = list.json<{ total: number; rows: { referenceNumber: string }[] }>();
    assert.equal(body.rows.length, 5);

    // Not the registration the page test resigned.
    const target = register.filter(
      (r) => r.status === 'ACTV' && r.notices.length === 0 && r.provisionType !== 'RPP',
    )[1]!;
    const post = (payload: unknown) =>
      client.request(
        'POST',
        `/api/regulator/registrations/${target.referenceNumber}/status-changes`,
        JSON.stringify(payload),
        {
          ...auth,
          'content-type': 'application/json',
        },
      );
    const invalid = await post({ kind: 'explode' });
    assert.equal(invalid.status, 400);
    const refused = await post({ kind: 'grant' });
    assert.equal(refused.status, 422);
    assert.equal(refused.json<{ code: string }>().code, 'not-allowed-from-status');
    const cancelled = await post({
      kind: 'cancel',
      ground: 'fee-not-paid',
      reason: 'Annual fee unpaid',
      expectedVersion: 1,
    });
    assert.equal(cancelled.status, 201);
    assert.deepEqual(cancelled.json(), { from: 'ACTV', to: 'CANC', correction: false, version: 2 });
    const audit = await client.request(
      'GET',
      `/api/regulator/registrations/${target.referenceNumber}/status-changes`,
      undefined,
      auth,
    );
    assert.equal(audit.json<{ changedBy: string }[]>()[0]?.changedBy, 'casey (api)');

    const docs = await client.request('GET', '/docs/json');
    assert.equal(docs.status, 200);
    assert.ok(
      docs.json<{ paths: Record<string, unknown> }>().paths[
        '/api/regulator/registrations/{ref}/status-changes'
      ],
    );
  });
});

/**
 * What a first-time caseworker trips on, in-process: a change that cannot be undone is checked
 * before it is made; the end date is a GOV.UK date input with its errors on the field; once a
 * registration has ended, its registers and a running suspension read as ended.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, csrfTokenIn, TEST_PASSWORD, type TestApp } from './support/test-app.ts';
import { upsertRegistrations } from '../src/regulator/register/register-store.ts';
import { recordStatusChange, statusChangesOf } from '../src/regulator/register/record-status-change.ts';
import { generateRegister } from '../src/contracts/childcare-extract/synthetic-register.ts';
import type { Registration } from '../src/contracts/childcare-extract/registration.ts';
import { runExtracts } from '../src/regulator/extract/extract-runs.ts';
import { recordAudit } from '../src/regulator/gateway/gateway-store.ts';
import { assertPlainWords } from './support/plain-words.ts';

const NOW = new Date('2026-11-02T10:00:00Z');
const TODAY = '2026-11-02';

describe('a status change, checked before it is made', () => {
  let server: TestApp;
  let active: Registration[];

  before(async () => {
    server = await startTestApp({ now: () => NOW, roles: ['regulator'] });
    const register = [...generateRegister({ scale: 'demo', seed: 5, today: '2026-11-01', laCodes: ['825'] })];
    await upsertRegistrations(server.handle.db, register);
    active = register.filter(
      (r) =>
        r.status === 'ACTV' && r.notices.length === 0 && r.provisionType !== 'RPP' && r.registers.length > 0,
    );
  });
  after(() => server.close());

  const signedIn = async () => {
    const client = server.client();
    await client.signIn('casey', TEST_PASSWORD);
    return client;
  };
  const statusOf = async (ref: string) =>
    (
      await server.handle.db
        .selectFrom('regulator.registration')
        .select('status')
        .where('reference_number', '=', ref)
        .executeTakeFirstOrThrow()
    ).status;

  test('resigning shows what will change, for whom and from when, and changes nothing until confirmed', async () => {
    const client = await signedIn();
    const target = active[0]!;
    const ref = target.referenceNumber;
    const form = await client.get(`/regulator/registrations/${ref}/status`);
    const csrf = csrfTokenIn(form.body);
    const check = await client.post(`/regulator/registrations/${ref}/status`, {
      _csrf: csrf,
      version: '1',
      kind: 'resign',
      reason: 'Moving away',
    });
    assert.equal(check.status, 200);
    assert.match(check.body, /Check the change before you confirm it/);
    assert.ok(check.body.includes(target.provider.name.replace(/'/g, '&#39;')), 'for whom');
    assert.match(check.body, /Active now, Resigned from 2 November 2026/);
    assert.match(
      check.body,
      /Early Years Register ends on 2 November 2026|Childcare Register .* ends on 2 November 2026/,
    );
    assert.match(check.body, /This cannot be undone/);
    assert.match(check.body, />\s*Confirm\s*</);
    assert.match(check.body, />\s*Change\s*</);
    assert.equal(await statusOf(ref), 'ACTV', 'nothing changed yet');

    // "Change" brings the details back as they were filled in.
    const again = await client.post(`/regulator/registrations/${ref}/status`, {
      _csrf: csrf,
      change: '1',
      version: '1',
      kind: 'resign',
      reason: 'Moving away',
    });
    assert.equal(again.status, 200);
    assert.match(again.body, /<h1 class="govuk-heading-l">Record the resignation<\/h1>/);
    assert.match(again.body, /name="kind" value="resign"/);
    assert.match(again.body, />Moving away</);

    // The confirm post needs its CSRF token like any other.
    const forged = await client.post(`/regulator/registrations/${ref}/status/confirm`, {
      version: '1',
      kind: 'resign',
      reason: 'Moving away',
    });
    assert.equal(forged.status, 403);
    assert.equal(await statusOf(ref), 'ACTV');

    const confirmed = await client.post(`/regulator/registrations/${ref}/status/confirm`, {
      _csrf: csrf,
      version: '1',
      kind: 'resign',
      reason: 'Moving away',
    });
    assert.equal(confirmed.status, 303);
    assert.equal(await statusOf(ref), 'RESG');
    const page = await client.get(String(confirmed.headers.location));
    assert.match(page.body, /Status changed to Resigned/);
  });

  test('the change is asked one question a page: the kind, then only what that kind needs', async () => {
    const client = await signedIn();
    const ref = active[5]!.referenceNumber;
    const status = `/regulator/registrations/${ref}/status`;
    const kindPage = await client.get(status);
    assert.match(kindPage.body, /What change do you want to make\?/);
    assert.match(kindPage.body, new RegExp(`action="${status}/kind"`));
    assert.doesNotMatch(kindPage.body, /name="reason"|name="grounds"|name="ground"/, 'the details come next');
    const csrf = csrfTokenIn(kindPage.body);

    const nothing = await client.post(`${status}/kind`, { _csrf: csrf, version: '1' });
    assert.equal(nothing.status, 400);
    assert.match(nothing.body, /href="#kind">Select the change to make/);
    assert.match(nothing.body, /govuk-error-message[\s\S]*Select the change to make/);
    // Only the changes the law allows from the status it has now.
    const grant = await client.post(`${status}/kind`, { _csrf: csrf, version: '1', kind: 'grant' });
    assert.equal(grant.status, 400);

    const suspend = await client.post(`${status}/kind`, { _csrf: csrf, version: '1', kind: 'suspend' });
    assert.equal(suspend.status, 303);
    assert.equal(suspend.headers.location, `${status}?kind=suspend`);
    const suspendPage = await client.get(String(suspend.headers.location));
    assert.match(suspendPage.body, /<h1 class="govuk-heading-l">Suspend the registration<\/h1>/);
    for (const field of ['grounds', 'endDate-day', 'investigationCannotFinishSooner', 'reason'])
      assert.match(suspendPage.body, new RegExp(`name="${field}"`), field);
    assert.doesNotMatch(suspendPage.body, /name="ground"/);
    assert.match(suspendPage.body, new RegExp(`class="govuk-back-link">Back<`));

    // A change the status does not allow is not asked about: the kind again.
    assert.match((await client.get(`${status}?kind=grant`)).body, /What change do you want to make\?/);
    assert.match(
      (await client.get(`${status}?kind=lift-suspension`)).body,
      /What change do you want to make\?/,
    );
    const cancelPage = await client.get(`${status}?kind=cancel`);
    assert.match(cancelPage.body, /<h1 class="govuk-heading-l">Cancel the registration<\/h1>/);
    assert.match(cancelPage.body, /name="ground"/);
    assert.doesNotMatch(cancelPage.body, /name="grounds"|name="endDate-day"/);

    // A refusal about the kind itself is said on the kind page, on the radios.
    const refused = await client.post(status, { _csrf: csrf, version: '1', kind: 'grant' });
    assert.equal(refused.status, 422);
    assert.match(refused.body, /What change do you want to make\?/);
    assert.match(refused.body, /href="#kind">/);
    // A missing reason is said on the details page, on the reason.
    const noReason = await client.post(status, { _csrf: csrf, version: '1', kind: 'resign', reason: '' });
    assert.equal(noReason.status, 422);
    assert.match(noReason.body, /<h1 class="govuk-heading-l">Record the resignation<\/h1>/);
    assert.match(noReason.body, /href="#reason">Enter a reason/);
    assert.equal(await statusOf(ref), 'ACTV');
  });

  test('a grant needs no details: its kind goes straight to the check page', async () => {
    const client = await signedIn();
    const proposed = [...generateRegister({ scale: 'demo', seed: 5, today: '2026-11-01', laCodes: ['825'] })]
      .filter((r) => r.status === 'PROP')
      .at(0);
    assert.ok(proposed, 'the synthetic register has a proposed registration');
    const status = `/regulator/registrations/${proposed.referenceNumber}/status`;
    const csrf = csrfTokenIn((await client.get(status)).body);
    const check = await client.post(`${status}/kind`, { _csrf: csrf, version: '1', kind: 'grant' });
    assert.equal(check.status, 200);
    assert.match(check.body, /Check the change before you confirm it/);
    assert.match(check.body, /Proposed \(applicant\) now, Active from 2 November 2026/);
  });

  test('a confirm after someone else changed the registration says so plainly and changes nothing', async () => {
    const client = await signedIn();
    const ref = active[1]!.referenceNumber;
    const csrf = csrfTokenIn((await client.get(`/regulator/registrations/${ref}/status`)).body);
    const check = await client.post(`/regulator/registrations/${ref}/status`, {
      _csrf: csrf,
      version: '1',
      kind: 'cancel',
      ground: 'fee-not-paid',
      reason: 'Fee unpaid',
    });
    assert.equal(check.status, 200);
    assert.match(check.body, /Registration fee not paid/);
    // Meanwhile a colleague records a resignation.
    const meanwhile = await recordStatusChange(server.handle.db, {
      referenceNumber: ref,
      request: { kind: 'resign', reason: 'Retiring' },
      actor: 'colleague',
      today: TODAY,
    });
    assert.equal(meanwhile.outcome, 'changed');
    const late = await client.post(`/regulator/registrations/${ref}/status/confirm`, {
      _csrf: csrf,
      version: '1',
      kind: 'cancel',
      ground: 'fee-not-paid',
      reason: 'Fee unpaid',
    });
    assert.equal(late.status, 409);
    assert.match(late.body, /changed this registration after you checked your answers: it is now Resigned/);
    assert.match(late.body, /Nothing was changed/);
    assert.deepEqual(
      (await statusChangesOf(server.handle.db, ref)).map((c) => c.kind),
      ['resign'],
    );
  });

  test('the suspension end date is a GOV.UK date input, its errors on the part that is wrong', async () => {
    const client = await signedIn();
    const ref = active[2]!.referenceNumber;
    const form = await client.get(`/regulator/registrations/${ref}/status?kind=suspend`);
    assert.doesNotMatch(form.body, /type="date"/);
    assert.match(form.body, /name="endDate-day"/);
    assert.match(form.body, /name="endDate-month"/);
    assert.match(form.body, /name="endDate-year"/);
    const csrf = csrfTokenIn(form.body);
    const suspend = (day: string, month: string, year: string) =>
      client.post(`/regulator/registrations/${ref}/status`, {
        _csrf: csrf,
        version: '1',
        kind: 'suspend',
        grounds: 'Allegation under investigation',
        'endDate-day': day,
        'endDate-month': month,
        'endDate-year': year,
        reason: 'Risk of harm',
      });
    const noMonth = await suspend('30', '', '2026');
    assert.equal(noMonth.status, 400);
    assert.match(
      noMonth.body,
      /href="#endDate-month">Last day of this suspension period must include a month/,
    );
    assert.match(
      noMonth.body,
      /id="endDate-month" name="endDate-month" type="text" inputmode="numeric"|class="govuk-input govuk-date-input__input govuk-input--width-2 govuk-input--error" id="endDate-month"/,
    );
    assert.doesNotMatch(noMonth.body, /govuk-input--error" id="endDate-day"/);

    const unreal = await suspend('31', '11', '2026');
    assert.match(unreal.body, /Last day of this suspension period must be a real date/);

    const tooLong = await suspend('1', '3', '2027');
    assert.equal(tooLong.status, 422);
    assert.match(tooLong.body, /href="#endDate-day">A suspension period can last at most 6 weeks/);
    assert.match(tooLong.body, /govuk-error-message[\s\S]*A suspension period can last at most 6 weeks/);

    const check = await suspend('30', '11', '2026');
    assert.equal(check.status, 200);
    assert.match(check.body, /2 November 2026 to 30 November 2026 \(4 weeks and 1 day\)/);
    assert.match(check.body, /name="endDate" value="2026-11-30"/);
    assert.equal(await statusOf(ref), 'ACTV');
  });

  test('after a resignation, its registers and a running suspension read as ended, on the page and in the search', async () => {
    const { db } = server.handle;
    const target = active[3]!;
    const ref = target.referenceNumber;
    const suspended = await recordStatusChange(db, {
      referenceNumber: ref,
      request: { kind: 'suspend', grounds: 'Risk of harm', endDate: '2026-11-30', reason: 'Investigation' },
      actor: 'casey',
      today: '2026-10-26',
    });
    assert.equal(suspended.outcome, 'changed', JSON.stringify(suspended));
    const resigned = await recordStatusChange(db, {
      referenceNumber: ref,
      request: { kind: 'resign', reason: 'Closing down' },
      actor: 'casey',
      today: TODAY,
    });
    assert.equal(resigned.outcome, 'changed', JSON.stringify(resigned));

    const client = await signedIn();
    const page = await client.get(`/regulator/registrations/${ref}`);
    const registers = /<table class="govuk-table" id="registers">([\s\S]*?)<\/table>/.exec(page.body)![1]!;
    assert.doesNotMatch(registers, />Registered</, 'no register reads as current');
    assert.match(
      registers,
      />Ended<\/td><td class="govuk-table__cell">[^<]*<\/td><td class="govuk-table__cell">2 November 2026</,
    );
    const suspensions = /<table class="govuk-table" id="suspensions">([\s\S]*?)<\/table>/.exec(
      page.body,
    )![1]!;
    assert.match(suspensions, /Ended on 2 November 2026, when the registration ended/);
    assert.doesNotMatch(suspensions, /30 November 2026/);
    assert.match(page.body, /Resigned on 2 November 2026: its registers and any suspension ended that day/);

    const search = await client.get(`/regulator/registrations?urn=${ref}`);
    assert.match(
      search.body,
      /Resigned<br><span class="govuk-hint govuk-!-margin-0">Ended on 2 November 2026, with its registers/,
    );
  });

  test('the caseworker’s pages say codes in words and times in London time', async () => {
    const { db } = server.handle;
    await runExtracts(db, { extractDate: TODAY, laCodes: ['825'] });
    for (const outcome of [
      'Success',
      'refused:unknown-api-key',
      'LocalAuthorityAccessInvalid',
      'refused:http-415',
    ]) {
      await recordAudit(db, {
        requestId: `r-${outcome}`,
        channel: outcome === 'refused:unknown-api-key' ? 'fid-json' : 'soap',
        operation: 'GetLocalAuthorityChildcareRegister',
        username: 'agent-1',
        laCode: '825',
        outcome,
        bytes: 100,
        durationMs: 3,
        clientAddress: '192.0.2.1',
      });
    }
    const client = await signedIn();
    const ref = active[4]!.referenceNumber;
    const csrf = csrfTokenIn((await client.get(`/regulator/registrations/${ref}/status`)).body);
    const check = await client.post(`/regulator/registrations/${ref}/status`, {
      _csrf: csrf,
      version: '1',
      kind: 'suspend',
      grounds: 'Risk of harm',
      'endDate-day': '20',
      'endDate-month': '11',
      'endDate-year': '2026',
      reason: 'Investigation',
    });
    assert.equal(check.status, 200);
    assertPlainWords(check.body, 'the check page');
    for (const path of [
      '/regulator/registrations',
      '/regulator/registrations?status=SUSP',
      `/regulator/registrations/${ref}`,
      `/regulator/registrations/${active[3]!.referenceNumber}`,
      `/regulator/registrations/${ref}/status`,
      `/regulator/registrations/${ref}/status?kind=suspend`,
      `/regulator/registrations/${ref}/status?kind=cancel`,
      `/regulator/registrations/${ref}/status?correct=1`,
      '/regulator/extracts',
      `/regulator/extracts/${TODAY}/825`,
      '/regulator/gateway/audit',
    ]) {
      const page = await client.get(path);
      assert.equal(page.status, 200, path);
      assertPlainWords(page.body, path);
    }
    const audit = await client.get('/regulator/gateway/audit');
    assert.match(audit.body, /Refused: the API key is not one edgate issued/);
    assert.match(audit.body, /Refused: not authorised for this local authority/);
    assert.match(audit.body, /(\d(:\d\d)?[ap]m|midday|midnight) on \d+ [A-Z][a-z]+ 20\d\d/);
    const extract = await client.get(`/regulator/extracts/${TODAY}/825`);
    assert.match(extract.body, /Built at/);
  });
});

/**
 * Sources on the web: an officer adds a SOAP source with its signing certificate (PEM files) and
 * an FID source with its API key, changes one through a check-your-answers page, disables one;
 * secrets are sealed and never shown back, the CLI's rules refuse what they refuse, and every
 * change is in the LA's source audit with who and when, shown on the collection page.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { makeTestCertificate, type TestCertificate } from '../src/regulator/gateway/test-signing.ts';
import { multipartForm } from './support/multipart.ts';
import { signIn, startLaApp, type LaTestApp, type Session } from './support/la-directory.ts';

const ENDPOINT = 'https://gateway.example/ISPPGateway/ISPPGatewayServices.svc';

describe('LA sources on the web', () => {
  let la: LaTestApp;
  let officer: Session;
  let certificate: TestCertificate;
  let other: TestCertificate;

  before(async () => {
    la = await startLaApp();
    officer = await signIn(la.app, 'officer-825');
    [certificate, other] = await Promise.all([
      makeTestCertificate('Bucks ISPP client'),
      makeTestCertificate('Someone else'),
    ]);
  });
  after(() => la.close());

  const postForm = async (
    url: string,
    formPage: string,
    fields: Record<string, string>,
    files: Record<string, string> = {},
  ) => {
    await officer.get(formPage);
    const form = multipartForm(
      { _csrf: officer.csrf, ...fields },
      Object.fromEntries(
        Object.entries(files).map(([name, content]) => [name, { content, filename: `${name}.pem` }]),
      ),
    );
    return officer.send('POST', url, form.payload, { 'content-type': form.type });
  };
  const source = (name: string) =>
    la.handle.db.selectFrom('la.source').selectAll().where('name', '=', name).executeTakeFirstOrThrow();

  test('a SOAP source with its certificate (PEM files): checked by the CLI’s rules, sealed, confirmed, audited', async () => {
    const soap = {
      name: 'Ofsted ISPP',
      kind: 'soap',
      endpointUrl: ENDPOINT,
      username: 'bucks',
      password: 'gateway-password-1',
      algorithm: 'rsa-sha256',
      collectTime: '06:40',
    };
    const wrongKey = await postForm('/la/sources/new', '/la/sources/new', soap, {
      certificatePem: certificate.pem,
      keyPem: other.keyPem,
    });
    assert.equal(wrongKey.statusCode, 400);
    assert.match(wrongKey.body, /The private key does not belong to the certificate/);
    const halfPem = await postForm('/la/sources/new', '/la/sources/new', soap, {
      certificatePem: certificate.pem,
    });
    assert.match(halfPem.body, /Choose both the certificate and its private key/);

    const added = await postForm('/la/sources/new', '/la/sources/new', soap, {
      certificatePem: certificate.pem,
      keyPem: certificate.keyPem,
    });
    assert.equal(added.statusCode, 303, added.body);
    const check = await officer.get(String(added.headers.location));
    assert.match(check.body, /Yes, signing with RSA-SHA256/);
    assert.doesNotMatch(check.body, /gateway-password-1|PRIVATE KEY/);
    const row = await source('Ofsted ISPP');
    assert.equal(row.enabled, false, 'not collected before it is confirmed');
    assert.equal(row.signature_algorithm, 'rsa-sha256');
    assert.doesNotMatch(row.certificate_sealed!, /PRIVATE KEY/);
    assert.equal(JSON.parse(la.secretBox.open(row.certificate_sealed!)).keyPem, certificate.keyPem);

    const confirmed = await officer.post(String(added.headers.location), { decision: 'confirm' });
    assert.equal(confirmed.statusCode, 303);
    assert.equal((await source('Ofsted ISPP')).enabled, true);
    const page = await officer.get('/la/collection');
    assert.match(page.body, /officer-825: Ofsted ISPP added/);
    assert.match(page.body, /Ofsted ISPP enabled<br><span class="govuk-body-s">Confirmed on its check page/);
  });

  test('a change is checked before it is saved: secrets kept when left empty, never shown, audited', async () => {
    const row = await source('Ofsted ISPP');
    const edit = await officer.get(`/la/sources/${row.id}/edit`);
    assert.equal(edit.statusCode, 200);
    assert.doesNotMatch(edit.body, /gateway-password-1/);
    assert.match(edit.body, /value="06:40"/);

    const refused = await postForm(`/la/sources/${row.id}/edit`, `/la/sources/${row.id}/edit`, {
      name: 'Ofsted ISPP',
      endpointUrl: 'http://gateway.example/',
      username: 'bucks',
      collectTime: '06:40',
    });
    assert.equal(refused.statusCode, 400);
    assert.match(refused.body, /must start https:\/\//, 'the CLI’s rule');

    const changed = await postForm(`/la/sources/${row.id}/edit`, `/la/sources/${row.id}/edit`, {
      name: 'Ofsted ISPP',
      endpointUrl: ENDPOINT,
      username: 'bucks',
      password: 'gateway-password-2',
      collectTime: '07:15',
      algorithm: 'rsa-sha256',
    });
    assert.equal(changed.statusCode, 303, changed.body);
    const check = await officer.get(String(changed.headers.location));
    assert.match(check.body, /Collected daily at/);
    assert.match(check.body, /06:40 → 07:15/);
    assert.match(check.body, /replaced/);
    assert.doesNotMatch(check.body, /gateway-password-2/);
    assert.equal((await source('Ofsted ISPP')).collect_time, '06:40', 'nothing saved before it is confirmed');
    const draft = await la.handle.db.selectFrom('la.source_draft').selectAll().executeTakeFirstOrThrow();
    assert.doesNotMatch(draft.changes_sealed, /gateway-password-2/, 'the draft is sealed too');

    assert.equal(
      (await (await signIn(la.app, 'officer-826')).get(String(changed.headers.location))).statusCode,
      404,
      'another LA’s officer',
    );
    await officer.post(String(changed.headers.location), { decision: 'confirm' });
    const after = await source('Ofsted ISPP');
    assert.equal(after.collect_time, '07:15');
    assert.equal(la.secretBox.open(after.password_sealed!), 'gateway-password-2');
    assert.equal(after.certificate_sealed, row.certificate_sealed, 'the certificate kept');
    assert.equal(after.updated_by, 'officer-825');
    assert.equal((await la.handle.db.selectFrom('la.source_draft').selectAll().execute()).length, 0);
    const page = await officer.get('/la/collection');
    assert.match(
      page.body,
      /Ofsted ISPP changed<br><span class="govuk-body-s">Collected daily at: 06:40 → 07:15; Password: replaced/,
    );
    assert.doesNotMatch(page.body, /gateway-password/);
  });

  test('cancelling a change changes nothing; disabling is audited', async () => {
    const row = await source('Ofsted ISPP');
    const changed = await postForm(`/la/sources/${row.id}/edit`, `/la/sources/${row.id}/edit`, {
      name: 'Ofsted ISPP (renamed)',
      endpointUrl: ENDPOINT,
      username: 'bucks',
      collectTime: '07:15',
    });
    await officer.get(String(changed.headers.location));
    await officer.post(String(changed.headers.location), { decision: 'cancel' });
    assert.equal((await source('Ofsted ISPP')).name, 'Ofsted ISPP');

    await officer.get('/la/collection');
    await officer.post(`/la/sources/${row.id}/disable`, {});
    assert.equal((await source('Ofsted ISPP')).enabled, false);
    assert.match((await officer.get('/la/collection')).body, /Ofsted ISPP disabled/);
  });

  test('an FID source with its API key; the key replaced, never shown', async () => {
    const added = await postForm('/la/sources/new', '/la/sources/new', {
      name: 'FID',
      kind: 'fid',
      endpointUrl: 'https://fid.example/api',
      fidApiKey: 'fid-api-key-1',
      fidServiceKey: 'service-1',
      collectTime: '06:50',
    });
    assert.equal(added.statusCode, 303, added.body);
    await officer.get(String(added.headers.location));
    await officer.post(String(added.headers.location), { decision: 'confirm' });
    const row = await source('FID');
    assert.equal(la.secretBox.open(row.fid_api_key_sealed!), 'fid-api-key-1');
    const changed = await postForm(`/la/sources/${row.id}/edit`, `/la/sources/${row.id}/edit`, {
      name: 'FID',
      endpointUrl: 'https://fid.example/api',
      fidApiKey: 'fid-api-key-2',
      fidServiceKey: 'service-1',
      collectTime: '06:50',
    });
    const check = await officer.get(String(changed.headers.location));
    assert.match(check.body, /API key/);
    assert.doesNotMatch(check.body, /fid-api-key/);
    await officer.post(String(changed.headers.location), { decision: 'confirm' });
    assert.equal(la.secretBox.open((await source('FID')).fid_api_key_sealed!), 'fid-api-key-2');
  });
});

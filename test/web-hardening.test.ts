/** The browser-facing defences: CSRF whatever the content type, safe redirects after sign-in, NULs, caching, cookies, request ids, metrics; no conditional reveals. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, csrfTokenIn, TEST_PASSWORD, type TestApp } from './support/test-app.ts';
import { upsertRegistrations } from '../src/regulator/register/register-store.ts';
import { generateRegister } from '../src/contracts/childcare-extract/synthetic-register.ts';
import { statusChangesOf } from '../src/regulator/register/record-status-change.ts';
import type { Registration } from '../src/contracts/childcare-extract/registration.ts';
import { createHttpServer } from '../src/platform/http/server.ts';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const NOW = new Date('2026-11-02T10:00:00Z');

describe('web hardening', () => {
  let server: TestApp;
  let register: Registration[];

  before(async () => {
    server = await startTestApp({ now: () => NOW });
    register = [...generateRegister({ scale: 'demo', seed: 4, today: '2026-11-01', laCodes: ['825'] })];
    await upsertRegistrations(server.handle.db, register);
  });
  after(() => server.close());

  const basic = {
    authorization: `Basic ${Buffer.from(`casey:${TEST_PASSWORD}`).toString('base64')}`,
    accept: 'application/json',
  };

  test('a signed-in caseworker’s browser cannot be made to change a status, whatever the content type', async () => {
    const client = server.client();
    await client.signIn('casey', TEST_PASSWORD);
    const target = register.find((r) => r.status === 'ACTV')!;
    // The step that changes the status: the confirm of the check-your-answers page.
    const formPath = `/regulator/registrations/${target.referenceNumber}/status`;
    const path = `${formPath}/confirm`;
    const form = new URLSearchParams({ kind: 'cancel', ground: 'fee-not-paid', reason: 'forged' }).toString();
    const json = JSON.stringify({ kind: 'cancel', ground: 'fee-not-paid', reason: 'forged' });
    const boundary = 'x-forged';
    const multipart =
      `--${boundary}\r\ncontent-disposition: form-data; name="kind"\r\n\r\ncancel\r\n` +
      `--${boundary}\r\ncontent-disposition: form-data; name="reason"\r\n\r\nforged\r\n--${boundary}--\r\n`;
    const attempts: [string, string | undefined, Record<string, string>][] = [
      ['mixed-case form', form, { 'content-type': 'Application/x-www-form-urlencoded' }],
      ['upper-case form', form, { 'content-type': 'APPLICATION/X-WWW-FORM-URLENCODED; charset=UTF-8' }],
      ['text/plain', form, { 'content-type': 'text/plain' }],
      ['JSON', json, { 'content-type': 'application/json' }],
      ['mixed-case JSON', json, { 'content-type': 'Application/JSON' }],
      ['multipart', multipart, { 'content-type': `multipart/form-data; boundary=${boundary}` }],
      ['no content type', undefined, {}],
      [
        'form from another site',
        form,
        { 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'cross-site' },
      ],
    ];
    for (const [name, body, headers] of attempts) {
      const answer = await client.request('POST', path, body, { accept: 'text/html', ...headers });
      assert.ok([403, 415].includes(answer.status), `${name}: ${answer.status}`);
    }
    assert.deepEqual(await statusChangesOf(server.handle.db, target.referenceNumber), [], 'nothing changed');

    // Even the right token is refused from another site (Sec-Fetch-Site, Origin): defence in depth.
    const page = await client.get(formPath);
    const csrf = csrfTokenIn(page.body);
    const withToken = { kind: 'cancel', ground: 'fee-not-paid', reason: 'forged', version: '1', _csrf: csrf };
    assert.equal((await client.post(path, withToken, { origin: 'https://evil.example' })).status, 403);
    assert.equal(
      (await client.post(path, withToken, { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' }))
        .status,
      403,
    );
    assert.equal((await client.post(path, withToken, { 'sec-fetch-site': 'same-site' })).status, 403);
    assert.deepEqual(await statusChangesOf(server.handle.db, target.referenceNumber), []);

    // The service's own form, from its own origin, still works.
    const own = await client.post(
      path,
      { ...withToken, reason: 'Fee not paid' },
      {
        origin: server.baseUrl,
        'sec-fetch-site': 'same-origin',
      },
    );
    assert.equal(own.status, 303);
    assert.equal((await statusChangesOf(server.handle.db, target.referenceNumber)).length, 1);
    // A browser that sends only Origin (no Sec-Fetch-Site) is judged by it: its own origin passes.
    const originOnly = await client.post(path, { ...withToken, reason: 'again' }, { origin: server.baseUrl });
    assert.notEqual(originOnly.status, 403);
  });

  test('sign-in goes back only to a page of this service; hostile `next` values go to the start page', async () => {
    for (const next of [
      '/\t/evil.example',
      '/\n/evil.example',
      '/\r\nSet-Cookie: planted=1',
      '//evil.example',
      '/\\evil.example',
      'https://evil.example',
      '/..//evil.example',
    ]) {
      const client = server.client();
      const form = await client.get('/login');
      const answer = await client.post('/login', {
        _csrf: csrfTokenIn(form.body),
        username: 'casey',
        password: TEST_PASSWORD,
        next,
      });
      assert.equal(answer.status, 303, JSON.stringify(next));
      assert.equal(answer.headers.location, '/', JSON.stringify(next));
    }
    // The browser's own view of the address: `/%09/evil.example` arrives decoded as a tab.
    const client = server.client();
    const form = await client.get('/login?next=/%09/evil.example');
    assert.match(form.body, /name="next" value="\/"/);
    const signedIn = await client.post('/login', {
      _csrf: csrfTokenIn(form.body),
      username: 'casey',
      password: TEST_PASSWORD,
      next: '/regulator/registrations?la=825',
    });
    assert.equal(signedIn.headers.location, '/regulator/registrations?la=825');
    const again = await client.get('/login?next=%2F%2Fevil.example');
    assert.equal(again.headers.location, '/');
  });

  test('a NUL in a search or a path is a 400 in the page’s or the API’s own format, never a 500', async () => {
    const client = server.client();
    await client.signIn('casey', TEST_PASSWORD);
    const search = await client.get('/regulator/registrations?name=%00&postcode=AB1');
    assert.equal(search.status, 400);
    assert.match(String(search.headers['content-type']), /^text\/html/, search.body);
    assert.match(search.body, /There is a problem with the request/);
    const registration = await client.get('/regulator/registrations/EY%00123');
    assert.equal(registration.status, 400);
    const api = await client.request('GET', '/api/regulator/registrations?name=a%00b', undefined, basic);
    assert.equal(api.status, 400);
    assert.equal(api.json<{ statusCode: number }>().statusCode, 400);
    const apiPath = await client.request('GET', '/api/regulator/registrations/%00', undefined, basic);
    assert.equal(apiPath.status, 400);
    // The gateway's own formats: a SOAP fault, the FID JSON error.
    const soap = await client.request('GET', '/ISPPGateway/ISPPGatewayServices.svc?xsd=%00');
    assert.equal(soap.status, 400);
    assert.match(String(soap.headers['content-type']), /^application\/soap\+xml/);
    const fid = await client.request('GET', '/fid/json?date=%00');
    assert.equal(fid.status, 400);
    assert.match(fid.body, /BadRequest/);
  });

  test('pages, admin API answers and extract downloads are never cached', async () => {
    const client = server.client();
    await client.signIn('casey', TEST_PASSWORD);
    const ref = register[0]!.referenceNumber;
    for (const answer of [
      await server.client().get('/login'),
      await client.get(`/regulator/registrations/${ref}`),
      await client.get('/regulator/registrations?la=825'),
      await client.get('/regulator/extracts/2026-11-02/825/download'),
      await client.request('GET', `/api/regulator/registrations/${ref}`, undefined, basic),
      await client.request('GET', '/api/regulator/registrations', undefined, { accept: 'application/json' }),
    ]) {
      assert.equal(
        answer.headers['cache-control'],
        'no-store',
        `${answer.status} ${answer.body.slice(0, 200)}`,
      );
    }
    assert.notEqual(
      (await client.get('/assets/govuk/govuk-frontend.min.css')).headers['cache-control'],
      'no-store',
    );
  });

  test('the __Host- cookies are cleared with Secure, so a browser accepts the clearing', async () => {
    const client = server.client();
    const form = await client.get('/login');
    const signIn = await client.post('/login', {
      _csrf: csrfTokenIn(form.body),
      username: 'casey',
      password: TEST_PASSWORD,
      next: '/',
    });
    const clearCsrf = [signIn.headers['set-cookie'] ?? []]
      .flat()
      .find((c) => c.startsWith('__Host-edgate-csrf='));
    assert.ok(clearCsrf);
    assert.match(clearCsrf, /; Secure/i);
    assert.match(clearCsrf, /; Path=\//i);
    const confirm = await client.get('/logout-confirm');
    const logout = await client.post('/logout', { _csrf: csrfTokenIn(confirm.body) });
    const clearSession = [logout.headers['set-cookie'] ?? []]
      .flat()
      .find((c) => c.startsWith('__Host-edgate-session='));
    assert.ok(clearSession);
    assert.match(clearSession, /; Secure/i);
    assert.match(clearSession, /; Path=\//i);
  });

  test('a client’s X-Request-Id is kept only when short and plain', async () => {
    const client = server.client();
    const plain = await client.request('GET', '/healthz', undefined, { 'x-request-id': 'mis-42.retry_1' });
    assert.equal(plain.headers['x-request-id'], 'mis-42.retry_1');
    for (const hostile of ['x'.repeat(65), 'a b', 'evil"\\', 'é', '<script>']) {
      const answer = await client.request('GET', '/healthz', undefined, { 'x-request-id': hostile });
      assert.match(String(answer.headers['x-request-id']), /^[0-9a-f-]{36}$/, hostile);
    }
  });

  test('metrics are served only with the configured token', async () => {
    assert.equal(
      (await server.client().request('GET', '/metrics')).status,
      404,
      'no token configured: no metrics',
    );
    const token = 'a'.repeat(40);
    const app = await createHttpServer({ db: server.handle.db, logLevel: 'silent', metricsToken: token });
    try {
      assert.equal((await app.inject({ method: 'GET', url: '/metrics' })).statusCode, 401);
      const wrong = await app.inject({
        method: 'GET',
        url: '/metrics',
        headers: { authorization: 'Bearer nope' },
      });
      assert.equal(wrong.statusCode, 401);
      const right = await app.inject({
        method: 'GET',
        url: '/metrics',
        headers: { authorization: `Bearer ${token}` },
      });
      assert.equal(right.statusCode, 200);
      assert.match(right.body, /edgate_http_request_duration_seconds/);
    } finally {
      await app.close();
    }
  });
});

/**
 * GOV.UK Frontend's conditional reveal sets aria-expanded on a radio or checkbox, which ARIA does
 * not allow (axe's aria-allowed-attr): the pages ask one question a page instead (decision 0033).
 */
describe('no page reveals a question inside a radio or checkbox', () => {
  test('no template or view model asks for a conditional reveal', () => {
    const src = path.resolve(import.meta.dirname, '../src');
    const reveals = readdirSync(src, { recursive: true, encoding: 'utf8' })
      .filter((file) => /\.(njk|ts)$/.test(file))
      .flatMap((file) =>
        readFileSync(path.join(src, file), 'utf8')
          .split('\n')
          .flatMap((line, i) =>
            /\bconditional\s*:|govuk-(radios|checkboxes)__conditional|data-aria-controls/.test(line)
              ? [`src/${file}:${i + 1}: ${line.trim()}`]
              : [],
          ),
      );
    assert.deepEqual(reveals, []);
  });
});

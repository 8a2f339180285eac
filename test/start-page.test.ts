/**
 * What a first-time user meets: the public start page, one log line per request in the chosen
 * format with no secret in it, and an OpenAPI document of APIs only (issue 17 items 2 and 4).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { createAccount } from '../src/platform/auth/accounts.ts';
import { ACCOUNT_ROLES } from '../src/edgate.ts';
import { startTestApp, TEST_PASSWORD, type TestApp } from './support/test-app.ts';

/** Every line written to the stream so far. */
function captured(): { stream: PassThrough; lines(): string[] } {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return { stream, lines: () => text.split('\n').filter((line) => line !== '') };
}

let app: TestApp;
const log = captured();

before(async () => {
  app = await startTestApp({
    log: { format: 'pretty', stream: log.stream },
    demoCredentialsFile: `${process.cwd()}/data/demo-accounts.txt`,
  });
  await createAccount(
    app.handle.db,
    {
      username: 'everyone',
      displayName: 'Every Role',
      password: TEST_PASSWORD,
      roles: ['admin', 'caseworker', 'la-officer', 'school-user', 'dfe-analyst'],
      laCode: '825',
    },
    ACCOUNT_ROLES,
  );
});
after(() => app.close());

describe('the log', () => {
  test('a request is logged once, as one short line a person reads, without its secrets', async () => {
    const before = log.lines().length;
    const answer = await app.call('GET', '/login?next=%2Fla%2Freview&token=s3cr3t-value', {
      accept: 'text/html',
      authorization: 'Bearer s3cr3t-header',
    });
    assert.equal(answer.status, 200);
    const lines = log.lines().slice(before);
    assert.equal(lines.length, 1, lines.join('\n'));
    assert.match(
      lines[0]!,
      /^\d\d:\d\d:\d\d INFO {2}GET \/login\?next=%2Fla%2Freview&token=\[hidden\] 200 [\d.]+ ms$/,
    );
    assert.doesNotMatch(lines[0]!, /s3cr3t/);
  });

  test('in production format, the one line is JSON with the method, address, status and time', async () => {
    const json = captured();
    const other = await startTestApp({ roles: ['dfe'], log: { format: 'json', stream: json.stream } });
    try {
      await other.call('GET', '/codes/ncyeargroup?apikey=s3cr3t', { authorization: 'Basic czNjcjN0' });
      const lines = json.lines();
      assert.equal(lines.length, 1, lines.join('\n'));
      const entry = JSON.parse(lines[0]!) as Record<string, unknown>;
      assert.equal(entry.method, 'GET');
      assert.equal(entry.url, '/codes/ncyeargroup?apikey=[hidden]');
      assert.equal(typeof entry.status, 'number');
      assert.equal(typeof entry.ms, 'number');
      assert.doesNotMatch(lines[0]!, /s3cr3t|czNjcjN0/);

      // Only the roles served: a DfE-only instance's start page names no regulator page.
      const start = await other.call('GET', '/', { accept: 'text/html' });
      assert.equal(start.status, 200);
      assert.match(start.text, /href="\/dfe\/attendance"/);
      assert.doesNotMatch(start.text, /Childcare register<|\?wsdl/);
    } finally {
      await other.close();
    }
  });
});

describe('the OpenAPI document', () => {
  test('lists the APIs and no page', async () => {
    const client = app.client();
    await client.signIn('everyone', TEST_PASSWORD);
    const doc = (await app.call('GET', '/docs/json')).json<{
      paths: Record<string, Record<string, unknown>>;
    }>();
    const paths = Object.keys(doc.paths);
    for (const api of [
      '/attendances',
      '/statistics/national',
      '/fid/json',
      '/la/{code}/oruk/services',
      '/oauth2/token',
    ])
      assert.ok(paths.includes(api), `${api} is documented`);
    const pages: string[] = [];
    for (const [path, operations] of Object.entries(doc.paths)) {
      if (!('get' in operations)) continue;
      const address = path.replace('{code}', '825').replace(/\{[^}]+\}/g, '1');
      const answer = await client.get(address, { accept: '*/*' });
      if (String(answer.headers['content-type']).startsWith('text/html')) pages.push(path);
    }
    assert.deepEqual(pages, []);
  });
});

describe('the start page', () => {
  test('says what edgate is, draws the two feeds with a text alternative, and links every role and document', async () => {
    const page = await app.call('GET', '/', { accept: 'text/html' });
    assert.equal(page.status, 200);
    assert.equal(page.text.match(/<h1[\s>]/g)?.length, 1);
    assert.match(page.text, /<main[^>]*id="main-content"/);
    assert.match(page.text, /<svg[^>]*role="img"[^>]*aria-labelledby="feeds-title feeds-desc"/);
    assert.match(
      page.text,
      /<desc id="feeds-desc">[^<]*SOAP gateway or the FID service[^<]*OAuth 2.0 and HTTPS/,
    );
    for (const href of [
      '/docs',
      '/ISPPGateway/ISPPGatewayServices.svc?wsdl',
      '/schemas/childcare-register-extract.xsd',
      '/la/825/oruk/',
      '/regulator/registrations',
      '/la/review',
      '/school/attendance-api',
      '/dfe/attendance',
    ])
      assert.ok(page.text.includes(`href="${href}"`), `links ${href}`);
  });

  test('on a local demo instance, names the demo sign-ins and says where their passwords are, never showing one', async () => {
    const page = await app.call('GET', '/', { accept: 'text/html' });
    for (const username of ['caseworker', 'la-officer-825', 'school-admin', 'teacher', 'analyst'])
      assert.ok(page.text.includes(`<code>${username}</code>`), username);
    assert.match(page.text, /printed in the terminal/);
    assert.match(page.text, /data\/demo-accounts\.txt/);
    assert.doesNotMatch(page.text, /password[^s]*<code>/i);
  });

  test('a signed-in account still finds its own pages there', async () => {
    const client = app.client();
    await client.signIn('casey', TEST_PASSWORD);
    const page = await client.get('/');
    assert.equal(page.status, 200);
    assert.match(page.text, /Your pages/);
    assert.match(page.text, /Signed in as casey/);
  });
});

/**
 * Two DfE instances on one database, as two processes behind a load balancer would run: a token
 * issued by one is accepted by the other (the signing keys live in the database), submissions
 * through either land in the same picture, and both report the same statistics. On PostgreSQL
 * each instance has its own pool; on PGlite they share the one embedded database.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { createHttpServer } from '../src/platform/http/server.ts';
import { loadTls, type TlsMaterial } from '../src/platform/http/tls.ts';
import { SecretBox } from '../src/platform/auth/secret-box.ts';
import { openDatabase, type DatabaseHandle } from '../src/platform/db/database.ts';
import { dfeRole } from '../src/dfe/dfe-role.ts';
import { createClient, disableClient } from '../src/dfe/oauth/clients.ts';
import { upsertSchools } from '../src/dfe/schools/school-store.ts';
import { syntheticSubmission } from '../src/dfe/collection/synthetic-submission.ts';
import { openTestDatabase, type TestDatabase } from './support/test-database.ts';
import { TEST_ROLE_CONFIG, roleContextOf } from './support/test-server.ts';
import { apiCall, clientCredentialsToken } from './support/api-client.ts';

let database: TestDatabase;
let secondHandle: DatabaseHandle | undefined;
let tls: TlsMaterial;
let dir: string;
const apps: FastifyInstance[] = [];
const urls: string[] = [];
const clock = () => new Date('2026-11-20T10:00:00Z');

const call = (base: string, method: string, target: string, headers: Record<string, string>, body?: string) =>
  apiCall(base, tls.cert, method, target, headers, body);
const token = (base: string, clientId: string, clientSecret: string, scope: string) =>
  clientCredentialsToken(base, tls.cert, { clientId, clientSecret }, scope);

before(async () => {
  database = await openTestDatabase();
  dir = mkdtempSync(path.join(tmpdir(), 'edgate-dfe-two-'));
  tls = await loadTls({ dataDir: dir });
  secondHandle = database.url ? await openDatabase({ databaseUrl: database.url, poolSize: 3 }) : undefined;
  // Every instance has the same secret key (it opens the sealed signing keys), as in production.
  const secretBox = new SecretBox(randomBytes(32));
  for (const handle of [database, secondHandle ?? database]) {
    const app = await createHttpServer({ db: handle.db, tls, logLevel: 'silent' });
    await dfeRole(app, {
      handle,
      // One issuer for both, as behind one public address.
      ...roleContextOf({ ...TEST_ROLE_CONFIG, publicUrl: 'https://attendance.example' }),
      secretBox,
      now: clock,
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    urls.push(`https://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`);
    apps.push(app);
  }
  await upsertSchools(
    database.db,
    [300001, 300002, 300003].map((urn, i) => ({
      urn,
      name: `Synthetic School ${i + 1}`,
      laCode: i === 2 ? '826' : '825',
      typeOfEstablishment: 'Community school',
      phaseOfEducation: 'Primary',
      status: 'Open',
      street: null,
      town: 'Exampleton',
      postcode: null,
    })),
  );
});

after(async () => {
  for (const app of apps) await app.close();
  await secondHandle?.close();
  await database.close();
  rmSync(dir, { recursive: true, force: true });
});

test('a token from one instance is accepted by the other, and both report the same statistics', async () => {
  const [first, second] = urls;
  assert.ok(first && second);
  const supplier = await createClient(database.db, {
    name: 'Synthetic MIS',
    scopes: ['attendance.submit'],
    requiresConsent: false,
  });
  const analyst = await createClient(database.db, { name: 'Analyst', scopes: ['attendance.read'] });
  // Issued by the first; every submission goes to the second.
  const submitToken = await token(first, supplier.clientId, supplier.clientSecret, 'attendance.submit');
  for (const [i, urn] of [300001, 300002, 300003].entries()) {
    const body = syntheticSubmission({
      urn,
      dates: ['2026-11-19', '2026-11-20'],
      yearGroups: ['1', '2'],
      pupilsPerYearGroup: 30,
      seed: i,
    });
    const answer = await call(
      second,
      'POST',
      '/attendances',
      { authorization: `Bearer ${submitToken}`, 'content-type': 'application/json' },
      JSON.stringify(body),
    );
    assert.equal(answer.status, 201, answer.text);
  }
  // And the other way round for reading.
  const readToken = await token(second, analyst.clientId, analyst.clientSecret, 'attendance.read');
  const figures = await Promise.all(
    [first, second].map(async (base) => {
      const answer = await call(base, 'GET', '/statistics/national?from=2026-11-19&to=2026-11-20', {
        authorization: `Bearer ${readToken}`,
      });
      assert.equal(answer.status, 200, answer.text);
      return JSON.parse(answer.text) as { days: { date: string }[] };
    }),
  );
  assert.equal(figures[0]?.days.length, 2);
  assert.deepEqual(figures[0], figures[1]);
});

test('a client disabled on one instance is refused at once by both, whatever either has cached', async () => {
  const [first, second] = urls;
  assert.ok(first && second);
  const supplier = await createClient(database.db, {
    name: 'MIS to disable',
    scopes: ['attendance.submit'],
    requiresConsent: false,
  });
  const submitToken = await token(first, supplier.clientId, supplier.clientSecret, 'attendance.submit');
  const body = (seed: number) =>
    JSON.stringify(
      syntheticSubmission({
        urn: 300001,
        dates: ['2026-11-20'],
        yearGroups: ['1'],
        pupilsPerYearGroup: 30,
        seed,
      }),
    );
  const submit = (base: string, seed: number, headers: Record<string, string> = {}) =>
    call(
      base,
      'POST',
      '/attendances',
      { authorization: `Bearer ${submitToken}`, 'content-type': 'application/json', ...headers },
      body(seed),
    );
  // Both instances have verified the token (and keep that), and one answer can be replayed.
  const accepted = await submit(first, 1, { 'idempotency-key': 'send-1' });
  assert.equal(accepted.status, 201, accepted.text);
  assert.equal((await submit(second, 2)).status, 201);
  const ref = accepted.json<{ submissionRef: string }>().submissionRef;

  // What `edgate dfe client disable` does, against the shared database.
  assert.equal(await disableClient(database.db, supplier.clientId, clock()), true);

  for (const base of [first, second]) {
    const refused = await submit(base, 3);
    assert.equal(refused.status, 401, refused.text);
    assert.match(String(refused.headers['www-authenticate']), /invalid_token/);
    assert.equal((await submit(base, 1, { 'idempotency-key': 'send-1' })).status, 401, 'no replay');
    assert.equal(
      (
        await call(
          base,
          'POST',
          '/attendances',
          { authorization: `Bearer ${submitToken}`, 'content-type': 'application/json' },
          '{',
        )
      ).status,
      401,
      'no envelope answer',
    );
    const read = await call(base, 'GET', `/submissions/${ref}`, { authorization: `Bearer ${submitToken}` });
    assert.equal(read.status, 401, read.text);
  }
  const stored = await sql<{ n: number }>`
    select count(*)::integer as n from dfe.submission where client_id = ${supplier.clientId}`.execute(
    database.db,
  );
  assert.equal(stored.rows[0]?.n, 2, 'nothing stored after the disable');
});

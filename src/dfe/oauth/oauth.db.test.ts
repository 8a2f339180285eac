import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { decodeProtectedHeader } from 'jose';
import { openTestDatabase, type TestDatabase } from '../../../test/support/test-database.ts';
import { createClient } from './clients.ts';
import { randomBytes } from 'node:crypto';
import { SecretBox } from '../../platform/auth/secret-box.ts';
import { SigningKeys } from './signing-keys.ts';
import { accessClaims, oauthRoutes, requireScope } from './token-routes.ts';

const ISSUER = 'https://edgate.test';
const AUDIENCE = 'https://edgate.test/attendance';
const LIFETIME = 600;
const BOX = new SecretBox(randomBytes(32));

let clock = new Date('2025-03-03T09:00:00Z');
const now = () => clock;
const advance = (seconds: number) => {
  clock = new Date(clock.getTime() + seconds * 1000);
};

let handle: TestDatabase;
let appA: FastifyInstance;
let appB: FastifyInstance;
let client: { clientId: string; clientSecret: string };
let laClient: { clientId: string; clientSecret: string };

/** One instance: its own key cache, the token routes and a protected route. */
async function instance(): Promise<FastifyInstance> {
  const app = Fastify();
  const keys = new SigningKeys(handle.db, { lifetimeSeconds: LIFETIME, box: BOX });
  await app.register(oauthRoutes, {
    db: handle.db,
    issuer: ISSUER,
    audience: AUDIENCE,
    lifetimeSeconds: LIFETIME,
    now,
    keys,
  });
  const check = { db: handle.db, keys, issuer: ISSUER, audience: AUDIENCE, now };
  app.get(
    '/whoami',
    { preHandler: requireScope(check, 'attendance.read', 'attendance.read.la') },
    async (request) => ({
      claims: accessClaims(request),
    }),
  );
  app.post('/attendances', { preHandler: requireScope(check, 'attendance.submit') }, async () => ({
    ok: true,
  }));
  await app.ready();
  return app;
}

const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

function tokenRequest(app: FastifyInstance, form: Record<string, string>, authorization?: string) {
  return app.inject({
    method: 'POST',
    url: '/oauth2/token',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      ...(authorization ? { authorization } : {}),
    },
    payload: new URLSearchParams(form).toString(),
  });
}

async function token(app: FastifyInstance, scope?: string): Promise<string> {
  const response = await tokenRequest(
    app,
    { grant_type: 'client_credentials', ...(scope ? { scope } : {}) },
    basic(client.clientId, client.clientSecret),
  );
  assert.equal(response.statusCode, 200, response.body);
  return (response.json() as { access_token: string }).access_token;
}

const whoami = (app: FastifyInstance, accessToken: string) =>
  app.inject({ method: 'GET', url: '/whoami', headers: { authorization: `Bearer ${accessToken}` } });

describe('OAuth client credentials', () => {
  before(async () => {
    handle = await openTestDatabase();
    client = await createClient(handle.db, {
      name: 'MIS vendor',
      scopes: ['attendance.submit', 'attendance.read'],
    });
    laClient = await createClient(handle.db, {
      name: 'LA 202',
      scopes: ['attendance.read.la'],
      laCode: '202',
    });
    appA = await instance();
    appB = await instance();
  });
  after(async () => {
    await appA.close();
    await appB.close();
    await handle.close();
  });

  it('issues a token to Basic credentials, with no-store headers', async () => {
    const response = await tokenRequest(
      appA,
      { grant_type: 'client_credentials' },
      basic(client.clientId, client.clientSecret),
    );
    assert.equal(response.statusCode, 200, response.body);
    assert.equal(response.headers['cache-control'], 'no-store');
    assert.equal(response.headers.pragma, 'no-cache');
    const body = response.json() as Record<string, unknown>;
    assert.equal(body.token_type, 'Bearer');
    assert.equal(body.expires_in, LIFETIME);
    assert.equal(body.scope, 'attendance.submit attendance.read');
  });

  it('issues a token to body credentials with a narrower scope, which verifies', async () => {
    const response = await tokenRequest(appA, {
      grant_type: 'client_credentials',
      client_id: client.clientId,
      client_secret: client.clientSecret,
      scope: 'attendance.read',
    });
    assert.equal(response.statusCode, 200, response.body);
    const { access_token: accessToken, scope } = response.json() as { access_token: string; scope: string };
    assert.equal(scope, 'attendance.read');
    const header = decodeProtectedHeader(accessToken);
    assert.equal(header.alg, 'ES256');
    assert.equal(typeof header.kid, 'string');
    const me = await whoami(appA, accessToken);
    assert.equal(me.statusCode, 200, me.body);
    const claims = (me.json() as { claims: Record<string, unknown> }).claims;
    assert.equal(claims.sub, client.clientId);
    assert.equal(claims.scope, 'attendance.read');
    assert.equal(claims.iss, ISSUER);
    // Lacking attendance.submit: 403 insufficient_scope.
    const submit = await appA.inject({
      method: 'POST',
      url: '/attendances',
      headers: { authorization: `Bearer ${accessToken}` },
    });
    assert.equal(submit.statusCode, 403);
    assert.match(String(submit.headers['www-authenticate']), /insufficient_scope/);
  });

  it('refuses a wrong secret: 401 invalid_client with WWW-Authenticate', async () => {
    const response = await tokenRequest(
      appA,
      { grant_type: 'client_credentials' },
      basic(client.clientId, 'wrong'),
    );
    assert.equal(response.statusCode, 401);
    assert.equal(response.headers['www-authenticate'], 'Basic realm="edgate"');
    assert.equal((response.json() as { error: string }).error, 'invalid_client');
    const unknown = await tokenRequest(appA, {
      grant_type: 'client_credentials',
      client_id: 'nobody',
      client_secret: 'x',
    });
    assert.equal(unknown.statusCode, 401);
  });

  it('answers unsupported_grant_type and invalid_scope with 400', async () => {
    const grantType = await tokenRequest(
      appA,
      { grant_type: 'password' },
      basic(client.clientId, client.clientSecret),
    );
    assert.equal(grantType.statusCode, 400);
    assert.equal((grantType.json() as { error: string }).error, 'unsupported_grant_type');
    const scope = await tokenRequest(
      appA,
      { grant_type: 'client_credentials', scope: 'attendance.read.la' },
      basic(client.clientId, client.clientSecret),
    );
    assert.equal(scope.statusCode, 400);
    assert.equal((scope.json() as { error: string }).error, 'invalid_scope');
  });

  it('puts the LA in an LA-scoped token', async () => {
    const response = await tokenRequest(
      appA,
      { grant_type: 'client_credentials' },
      basic(laClient.clientId, laClient.clientSecret),
    );
    assert.equal(response.statusCode, 200, response.body);
    const me = await whoami(appB, (response.json() as { access_token: string }).access_token);
    assert.equal((me.json() as { claims: { la?: string } }).claims.la, '202');
  });

  it('publishes the key, verifies on a second instance, survives rotation', async () => {
    const oldToken = await token(appA);
    const oldKid = decodeProtectedHeader(oldToken).kid;
    const jwks = (await appB.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json() as {
      keys: { kid: string; d?: string }[];
    };
    assert.deepEqual(
      jwks.keys.map((k) => k.kid),
      [oldKid],
    );
    assert.equal(jwks.keys[0]?.d, undefined, 'no private part published');
    assert.equal((await whoami(appB, oldToken)).statusCode, 200);

    // Rotated elsewhere (CLI or another instance); instance B still holds the old key set in its cache.
    const rotated = await new SigningKeys(handle.db, { lifetimeSeconds: LIFETIME, box: BOX }).rotate(now());
    assert.notEqual(rotated.kid, oldKid);
    advance(31); // past A's 30 s cache, so A signs with the new key; B learns the new kid on a cache miss
    const newToken = await token(appA);
    assert.equal(decodeProtectedHeader(newToken).kid, rotated.kid);
    assert.equal((await whoami(appB, newToken)).statusCode, 200);
    assert.equal((await whoami(appB, oldToken)).statusCode, 200, 'old tokens verify after rotation');
    const published = (await appA.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json() as {
      keys: { kid: string }[];
    };
    assert.deepEqual(published.keys.map((k) => k.kid).sort(), [oldKid, rotated.kid].sort());

    // Once every old token has expired, the old key leaves the JWKS.
    advance(LIFETIME + 60);
    const later = (await appA.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json() as {
      keys: { kid: string }[];
    };
    assert.deepEqual(
      later.keys.map((k) => k.kid),
      [rotated.kid],
    );
  });

  it('refuses an expired token, a tampered one and none at all', async () => {
    const accessToken = await token(appA);
    assert.equal((await whoami(appA, accessToken)).statusCode, 200);
    const tampered = accessToken.slice(0, -4) + (accessToken.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    const bad = await whoami(appA, tampered);
    assert.equal(bad.statusCode, 401);
    assert.equal(bad.headers['www-authenticate'], 'Bearer realm="edgate", error="invalid_token"');
    advance(LIFETIME + 1);
    const expired = await whoami(appB, accessToken);
    assert.equal(expired.statusCode, 401);
    assert.match(String(expired.headers['www-authenticate']), /invalid_token/);
    const none = await appA.inject({ method: 'GET', url: '/whoami' });
    assert.equal(none.statusCode, 401);
    assert.equal(none.headers['www-authenticate'], 'Bearer realm="edgate"');
  });

  it('creates only one first key when instances race', async () => {
    const fresh = await openTestDatabase();
    try {
      const results = await Promise.all(
        [1, 2, 3].map(() =>
          new SigningKeys(fresh.db, { lifetimeSeconds: LIFETIME, box: BOX }).current(now()),
        ),
      );
      assert.equal(new Set(results.map((r) => r.kid)).size, 1);
    } finally {
      await fresh.close();
    }
  });
});

/**
 * Migrations 0007 and 0008 over data written before them: two suppliers holding one school's
 * consent, and a private signing key kept in the clear. Always on PGlite: each test needs a database
 * part-way through its migrations.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { SignJWT, calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose';
import { openDatabase, type DatabaseHandle } from '../platform/db/database.ts';
import { migrateToLatest } from '../platform/db/migrations.ts';
import { migrateEdgate, schemaMigrations } from '../edgate.ts';
import { SecretBox } from '../platform/auth/secret-box.ts';
import { SigningKeys, ACCESS_TOKEN_TYP, ALG } from './oauth/signing-keys.ts';

const NEW = ['0007_one_current_supplier', '0008_oauth_cut_off_and_sealed_keys'];

/** A database migrated up to just before this work's migrations (and the DfE's later ones). */
async function databaseBefore(): Promise<DatabaseHandle> {
  const handle = await openDatabase({});
  const later = (schema: string, name: string) => NEW.includes(name) || (schema === 'dfe' && name > NEW[1]!);
  await migrateToLatest(
    handle.db,
    schemaMigrations().map((set) => ({
      schema: set.schema,
      migrations: Object.fromEntries(
        Object.entries(set.migrations).filter(([name]) => !later(set.schema, name)),
      ),
    })),
  );
  return handle;
}

/** A client as it was stored then (createClient now writes the later migrations' audit too). */
async function clientBefore(db: DatabaseHandle['db'], name: string): Promise<{ clientId: string }> {
  const clientId = randomBytes(16).toString('base64url');
  await sql`insert into dfe.oauth_client (id, name, secret_hash, scopes)
    values (${clientId}, ${name}, 'not a hash', ${['attendance.submit']})`.execute(db);
  return { clientId };
}

test('where two suppliers held one school, the first keeps it and the later one waits as a change of supplier', async () => {
  const handle = await databaseBefore();
  try {
    const first = await clientBefore(handle.db, 'First MIS');
    const later = await clientBefore(handle.db, 'Later MIS');
    await sql`
      insert into dfe.consent (client_id, urn, given_by, given_at, recorded_at, recorded_by) values
        (${later.clientId}, 500001, 'B', '2026-11-02T09:00:00Z', '2026-11-02T09:00:00Z', 'supplier'),
        (${first.clientId}, 500001, 'A', '2026-11-01T09:00:00Z', '2026-11-01T09:00:00Z', 'supplier'),
        (${later.clientId}, 500002, 'C', '2026-11-03T09:00:00Z', '2026-11-03T09:00:00Z', 'supplier')
    `.execute(handle.db);
    await migrateEdgate(handle.db);

    const active = await sql<{ urn: number; client_id: string }>`
      select urn, client_id from dfe.consent where withdrawn_at is null order by urn`.execute(handle.db);
    assert.deepEqual(active.rows, [
      { urn: 500001, client_id: first.clientId },
      { urn: 500002, client_id: later.clientId },
    ]);
    const changes = await sql<{ urn: number; client_id: string; holder_client_id: string; given_by: string }>`
      select urn, client_id, holder_client_id, given_by from dfe.supplier_change where status = 'pending'`.execute(
      handle.db,
    );
    assert.deepEqual(changes.rows, [
      { urn: 500001, client_id: later.clientId, holder_client_id: first.clientId, given_by: 'B' },
    ]);
    const events = await sql<{ client_id: string; event: string }>`
      select client_id, event from dfe.consent_event`.execute(handle.db);
    assert.deepEqual(events.rows, [{ client_id: later.clientId, event: 'withdrawn' }]);
  } finally {
    await handle.close();
  }
});

test('a private signing key kept in the clear is retired and dropped; its tokens still verify, and new ones are signed by a sealed key', async () => {
  const handle = await databaseBefore();
  try {
    const now = new Date();
    const { privateKey, publicKey } = await generateKeyPair(ALG, { extractable: true });
    const publicJwk = await exportJWK(publicKey);
    const kid = await calculateJwkThumbprint(publicJwk);
    await sql`
      insert into dfe.signing_key (kid, private_jwk, public_jwk, created_at, activated_at)
      values (${kid}, ${JSON.stringify({ ...(await exportJWK(privateKey)), kid, alg: ALG })}::jsonb,
        ${JSON.stringify({ ...publicJwk, kid, alg: ALG, use: 'sig' })}::jsonb, ${now}, ${now})
    `.execute(handle.db);
    const client = await clientBefore(handle.db, 'MIS');
    const iat = Math.floor(now.getTime() / 1000);
    const before = await new SignJWT({
      sub: client.clientId,
      client_id: client.clientId,
      scope: 'attendance.submit',
    })
      .setProtectedHeader({ alg: ALG, kid, typ: ACCESS_TOKEN_TYP })
      .setIssuer('https://edgate.test')
      .setAudience('edgate-attendance')
      .setIssuedAt(iat)
      .setExpirationTime(iat + 600)
      .sign(privateKey);

    await migrateEdgate(handle.db);

    const columns = await sql<{ column_name: string }>`
      select column_name from information_schema.columns
      where table_schema = 'dfe' and table_name = 'signing_key' and column_name like 'private%'`.execute(
      handle.db,
    );
    assert.deepEqual(columns.rows, [{ column_name: 'private_jwk_sealed' }]);
    const box = new SecretBox(randomBytes(32));
    const keys = new SigningKeys(handle.db, { lifetimeSeconds: 600, box });
    const options = { issuer: 'https://edgate.test', audience: 'edgate-attendance', now: new Date() };
    assert.equal(
      (await keys.verify(before, options)).client_id,
      client.clientId,
      'issued tokens keep working',
    );
    const { kid: newKid } = await keys.current(new Date());
    assert.notEqual(newKid, kid, 'the key that sat in the clear signs nothing more');
    const sealed = await sql<{ private_jwk_sealed: string }>`
      select private_jwk_sealed from dfe.signing_key where kid = ${newKid}`.execute(handle.db);
    assert.match(sealed.rows[0]?.private_jwk_sealed ?? '', /^v1\./);
  } finally {
    await handle.close();
  }
});

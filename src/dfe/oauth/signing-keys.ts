/**
 * ES256 signing keys kept in the database, so stateless instances sign and verify with the
 * same keys. Rotation without downtime: a new key can be published before it signs
 * (`activateAt`), and a retired key stays published (and verifying) until every token it
 * signed has expired (`retired_at` + token lifetime).
 *
 * Each instance caches the keys briefly; an unknown `kid` always goes back to the database,
 * so a token signed with another instance's brand-new key verifies at once.
 *
 * Private keys are kept sealed with the secret key (SecretBox), so a copy of the database alone
 * cannot sign tokens. Verifying bounds a token's times as well as its signature: a lifetime over
 * the configured one, or an `iat` in the future, is refused whoever signed it.
 */
import { sql } from 'kysely';
import {
  SignJWT,
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  importJWK,
  jwtVerify,
  type CryptoKey,
  type JWK,
  type JWTPayload,
  type JWTVerifyGetKey,
} from 'jose';
import type { Database } from '../../platform/db/database.ts';
import type { SecretBox } from '../../platform/auth/secret-box.ts';
import { oauthDb } from './tables.ts';
import { recordOAuthChange } from './clients.ts';
import { accessTokenTimesProblem } from './token-rules.ts';

export const ALG = 'ES256';
/** RFC 9068's media type for JWT access tokens: stops an ID token or other JWT being replayed as one. */
export const ACCESS_TOKEN_TYP = 'at+jwt';

const DEFAULT_CACHE_MS = 30_000;

export interface SigningKeysOptions {
  /** Access-token lifetime: how long a retired key stays published, and the longest a token may live. */
  lifetimeSeconds: number;
  /** Seals the private keys at rest. */
  box: SecretBox;
  cacheMs?: number;
}

export interface AccessClaims extends JWTPayload {
  sub: string;
  client_id: string;
  /** Space-separated, as RFC 8693/9068 have it. */
  scope: string;
  /** The LA code, on a token granted `attendance.read.la`. */
  la?: string;
  /** The client's token generation when issued (clients.ts); absent on tokens from before it. */
  gen?: number;
}

export interface VerifyOptions {
  issuer: string;
  audience: string;
  now: Date;
}

interface KeyRow {
  kid: string;
  private_jwk_sealed: string | null;
  public_jwk: JWK;
  activated_at: Date;
  retired_at: Date | null;
}

interface Loaded {
  at: number;
  rows: KeyRow[];
}

async function newKey(): Promise<{ kid: string; privateJwk: JWK; publicJwk: JWK }> {
  const { privateKey, publicKey } = await generateKeyPair(ALG, { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  const privateJwk = await exportJWK(privateKey);
  return {
    kid,
    privateJwk: { ...privateJwk, kid, alg: ALG, use: 'sig' },
    publicJwk: { ...publicJwk, kid, alg: ALG, use: 'sig' },
  };
}

function isCryptoKey(key: CryptoKey | Uint8Array): key is CryptoKey {
  return !(key instanceof Uint8Array);
}

async function importKey(jwk: JWK): Promise<CryptoKey> {
  const key = await importJWK(jwk, ALG);
  if (!isCryptoKey(key)) throw new Error('Signing key is not an EC key');
  return key;
}

/** Verified tokens kept per instance; a full cache is simply started again. */
const VERIFIED_TOKENS = 10_000;

/** One instance's view of the shared keys: create one per process (or per app). */
export class SigningKeys {
  readonly #db: Database;
  readonly #box: SecretBox;
  readonly #lifetimeMs: number;
  readonly #cacheMs: number;
  #loaded: Loaded | undefined;
  readonly #imported = new Map<string, Promise<CryptoKey>>();
  readonly #verified = new Map<string, AccessClaims & { exp: number; iat: number }>();

  constructor(db: Database, options: SigningKeysOptions) {
    this.#db = db;
    this.#box = options.box;
    this.#lifetimeMs = options.lifetimeSeconds * 1000;
    this.#cacheMs = options.cacheMs ?? DEFAULT_CACHE_MS;
  }

  async #rows(now: Date, fresh = false): Promise<KeyRow[]> {
    if (!fresh && this.#loaded && now.getTime() - this.#loaded.at < this.#cacheMs) return this.#loaded.rows;
    const rows = await oauthDb(this.#db)
      .selectFrom('dfe.signing_key')
      .select(['kid', 'private_jwk_sealed', 'public_jwk', 'activated_at', 'retired_at'])
      .orderBy('activated_at', 'desc')
      .execute();
    this.#loaded = { at: now.getTime(), rows };
    return rows;
  }

  #active(rows: KeyRow[], now: Date): KeyRow | undefined {
    return rows.find(
      (row) =>
        row.private_jwk_sealed !== null &&
        row.activated_at.getTime() <= now.getTime() &&
        (row.retired_at === null || row.retired_at.getTime() > now.getTime()),
    );
  }

  #published(row: KeyRow, now: Date): boolean {
    return row.retired_at === null || row.retired_at.getTime() + this.#lifetimeMs > now.getTime();
  }

  #cryptoKey(row: KeyRow, which: 'private' | 'public'): Promise<CryptoKey> {
    const id = `${which}:${row.kid}`;
    let key = this.#imported.get(id);
    if (!key) {
      key = importKey(which === 'private' ? this.#privateJwk(row) : row.public_jwk);
      this.#imported.set(id, key);
    }
    return key;
  }

  #privateJwk(row: KeyRow): JWK {
    if (row.private_jwk_sealed === null) throw new Error(`Signing key ${row.kid} has no private key`);
    return JSON.parse(this.#box.open(row.private_jwk_sealed)) as JWK;
  }

  /** The key to sign with now; creates the first key if there is none (race-safe). */
  async current(now: Date): Promise<{ kid: string }> {
    const cached = this.#active(await this.#rows(now), now);
    if (cached) return { kid: cached.kid };
    const fresh = this.#active(await this.#rows(now, true), now);
    if (fresh) return { kid: fresh.kid };
    const key = await newKey();
    // Another instance may win the unique index; then we simply use its key.
    await oauthDb(this.#db)
      .insertInto('dfe.signing_key')
      .values({
        kid: key.kid,
        private_jwk_sealed: this.#box.seal(JSON.stringify(key.privateJwk)),
        public_jwk: JSON.stringify(key.publicJwk),
        created_at: now,
        activated_at: now,
      })
      .onConflict((oc) => oc.doNothing())
      .execute();
    const created = this.#active(await this.#rows(now, true), now);
    if (!created) throw new Error('No active signing key after creating one');
    return { kid: created.kid };
  }

  /**
   * A new key, signing from `activateAt` (default now); the current key retires then. Publishing
   * ahead (activateAt in the future) lets verifiers that cache the JWKS pick the key up first.
   */
  async rotate(now: Date, activateAt: Date = now, by = 'edgate'): Promise<{ kid: string }> {
    const key = await newKey();
    await this.#db.transaction().execute(async (trx) => {
      await recordOAuthChange(trx, {
        action: 'rotate-signing-key',
        detail: `new key ${key.kid}, signing from ${activateAt.toISOString()}`,
        by,
      });
      const tx = oauthDb(trx);
      await tx
        .updateTable('dfe.signing_key')
        .set({ retired_at: activateAt })
        .where('retired_at', 'is', null)
        .execute();
      // A concurrent rotation that got there first leaves its key in place of ours.
      await tx
        .insertInto('dfe.signing_key')
        .values({
          kid: key.kid,
          private_jwk_sealed: this.#box.seal(JSON.stringify(key.privateJwk)),
          public_jwk: JSON.stringify(key.publicJwk),
          created_at: now,
          activated_at: activateAt,
        })
        .onConflict((oc) => oc.doNothing())
        .execute();
    });
    const rows = await this.#rows(now, true);
    const newest = rows.find((row) => row.retired_at === null);
    if (!newest) throw new Error('No signing key after rotation');
    return { kid: newest.kid };
  }

  /** Every published public key, as a JWK Set. */
  async jwks(now: Date): Promise<{ keys: JWK[] }> {
    const rows = await this.#rows(now);
    return { keys: rows.filter((row) => this.#published(row, now)).map((row) => row.public_jwk) };
  }

  async sign(claims: AccessClaims, options: VerifyOptions & { lifetimeSeconds: number }): Promise<string> {
    const { kid } = await this.current(options.now);
    const row = (await this.#rows(options.now)).find((r) => r.kid === kid);
    if (!row) throw new Error(`Signing key ${kid} vanished`);
    const iat = Math.floor(options.now.getTime() / 1000);
    return new SignJWT(claims)
      .setProtectedHeader({ alg: ALG, kid, typ: ACCESS_TOKEN_TYP })
      .setIssuer(options.issuer)
      .setAudience(options.audience)
      .setIssuedAt(iat)
      .setExpirationTime(iat + options.lifetimeSeconds)
      .setJti(crypto.randomUUID())
      .sign(await this.#cryptoKey(row, 'private'));
  }

  async #publicKeyFor(kid: string | undefined, now: Date): Promise<CryptoKey> {
    if (!kid) throw new Error('Token has no kid');
    let row = (await this.#rows(now)).find((r) => r.kid === kid);
    row ??= (await this.#rows(now, true)).find((r) => r.kid === kid);
    if (!row || !this.#published(row, now)) throw new Error('Unknown or withdrawn kid');
    return this.#cryptoKey(row, 'public');
  }

  /** Verifies signature (key chosen by kid), typ, iss, aud and exp; throws on any failure. */
  async verify(token: string, options: VerifyOptions): Promise<AccessClaims> {
    // A supplier sends the same token with every request for its lifetime: verifying the signature
    // once per instance is enough, as nothing but time can change the answer for the same bytes.
    const cacheKey = `${options.issuer} ${options.audience} ${token}`;
    const known = this.#verified.get(cacheKey);
    if (known && options.now.getTime() < known.exp * 1000 && options.now.getTime() >= known.iat * 1000)
      return known;
    const claims = await this.#verifySignature(token, options);
    if (this.#verified.size >= VERIFIED_TOKENS) this.#verified.clear();
    this.#verified.set(cacheKey, claims);
    return claims;
  }

  async #verifySignature(
    token: string,
    options: VerifyOptions,
  ): Promise<AccessClaims & { exp: number; iat: number }> {
    const getKey: JWTVerifyGetKey = (header) => this.#publicKeyFor(header.kid, options.now);
    const { payload } = await jwtVerify(token, getKey, {
      algorithms: [ALG],
      issuer: options.issuer,
      audience: options.audience,
      typ: ACCESS_TOKEN_TYP,
      currentDate: options.now,
      requiredClaims: ['exp', 'iat', 'sub'],
    });
    if (
      typeof payload.sub !== 'string' ||
      typeof payload.scope !== 'string' ||
      typeof payload.client_id !== 'string' ||
      (payload.gen !== undefined && !Number.isSafeInteger(payload.gen))
    )
      throw new Error('Token lacks sub, client_id or scope');
    // A token signed with a real key but living too long, or issued in the future, is refused.
    const problem = accessTokenTimesProblem(
      { iat: payload.iat, exp: payload.exp },
      options.now,
      this.#lifetimeMs / 1000,
    );
    if (problem) throw new Error(problem);
    return payload as AccessClaims & { exp: number; iat: number };
  }
}

/** Keys whose retirement has passed by more than the lifetime: nothing they signed is still valid. */
export async function pruneSigningKeys(db: Database, now: Date, lifetimeSeconds: number): Promise<number> {
  const result = await oauthDb(db)
    .deleteFrom('dfe.signing_key')
    .where('retired_at', '<', sql<Date>`${now}::timestamptz - make_interval(secs => ${lifetimeSeconds})`)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

export interface SigningKeyListing {
  kid: string;
  createdAt: Date;
  activatedAt: Date;
  retiredAt: Date | null;
}

/** The signing keys still kept, newest first. */
export async function listSigningKeys(db: Database): Promise<SigningKeyListing[]> {
  const rows = await oauthDb(db)
    .selectFrom('dfe.signing_key')
    .select(['kid', 'created_at', 'activated_at', 'retired_at'])
    .orderBy('activated_at', 'desc')
    .execute();
  return rows.map((r) => ({
    kid: r.kid,
    createdAt: r.created_at,
    activatedAt: r.activated_at,
    retiredAt: r.retired_at,
  }));
}

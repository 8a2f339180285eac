/**
 * Cutting a gateway client off: disabling an account, replacing its password or FID API key,
 * removing a certificate it signs with. Each change is one transaction with its audit row.
 *
 * Nothing here needs telling to the running instances: every SOAP request reads the account,
 * its sealed password and its live certificates in one query (credentialsOf), and every FID
 * request looks its API key up (accountByApiKey), both filtering out disabled accounts. The
 * parsed-certificate cache in ws-security.ts is keyed by the certificate's own bytes and only
 * consulted for a certificate that query returned, so a removed one is never used from it.
 */
import { randomBytes } from 'node:crypto';
import { sql, type Transaction } from 'kysely';
import type { Database } from '../../platform/db/database.ts';
import type { EdgateDatabase } from '../../platform/db/schema.ts';
import type { SecretBox } from '../../platform/auth/secret-box.ts';
import { GatewayAdminError, hashApiKey } from './gateway-store.ts';
import type { GatewayAccountChangeTable } from './tables.ts';

type Action = GatewayAccountChangeTable['action'];

export interface GatewayAccountListing {
  username: string;
  kind: 'la' | 'agent';
  laCode: string | null;
  organisation: string;
  requireCertificate: boolean;
  certificates: number;
  createdAt: Date;
  disabledAt: Date | null;
}

export async function listGatewayAccounts(db: Database): Promise<GatewayAccountListing[]> {
  const rows = await db
    .selectFrom('regulator.gateway_account as a')
    .select((eb) => [
      'a.username',
      'a.kind',
      'a.la_code',
      'a.organisation',
      'a.require_certificate',
      'a.created_at',
      'a.disabled_at',
      eb
        .selectFrom('regulator.gateway_certificate as c')
        .whereRef('c.account_id', '=', 'a.id')
        .select((e) => e.fn.countAll<number>().as('n'))
        .as('certificates'),
    ])
    .orderBy('a.username')
    .execute();
  return rows.map((r) => ({
    username: r.username,
    kind: r.kind,
    laCode: r.la_code,
    organisation: r.organisation,
    requireCertificate: r.require_certificate,
    certificates: Number(r.certificates ?? 0),
    createdAt: r.created_at,
    disabledAt: r.disabled_at,
  }));
}

/** Runs `change` on the named account, locked, and writes the audit row it returns in the same transaction. */
async function changeAccount<T>(
  db: Database,
  username: string,
  by: string,
  change: (
    trx: Transaction<EdgateDatabase>,
    account: { id: number; username: string; disabledAt: Date | null },
  ) => Promise<{ result: T; audit?: { action: Action; detail?: string } }>,
): Promise<T> {
  const name = username.trim().toLowerCase();
  return db.transaction().execute(async (trx) => {
    const account = await trx
      .selectFrom('regulator.gateway_account')
      .select(['id', 'username', 'disabled_at'])
      .where('username', '=', name)
      .forUpdate()
      .executeTakeFirst();
    if (!account) throw new GatewayAdminError(`No gateway account named "${name}"`);
    const { result, audit } = await change(trx, {
      id: account.id,
      username: account.username,
      disabledAt: account.disabled_at,
    });
    if (audit) {
      await trx
        .insertInto('regulator.gateway_account_change')
        .values({
          account_id: account.id,
          username: account.username,
          action: audit.action,
          detail: audit.detail ?? null,
          changed_by: by,
        })
        .execute();
    }
    return result;
  });
}

/** Disables or re-enables a gateway account; false when it was already so (nothing written). */
export async function setGatewayAccountDisabled(
  db: Database,
  input: { username: string; disabled: boolean; by: string },
): Promise<boolean> {
  return changeAccount(db, input.username, input.by, async (trx, account) => {
    if ((account.disabledAt !== null) === input.disabled) return { result: false };
    await trx
      .updateTable('regulator.gateway_account')
      .set({ disabled_at: input.disabled ? sql<Date>`now()` : null })
      .where('id', '=', account.id)
      .execute();
    return { result: true, audit: { action: input.disabled ? 'disable' : 'enable' } };
  });
}

// As at creation (gateway-store.ts): 144 and 192 random bits, safe in a header and a SOAP token.
const newPassword = () => randomBytes(18).toString('base64url');
const newApiKey = () => randomBytes(24).toString('base64url');

/** A new WS-Security password, sealed; the old one stops working with the commit. Returns the new one (show it once). */
export async function rotateGatewayPassword(
  db: Database,
  box: SecretBox,
  input: { username: string; by: string },
): Promise<string> {
  return changeAccount(db, input.username, input.by, async (trx, account) => {
    const password = newPassword();
    await trx
      .updateTable('regulator.gateway_account')
      .set({ password_secret: box.seal(password) })
      .where('id', '=', account.id)
      .execute();
    return { result: password, audit: { action: 'rotate-password' } };
  });
}

/** A new FID API key (only its hash kept); the old one stops working with the commit. Returns the new one (show it once). */
export async function rotateGatewayApiKey(
  db: Database,
  input: { username: string; by: string },
): Promise<string> {
  return changeAccount(db, input.username, input.by, async (trx, account) => {
    const apiKey = newApiKey();
    await trx
      .updateTable('regulator.gateway_account')
      .set({ api_key_hash: hashApiKey(apiKey) })
      .where('id', '=', account.id)
      .execute();
    return { result: apiKey, audit: { action: 'rotate-api-key' } };
  });
}

export interface RegisteredCertificateListing {
  username: string;
  thumbprintSha1: string;
  subject: string;
  notAfter: Date;
  addedAt: Date;
}

/** Certificates registered to gateway accounts (one account's when `username` is given). */
export async function listCertificates(
  db: Database,
  username?: string,
): Promise<RegisteredCertificateListing[]> {
  let query = db
    .selectFrom('regulator.gateway_certificate as c')
    .innerJoin('regulator.gateway_account as a', 'a.id', 'c.account_id')
    .select(['a.username', 'c.thumbprint_sha1', 'c.subject', 'c.not_after', 'c.added_at'])
    .orderBy('a.username')
    .orderBy('c.added_at');
  if (username !== undefined) {
    const name = username.trim().toLowerCase();
    const exists = await db
      .selectFrom('regulator.gateway_account')
      .select('id')
      .where('username', '=', name)
      .executeTakeFirst();
    if (!exists) throw new GatewayAdminError(`No gateway account named "${name}"`);
    query = query.where('a.username', '=', name);
  }
  const rows = await query.execute();
  return rows.map((r) => ({
    username: r.username,
    thumbprintSha1: r.thumbprint_sha1,
    subject: r.subject,
    notAfter: new Date(r.not_after),
    addedAt: r.added_at,
  }));
}

/** SHA-1 thumbprints are written with colons, spaces or capitals by other tools. */
export function normaliseThumbprint(text: string): string | undefined {
  const hex = text.replace(/[\s:]/g, '').toLowerCase();
  return /^[0-9a-f]{40}$/.test(hex) ? hex : undefined;
}

/**
 * Removes a certificate from an account: the one named by `thumbprint`, or its only one.
 * Signatures made with it are refused from the next request on, on every instance.
 */
export async function removeCertificate(
  db: Database,
  input: { username: string; thumbprint?: string; by: string },
): Promise<{ thumbprintSha1: string; subject: string }> {
  const thumbprint = input.thumbprint === undefined ? undefined : normaliseThumbprint(input.thumbprint);
  if (input.thumbprint !== undefined && thumbprint === undefined)
    throw new GatewayAdminError(`--thumbprint ${input.thumbprint} is not a SHA-1 thumbprint (40 hex digits)`);
  return changeAccount(db, input.username, input.by, async (trx, account) => {
    const registered = await trx
      .selectFrom('regulator.gateway_certificate')
      .select(['thumbprint_sha1', 'subject'])
      .where('account_id', '=', account.id)
      .execute();
    let target: { thumbprint_sha1: string; subject: string } | undefined;
    if (thumbprint !== undefined) {
      target = registered.find((c) => c.thumbprint_sha1 === thumbprint);
      if (!target)
        throw new GatewayAdminError(`Gateway account "${account.username}" has no certificate ${thumbprint}`);
    } else if (registered.length === 1) {
      target = registered[0]!;
    } else {
      throw new GatewayAdminError(
        registered.length === 0
          ? `Gateway account "${account.username}" has no certificates`
          : `Gateway account "${account.username}" has ${registered.length} certificates: name one with --thumbprint (see edgate gateway certificate list)`,
      );
    }
    await trx
      .deleteFrom('regulator.gateway_certificate')
      .where('account_id', '=', account.id)
      .where('thumbprint_sha1', '=', target.thumbprint_sha1)
      .execute();
    return {
      result: { thumbprintSha1: target.thumbprint_sha1, subject: target.subject },
      audit: { action: 'remove-certificate', detail: `SHA-1 ${target.thumbprint_sha1} ${target.subject}` },
    };
  });
}

export interface AuthorisationListing {
  id: number;
  organisation: string;
  laCode: string;
  validFrom: string;
  validUntil: string | null;
  createdBy: string;
  createdAt: Date;
  revokedAt: Date | null;
  revokedBy: string | null;
}

/** Agents' authorisations, newest first: every one, or one by its id. */
export async function listAuthorisations(
  db: Database,
  options: { id?: number } = {},
): Promise<AuthorisationListing[]> {
  let query = db.selectFrom('regulator.gateway_authorisation').selectAll().orderBy('id', 'desc');
  if (options.id !== undefined) query = query.where('id', '=', options.id);
  const rows = await query.execute();
  return rows.map((r) => ({
    id: r.id,
    organisation: r.organisation,
    laCode: r.la_code,
    validFrom: r.valid_from,
    validUntil: r.valid_until,
    createdBy: r.created_by,
    createdAt: r.created_at,
    revokedAt: r.revoked_at,
    revokedBy: r.revoked_by,
  }));
}

export interface GatewayChange {
  at: Date;
  by: string;
  action: GatewayAccountChangeTable['action'] | 'authorise' | 'revoke-authorisation';
  /** The gateway account changed, or the agent organisation an authorisation is for. */
  subject: string;
  laCode: string | null;
  detail: string | null;
}

/**
 * The audit of changes to who may collect, newest first: accounts made, certified, cut off and
 * re-keyed (`gateway_account_change`), and authorisations given and revoked, which their own rows
 * record with who and when.
 */
export async function gatewayChanges(
  db: Database,
  options: { username?: string; limit?: number } = {},
): Promise<GatewayChange[]> {
  const limit = options.limit ?? 100;
  let accounts = db
    .selectFrom('regulator.gateway_account_change')
    .select(['username', 'action', 'detail', 'changed_by', 'changed_at'])
    .orderBy('id', 'desc')
    .limit(limit);
  if (options.username !== undefined) accounts = accounts.where('username', '=', options.username);
  const changes: GatewayChange[] = (await accounts.execute()).map((r) => ({
    at: r.changed_at,
    by: r.changed_by,
    action: r.action,
    subject: r.username,
    laCode: null,
    detail: r.detail,
  }));
  if (options.username === undefined) {
    for (const a of await listAuthorisations(db)) {
      const period = `from ${a.validFrom}${a.validUntil ? ` to ${a.validUntil}` : ' until revoked'}`;
      const common = { subject: a.organisation, laCode: a.laCode };
      changes.push({ ...common, at: a.createdAt, by: a.createdBy, action: 'authorise', detail: period });
      if (a.revokedAt)
        changes.push({
          ...common,
          at: a.revokedAt,
          by: a.revokedBy ?? 'unknown',
          action: 'revoke-authorisation',
          detail: null,
        });
    }
  }
  return changes.sort((a, b) => b.at.getTime() - a.at.getTime()).slice(0, limit);
}

/**
 * The gateway's records: accounts (with sealed passwords, certificates and FID API keys),
 * agents' authorisations from LAs, digest nonces seen, and the audit of every request.
 */
import { createHash, randomBytes, X509Certificate } from 'node:crypto';
import { sql } from 'kysely';
import type { Database } from '../../platform/db/database.ts';
import type { SecretBox } from '../../platform/auth/secret-box.ts';
import { localAuthorityByCode } from '../../platform/reference.ts';
import { isCalendarDate } from '../../platform/calendar.ts';
import type { Authorisation, GatewayAccount } from './collection-rules.ts';

export class GatewayAdminError extends Error {}

const USERNAME = /^[a-z0-9][a-z0-9._@-]{1,63}$/;

export interface NewGatewayAccount {
  username: string;
  /** For an LA's own account. */
  laCode?: string;
  /** For an agent's account: the organisation LAs authorise. */
  agent?: string;
  requireCertificate?: boolean;
  /** Who creates it, for the audit (`regulator.gateway_account_change`). */
  by?: string;
}

export interface CreatedGatewayAccount extends GatewayAccount {
  /** Shown once; only sealed (password) or hashed (API key) copies are kept. */
  password: string;
  apiKey: string;
}

export const hashApiKey = (key: string) => createHash('sha256').update(key).digest('hex');

export async function createGatewayAccount(
  db: Database,
  box: SecretBox,
  input: NewGatewayAccount,
): Promise<CreatedGatewayAccount> {
  const username = input.username.trim().toLowerCase();
  if (!USERNAME.test(username))
    throw new GatewayAdminError(
      `Username "${input.username}" must be 2–64 letters, digits, dots, dashes, @ or underscores`,
    );
  if ((input.laCode === undefined) === (input.agent === undefined)) {
    throw new GatewayAdminError(
      'Give either --la CODE (a local authority’s own account) or --agent NAME (an authorised agent)',
    );
  }
  let organisation: string;
  if (input.laCode !== undefined) {
    const la = localAuthorityByCode(input.laCode);
    if (!la)
      throw new GatewayAdminError(`'${input.laCode}' is not the 3-digit code of a live local authority`);
    organisation = la.name;
  } else {
    organisation = input.agent!.trim();
    if (organisation.length < 2) throw new GatewayAdminError('The agent’s organisation name is too short');
  }
  const existing = await db
    .selectFrom('regulator.gateway_account')
    .select('id')
    .where('username', '=', username)
    .executeTakeFirst();
  if (existing) throw new GatewayAdminError(`A gateway account named "${username}" already exists`);
  const password = randomBytes(18).toString('base64url');
  const apiKey = randomBytes(24).toString('base64url');
  const requireCertificate = input.requireCertificate ?? true;
  const row = await db.transaction().execute(async (trx) => {
    const created = await trx
      .insertInto('regulator.gateway_account')
      .values({
        username,
        kind: input.laCode !== undefined ? 'la' : 'agent',
        la_code: input.laCode ?? null,
        organisation,
        password_secret: box.seal(password),
        require_certificate: requireCertificate,
        api_key_hash: hashApiKey(apiKey),
      })
      .returning(['id', 'kind', 'la_code'])
      .executeTakeFirstOrThrow();
    await trx
      .insertInto('regulator.gateway_account_change')
      .values({
        account_id: created.id,
        username,
        action: 'create',
        detail: `${created.kind === 'la' ? `local authority ${organisation} (${input.laCode})` : `agent ${organisation}`}${requireCertificate ? '' : ', no certificate needed'}`,
        changed_by: input.by ?? 'edgate',
      })
      .execute();
    return created;
  });
  return { id: row.id, username, kind: row.kind, laCode: row.la_code, organisation, password, apiKey };
}

export interface GatewayCredentials {
  account: GatewayAccount;
  password: string;
  requireCertificate: boolean;
  certificates: { thumbprintSha1: string; pem: string }[];
}

export async function credentialsOf(
  db: Database,
  box: SecretBox,
  username: string,
): Promise<GatewayCredentials | undefined> {
  // One round trip for the account and its live certificates: this runs on every request.
  const rows = await db
    .selectFrom('regulator.gateway_account as a')
    .leftJoin('regulator.gateway_certificate as c', (join) =>
      join.onRef('c.account_id', '=', 'a.id').on('c.not_after', '>', sql<Date>`now()`),
    )
    .select([
      'a.id',
      'a.username',
      'a.kind',
      'a.la_code',
      'a.organisation',
      'a.password_secret',
      'a.require_certificate',
      'c.thumbprint_sha1',
      'c.pem',
    ])
    .where('a.username', '=', username.trim().toLowerCase())
    .where('a.disabled_at', 'is', null)
    .execute();
  const row = rows[0];
  if (!row) return undefined;
  const certificates: { thumbprintSha1: string; pem: string }[] = [];
  for (const r of rows) {
    if (r.thumbprint_sha1 !== null && r.pem !== null) {
      certificates.push({ thumbprintSha1: r.thumbprint_sha1, pem: r.pem });
    }
  }
  return {
    account: {
      id: row.id,
      username: row.username,
      kind: row.kind,
      laCode: row.la_code,
      organisation: row.organisation,
    },
    password: box.open(row.password_secret),
    requireCertificate: row.require_certificate,
    certificates,
  };
}

export async function accountByApiKey(db: Database, apiKey: string): Promise<GatewayAccount | undefined> {
  const row = await db
    .selectFrom('regulator.gateway_account')
    .select(['id', 'username', 'kind', 'la_code', 'organisation'])
    .where('api_key_hash', '=', hashApiKey(apiKey))
    .where('disabled_at', 'is', null)
    .executeTakeFirst();
  return row
    ? {
        id: row.id,
        username: row.username,
        kind: row.kind,
        laCode: row.la_code,
        organisation: row.organisation,
      }
    : undefined;
}

/** Registers an X.509 certificate (PEM) to an account; returns its SHA-1 thumbprint (hex), as WS-Security references it. */
export async function addCertificate(
  db: Database,
  username: string,
  pem: string,
  /** Who registers it, for the audit. */
  by = 'edgate',
  now: Date = new Date(),
): Promise<{ thumbprintSha1: string; subject: string; notAfter: Date }> {
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(pem);
  } catch {
    throw new GatewayAdminError('The file is not a PEM X.509 certificate');
  }
  const notAfter = new Date(certificate.validTo);
  if (notAfter.getTime() < now.getTime())
    throw new GatewayAdminError(`The certificate expired on ${notAfter.toISOString().slice(0, 10)}`);
  const account = await db
    .selectFrom('regulator.gateway_account')
    .select('id')
    .where('username', '=', username.toLowerCase())
    .executeTakeFirst();
  if (!account) throw new GatewayAdminError(`No gateway account named "${username}"`);
  const thumbprintSha1 = createHash('sha1').update(certificate.raw).digest('hex');
  await db.transaction().execute(async (trx) => {
    const added = await trx
      .insertInto('regulator.gateway_certificate')
      .values({
        account_id: account.id,
        thumbprint_sha1: thumbprintSha1,
        pem: certificate.toString(),
        subject: certificate.subject,
        not_after: notAfter,
      })
      .onConflict((oc) => oc.columns(['account_id', 'thumbprint_sha1']).doNothing())
      .returning('thumbprint_sha1')
      .executeTakeFirst();
    // Registered already: nothing changed, nothing to audit.
    if (!added) return;
    await trx
      .insertInto('regulator.gateway_account_change')
      .values({
        account_id: account.id,
        username: username.toLowerCase(),
        action: 'add-certificate',
        detail: `SHA-1 ${thumbprintSha1} ${certificate.subject}`,
        changed_by: by,
      })
      .execute();
  });
  return { thumbprintSha1, subject: certificate.subject, notAfter };
}

export async function authorise(
  db: Database,
  input: { organisation: string; laCode: string; validFrom: string; validUntil?: string; by: string },
): Promise<number> {
  if (!localAuthorityByCode(input.laCode))
    throw new GatewayAdminError(`'${input.laCode}' is not the 3-digit code of a live local authority`);
  for (const date of [input.validFrom, input.validUntil]) {
    if (date !== undefined && !isCalendarDate(date))
      throw new GatewayAdminError(`'${date}' is not a date YYYY-MM-DD`);
  }
  if (input.validUntil !== undefined && input.validUntil < input.validFrom) {
    throw new GatewayAdminError('The authorisation would end before it starts');
  }
  const agents = await db
    .selectFrom('regulator.gateway_account')
    .select('id')
    .where('kind', '=', 'agent')
    .where('organisation', '=', input.organisation)
    .execute();
  if (agents.length === 0) throw new GatewayAdminError(`No agent accounts belong to "${input.organisation}"`);
  const row = await db
    .insertInto('regulator.gateway_authorisation')
    .values({
      organisation: input.organisation,
      la_code: input.laCode,
      valid_from: input.validFrom,
      valid_until: input.validUntil ?? null,
      created_by: input.by,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Revokes every current authorisation of the organisation by the LA; returns how many. */
export async function revoke(
  db: Database,
  input: { organisation: string; laCode: string; by: string },
): Promise<number> {
  const result = await db
    .updateTable('regulator.gateway_authorisation')
    .set({ revoked_at: sql<Date>`now()`, revoked_by: input.by })
    .where('organisation', '=', input.organisation)
    .where('la_code', '=', input.laCode)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

export async function authorisationsOf(db: Database, organisation: string): Promise<Authorisation[]> {
  const rows = await db
    .selectFrom('regulator.gateway_authorisation')
    .select(['organisation', 'la_code', 'valid_from', 'valid_until', 'revoked_at'])
    .where('organisation', '=', organisation)
    .execute();
  return rows.map((r) => ({
    organisation: r.organisation,
    laCode: r.la_code,
    validFrom: r.valid_from,
    validUntil: r.valid_until,
    revokedAt: r.revoked_at,
  }));
}

/** Remembers a digest nonce until it expires; false when it was already seen (a replay). */
export async function rememberNonce(db: Database, nonce: string, expiresAt: Date): Promise<boolean> {
  // Housekeeping in passing: expired nonces can no longer be replayed inside a valid timestamp.
  await db
    .deleteFrom('regulator.gateway_nonce')
    .where('expires_at', '<', sql<Date>`now() - interval '1 hour'`)
    .execute();
  const inserted = await db
    .insertInto('regulator.gateway_nonce')
    .values({ nonce, expires_at: expiresAt })
    .onConflict((oc) => oc.column('nonce').doNothing())
    .returning('nonce')
    .executeTakeFirst();
  return inserted !== undefined;
}

export interface AuditEntry {
  requestId: string;
  channel: 'soap' | 'fid-json' | 'fid-xml';
  operation: string;
  account?: GatewayAccount;
  username?: string;
  laCode?: string;
  outcome: string;
  detail?: string;
  bytes: number;
  durationMs: number;
  clientAddress: string;
}

export async function recordAudit(db: Database, entry: AuditEntry): Promise<void> {
  await db
    .insertInto('regulator.gateway_audit')
    .values({
      request_id: entry.requestId,
      channel: entry.channel,
      operation: entry.operation,
      account_id: entry.account?.id ?? null,
      username: entry.account?.username ?? entry.username?.slice(0, 100) ?? null,
      organisation: entry.account?.organisation ?? null,
      la_code: entry.laCode?.slice(0, 10) ?? null,
      outcome: entry.outcome,
      detail: entry.detail?.slice(0, 500) ?? null,
      bytes: entry.bytes,
      duration_ms: Math.round(entry.durationMs),
      client_address: entry.clientAddress,
    })
    .execute();
}

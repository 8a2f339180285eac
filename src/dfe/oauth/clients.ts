/**
 * Registered API clients of the attendance feed. The secret is shown once, at creation, and
 * stored as a scrypt hash like account passwords; `client_id` is random so it reveals nothing.
 *
 * An administrator can cut a client off: disabling refuses its tokens on every instance at the
 * next request (the client's state is read per request, never cached), and a new secret stops
 * the old one. Both also move the client's token generation on, so tokens issued before no longer
 * count even after the client is enabled again (a token names its generation in `gen`).
 */
import { randomBytes } from 'node:crypto';
import type { Database } from '../../platform/db/database.ts';
import { hashPassword, verifyPassword } from '../../platform/auth/password.ts';
import { LA_READ_SCOPE, isScope, type Scope } from './scopes.ts';
import { oauthDb, type OAuthChangeTable } from './tables.ts';

export interface NewClient {
  name: string;
  scopes: readonly string[];
  laCode?: string;
  requiresConsent?: boolean;
  /** Who registers it, for the audit (`dfe.oauth_change`). */
  by?: string;
}

type OAuthAction = OAuthChangeTable['action'];

/** The audit row of a change, written in the change's own transaction. */
export async function recordOAuthChange(
  db: Database,
  change: {
    clientId?: string;
    clientName?: string;
    action: OAuthAction;
    detail?: string;
    by: string;
    /** When: the database's clock unless given. */
    at?: Date;
  },
): Promise<void> {
  await oauthDb(db)
    .insertInto('dfe.oauth_change')
    .values({
      client_id: change.clientId ?? null,
      client_name: change.clientName ?? null,
      action: change.action,
      detail: change.detail ?? null,
      changed_by: change.by,
      ...(change.at === undefined ? {} : { changed_at: change.at }),
    })
    .execute();
}

/** Who changed a client when the caller does not say (a library call, a test). */
const UNNAMED = 'edgate';

export interface OAuthClient {
  clientId: string;
  /** Disabled clients are listed by `findClient` (to enable them), never authenticated. */
  disabled?: boolean;
  name: string;
  scopes: Scope[];
  laCode: string | null;
  requiresConsent: boolean;
}

/** Why a client cannot be created as asked, or undefined. */
export function newClientProblem(client: NewClient): string | undefined {
  if (client.name.trim() === '') return 'A client needs a name';
  const unknown = client.scopes.filter((s) => !isScope(s));
  if (unknown.length > 0) return `Unknown scope(s): ${unknown.join(', ')}`;
  if (client.laCode !== undefined && !/^\d{3}$/.test(client.laCode)) return 'LA code must be 3 digits';
  if (client.scopes.includes(LA_READ_SCOPE) && client.laCode === undefined)
    return `Scope ${LA_READ_SCOPE} needs an LA code`;
  return undefined;
}

export async function createClient(
  db: Database,
  client: NewClient,
  /** When it was created: the database's clock unless given (the demo world passes its own). */
  now?: Date,
): Promise<{ clientId: string; clientSecret: string }> {
  const problem = newClientProblem(client);
  if (problem) throw new Error(problem);
  const clientId = randomBytes(16).toString('base64url');
  // 256 bits: a secret nobody chose needs no password rules, and base64url survives form and Basic encoding.
  const clientSecret = randomBytes(32).toString('base64url');
  const secretHash = await hashPassword(clientSecret);
  const scopes = [...new Set(client.scopes)];
  const requiresConsent = client.requiresConsent ?? true;
  await db.transaction().execute(async (trx) => {
    await oauthDb(trx)
      .insertInto('dfe.oauth_client')
      .values({
        id: clientId,
        name: client.name.trim(),
        secret_hash: secretHash,
        scopes,
        la_code: client.laCode ?? null,
        requires_consent: requiresConsent,
        ...(now === undefined ? {} : { created_at: now }),
      })
      .execute();
    await recordOAuthChange(trx, {
      clientId,
      clientName: client.name.trim(),
      action: 'create',
      detail: `scopes ${scopes.join(' ')}${client.laCode ? `, local authority ${client.laCode}` : ''}${requiresConsent ? ', needs each school’s consent' : ''}`,
      by: client.by ?? UNNAMED,
      // The demo world registers its clients in the past: their audit says so too.
      ...(now === undefined ? {} : { at: now }),
    });
  });
  return { clientId, clientSecret };
}

// Verified when the client is unknown, so an unknown id costs as long as a wrong secret.
let dummyHash: Promise<string> | undefined;

/** The client if the id and secret match and it is not disabled; otherwise undefined. */
export async function authenticateClient(
  db: Database,
  clientId: string,
  secret: string,
): Promise<(OAuthClient & { tokenGeneration: number }) | undefined> {
  const row = await oauthDb(db)
    .selectFrom('dfe.oauth_client')
    .select([
      'id',
      'name',
      'secret_hash',
      'scopes',
      'la_code',
      'requires_consent',
      'disabled_at',
      'token_generation',
    ])
    .where('id', '=', clientId)
    .executeTakeFirst();
  if (!row) {
    dummyHash ??= hashPassword(randomBytes(16).toString('hex'));
    await verifyPassword(secret, await dummyHash);
    return undefined;
  }
  if (!(await verifyPassword(secret, row.secret_hash)) || row.disabled_at !== null) return undefined;
  return {
    tokenGeneration: row.token_generation,
    clientId: row.id,
    name: row.name,
    scopes: row.scopes.filter(isScope),
    laCode: row.la_code,
    requiresConsent: row.requires_consent,
  };
}

/** Disables a client: its tokens stop at its next request, on every instance. False if already disabled. */
export async function disableClient(
  db: Database,
  clientId: string,
  now: Date,
  by = UNNAMED,
): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const row = await oauthDb(trx)
      .updateTable('dfe.oauth_client')
      .set((eb) => ({ disabled_at: now, token_generation: eb('token_generation', '+', 1) }))
      .where('id', '=', clientId)
      .where('disabled_at', 'is', null)
      .returning('name')
      .executeTakeFirst();
    if (row) await recordOAuthChange(trx, { clientId, clientName: row.name, action: 'disable', by });
    return row !== undefined;
  });
}

/** Enables a disabled client: it must get new tokens (those from before stay refused). */
export async function enableClient(db: Database, clientId: string, by = UNNAMED): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const row = await oauthDb(trx)
      .updateTable('dfe.oauth_client')
      .set({ disabled_at: null })
      .where('id', '=', clientId)
      .where('disabled_at', 'is not', null)
      .returning('name')
      .executeTakeFirst();
    if (row) await recordOAuthChange(trx, { clientId, clientName: row.name, action: 'enable', by });
    return row !== undefined;
  });
}

/** A new secret for a client, returned once: the old secret, and tokens obtained with it, stop at once. */
export async function rotateClientSecret(
  db: Database,
  clientId: string,
  by = UNNAMED,
): Promise<string | undefined> {
  const clientSecret = randomBytes(32).toString('base64url');
  const secretHash = await hashPassword(clientSecret);
  return db.transaction().execute(async (trx) => {
    const row = await oauthDb(trx)
      .updateTable('dfe.oauth_client')
      .set((eb) => ({ secret_hash: secretHash, token_generation: eb('token_generation', '+', 1) }))
      .where('id', '=', clientId)
      .returning('name')
      .executeTakeFirst();
    if (!row) return undefined;
    await recordOAuthChange(trx, { clientId, clientName: row.name, action: 'rotate-secret', by });
    return clientSecret;
  });
}

/**
 * Whether a verified token's client may still act: known, not disabled, and the token of its
 * current generation. Read per request, so a disable on one instance counts on all of them.
 */
export async function tokenClientActive(
  db: Database,
  clientId: string,
  tokenGeneration: number,
): Promise<boolean> {
  const row = await oauthDb(db)
    .selectFrom('dfe.oauth_client')
    .select(['disabled_at', 'token_generation'])
    .where('id', '=', clientId)
    .executeTakeFirst();
  return row !== undefined && row.disabled_at === null && row.token_generation === tokenGeneration;
}

/** A client by its id or its (unique) name, for administrators who remember names. */
export async function findClient(db: Database, idOrName: string): Promise<OAuthClient | undefined> {
  const row = await oauthDb(db)
    .selectFrom('dfe.oauth_client')
    .select(['id', 'name', 'scopes', 'la_code', 'requires_consent', 'disabled_at'])
    .where((eb) => eb.or([eb('id', '=', idOrName), eb('name', '=', idOrName)]))
    .executeTakeFirst();
  return (
    row && {
      clientId: row.id,
      name: row.name,
      scopes: row.scopes.filter(isScope),
      laCode: row.la_code,
      requiresConsent: row.requires_consent,
      disabled: row.disabled_at !== null,
    }
  );
}

export interface ClientListing extends OAuthClient {
  createdAt: Date;
  disabledAt: Date | null;
}

/** Every client, by name, with its state. */
export async function listClients(db: Database): Promise<ClientListing[]> {
  const rows = await oauthDb(db)
    .selectFrom('dfe.oauth_client')
    .select(['id', 'name', 'scopes', 'la_code', 'requires_consent', 'created_at', 'disabled_at'])
    .orderBy('name')
    .execute();
  return rows.map((row) => ({
    clientId: row.id,
    name: row.name,
    scopes: row.scopes.filter(isScope),
    laCode: row.la_code,
    requiresConsent: row.requires_consent,
    disabled: row.disabled_at !== null,
    createdAt: row.created_at,
    disabledAt: row.disabled_at,
  }));
}

export interface OAuthChange {
  clientId: string | null;
  clientName: string | null;
  action: OAuthAction;
  detail: string | null;
  changedBy: string;
  changedAt: Date;
}

/** The audit, newest first: one client's changes, or every change (signing keys included). */
export async function oauthChanges(
  db: Database,
  options: { clientId?: string; limit?: number } = {},
): Promise<OAuthChange[]> {
  let query = oauthDb(db)
    .selectFrom('dfe.oauth_change')
    .select(['client_id', 'client_name', 'action', 'detail', 'changed_by', 'changed_at'])
    .orderBy('id', 'desc')
    .limit(options.limit ?? 100);
  if (options.clientId !== undefined) query = query.where('client_id', '=', options.clientId);
  return (await query.execute()).map((r) => ({
    clientId: r.client_id,
    clientName: r.client_name,
    action: r.action,
    detail: r.detail,
    changedBy: r.changed_by,
    changedAt: r.changed_at,
  }));
}

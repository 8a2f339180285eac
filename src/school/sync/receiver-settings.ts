/**
 * Where the school role sends: the receiver's addresses and the supplier's OAuth client, kept in
 * the database (every instance reads the same), the secret and extra headers sealed.
 */
import type { Database } from '../../platform/db/database.ts';
import type { SecretBox } from '../../platform/auth/secret-box.ts';
import type { ReceiverSettings } from './receiver-client.ts';
import './tables.ts';

export class ReceiverSettingsError extends Error {}

const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}$/;
const RESERVED = new Set([
  'authorization',
  'content-type',
  'content-length',
  'idempotency-key',
  'host',
  'api-client-session-id',
]);

/** What is wrong with the settings, in plain words; undefined when nothing. */
export function receiverSettingsProblem(settings: ReceiverSettings): string | undefined {
  for (const [name, value] of [
    ['base URL', settings.baseUrl],
    ['token URL', settings.tokenUrl],
  ] as const) {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      return `The ${name} "${value}" is not an address.`;
    }
    if (url.protocol !== 'https:') return `The ${name} must be https:, not ${url.protocol}.`;
  }
  if (!settings.clientId.trim()) return 'The client id is empty.';
  if (!settings.clientSecret) return 'The client secret is empty.';
  if (!/^[\x21\x23-\x5b\x5d-\x7e]+( [\x21\x23-\x5b\x5d-\x7e]+)*$/.test(settings.scope))
    return `The scope "${settings.scope}" is not an OAuth scope (words separated by spaces).`;
  for (const [name, value] of Object.entries(settings.extraHeaders)) {
    if (!HEADER_NAME.test(name)) return `"${name}" is not a header name.`;
    if (RESERVED.has(name.toLowerCase())) return `The header ${name} is set by edgate itself.`;
    if (!/^[\x20-\x7e]*$/.test(value)) return `The value of the header ${name} is not printable ASCII.`;
  }
  return undefined;
}

export async function saveReceiverSettings(
  db: Database,
  box: SecretBox,
  settings: ReceiverSettings,
  updatedBy: string,
): Promise<void> {
  const problem = receiverSettingsProblem(settings);
  if (problem) throw new ReceiverSettingsError(problem);
  const row = {
    base_url: settings.baseUrl,
    token_url: settings.tokenUrl,
    client_id: settings.clientId,
    client_secret_sealed: box.seal(settings.clientSecret),
    scope: settings.scope,
    extra_headers_sealed:
      Object.keys(settings.extraHeaders).length > 0 ? box.seal(JSON.stringify(settings.extraHeaders)) : null,
    app_id: settings.appId ?? null,
    updated_by: updatedBy,
    updated_at: new Date(),
  };
  await db
    .insertInto('school.receiver_settings')
    .values({ id: 1, ...row })
    .onConflict((oc) => oc.column('id').doUpdateSet(row))
    .execute();
}

/** The settings, opened; undefined when none are saved yet. */
export async function loadReceiverSettings(
  db: Database,
  box: SecretBox,
): Promise<ReceiverSettings | undefined> {
  const row = await db.selectFrom('school.receiver_settings').selectAll().executeTakeFirst();
  if (!row) return undefined;
  return {
    baseUrl: row.base_url,
    tokenUrl: row.token_url,
    clientId: row.client_id,
    clientSecret: box.open(row.client_secret_sealed),
    scope: row.scope,
    extraHeaders: row.extra_headers_sealed
      ? (JSON.parse(box.open(row.extra_headers_sealed)) as Record<string, string>)
      : {},
    ...(row.app_id ? { appId: row.app_id } : {}),
  };
}

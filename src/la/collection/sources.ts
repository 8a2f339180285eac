/**
 * Sources: where an LA (or an agent for several LAs) collects its extract from. Secrets (the
 * gateway password, the FID API key, the certificate and its key) are sealed at rest with the
 * role's SecretBox, opened only to collect, and never listed or printed.
 */
import { sql, type Kysely, type Selectable } from 'kysely';
import type { EdgateDatabase } from '../../platform/db/schema.ts';
import type { SecretBox } from '../../platform/auth/secret-box.ts';
import { localAuthorityByCode } from '../../platform/reference.ts';
import { DAILY_TIME } from '../../platform/jobs/daily-schedule.ts';
import type { SignatureAlgorithm, SourceAuditAction, SourceKind, SourceTable } from '../tables.ts';
import { CertificateError, openClientCertificate, type CertificateMaterial } from './client-certificate.ts';
import type { CollectingSource } from './collectors.ts';

type Db = Kysely<EdgateDatabase>;
export type SourceRow = Selectable<SourceTable>;

/** A source that cannot be added or changed as asked; the message is for the person who asked. */
export class SourceError extends Error {}

export const DEFAULT_COLLECT_TIME = '06:30';

export interface NewSource {
  name: string;
  kind: SourceKind;
  endpointUrl?: string;
  username?: string;
  password?: string;
  fidApiKey?: string;
  fidServiceKey?: string;
  certificate?: CertificateMaterial;
  signatureAlgorithm?: SignatureAlgorithm;
  laCodes: string[];
  collectTime?: string;
  by: string;
}

/** Every problem with `input`, in plain words (empty: it can be added). */
export async function sourceProblems(input: NewSource): Promise<string[]> {
  const problems: string[] = [];
  if (input.name.trim() === '') problems.push('Enter a name for the source.');
  if (input.name.length > 100) problems.push('The name must be 100 characters or fewer.');
  if (input.laCodes.length === 0) problems.push('Enter at least one local authority code.');
  for (const code of input.laCodes) {
    if (!/^\d{3}$/.test(code) || !localAuthorityByCode(code))
      problems.push(`${code} is not the 3-digit DfE code of a local authority in England.`);
  }
  if (new Set(input.laCodes).size !== input.laCodes.length)
    problems.push('A local authority is listed twice.');
  if (input.collectTime !== undefined && !DAILY_TIME.test(input.collectTime))
    problems.push('Enter the collection time as HH:MM, for example 06:30.');
  if (input.kind !== 'upload') {
    let url: URL | undefined;
    try {
      url = new URL(input.endpointUrl ?? '');
    } catch {
      problems.push('Enter the gateway’s address, starting https://.');
    }
    if (url && url.protocol !== 'https:') problems.push('The gateway’s address must start https://.');
  }
  if (input.kind === 'soap') {
    if (!input.username) problems.push('Enter the gateway username.');
    if (!input.password) problems.push('Enter the gateway password.');
  }
  if (input.kind === 'fid' && !input.fidApiKey) problems.push('Enter the FID API key.');
  if (input.certificate) {
    try {
      await openClientCertificate(input.certificate);
    } catch (error) {
      if (!(error instanceof CertificateError)) throw error;
      problems.push(error.message);
    }
  }
  return problems;
}

export async function addSource(db: Db, box: SecretBox, input: NewSource): Promise<number> {
  const problems = await sourceProblems(input);
  if (problems.length > 0) throw new SourceError(problems.join(' '));
  const taken = await db
    .selectFrom('la.source')
    .select('id')
    .where('name', '=', input.name)
    .executeTakeFirst();
  if (taken) throw new SourceError(`There is already a source called ${input.name}.`);
  const row = await db
    .insertInto('la.source')
    .values({
      name: input.name.trim(),
      kind: input.kind,
      endpoint_url: input.kind === 'upload' ? null : input.endpointUrl!,
      username: input.username ?? null,
      password_sealed: input.password ? box.seal(input.password) : null,
      fid_api_key_sealed: input.fidApiKey ? box.seal(input.fidApiKey) : null,
      fid_service_key: input.fidServiceKey ?? null,
      certificate_sealed: input.certificate ? box.seal(JSON.stringify(input.certificate)) : null,
      signature_algorithm: input.signatureAlgorithm ?? 'rsa-sha1',
      la_codes: input.laCodes,
      collect_time: input.collectTime ?? DEFAULT_COLLECT_TIME,
      created_by: input.by,
      updated_by: input.by,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await auditSource(db, {
    source: { id: row.id, name: input.name.trim(), la_codes: input.laCodes },
    action: 'added',
    detail: `${input.kind.toUpperCase()} from ${input.endpointUrl ?? 'uploads'} for ${input.laCodes.join(', ')}, daily at ${input.collectTime ?? DEFAULT_COLLECT_TIME}${input.certificate ? ', with a signing certificate' : ''}`,
    by: input.by,
  });
  return row.id;
}

/** What may be shown of a source: no secret, only whether it has one. */
export interface SourceSummary {
  id: number;
  name: string;
  kind: SourceKind;
  endpointUrl: string | null;
  username: string | null;
  hasCertificate: boolean;
  signatureAlgorithm: SignatureAlgorithm;
  laCodes: string[];
  collectTime: string;
  enabled: boolean;
  updatedBy: string;
  updatedAt: Date;
}

export function sourceSummary(row: SourceRow): SourceSummary {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    endpointUrl: row.endpoint_url,
    username: row.username,
    hasCertificate: row.certificate_sealed !== null,
    signatureAlgorithm: row.signature_algorithm,
    laCodes: [...row.la_codes],
    collectTime: row.collect_time,
    enabled: row.enabled,
    updatedBy: row.updated_by,
    updatedAt: new Date(row.updated_at),
  };
}

/** Sources, by name; with `laCode`, only those that collect that LA. */
export async function listSources(db: Db, options: { laCode?: string } = {}): Promise<SourceSummary[]> {
  const rows = await db.selectFrom('la.source').selectAll().orderBy('name').execute();
  return rows
    .map(sourceSummary)
    .filter((s) => options.laCode === undefined || s.laCodes.includes(options.laCode));
}

export async function findSource(db: Db, name: string): Promise<SourceRow | undefined> {
  return db.selectFrom('la.source').selectAll().where('name', '=', name).executeTakeFirst();
}

/** Turns a source off (it is no longer collected) or on again; false when there is no such source. */
export async function setSourceEnabled(
  db: Db,
  id: number,
  enabled: boolean,
  by: string,
  options: { audit?: boolean } = {},
): Promise<boolean> {
  const row = await db
    .updateTable('la.source')
    .set({ enabled, updated_by: by, updated_at: new Date() })
    .where('id', '=', id)
    .returning(['id', 'name', 'la_codes'])
    .executeTakeFirst();
  if (row && options.audit !== false)
    await auditSource(db, {
      source: row,
      action: enabled ? 'enabled' : 'disabled',
      detail: enabled ? 'Collected daily again' : 'No longer collected',
      by,
    });
  return row !== undefined;
}

/** One line of a source's audit. */
export async function auditSource(
  db: Db,
  entry: {
    source: { id: number; name: string; la_codes: string[] };
    action: SourceAuditAction;
    detail: string;
    by: string;
    at?: Date;
  },
): Promise<void> {
  await db
    .insertInto('la.source_audit')
    .values({
      source_id: entry.source.id,
      source_name: entry.source.name,
      la_codes: entry.source.la_codes,
      action: entry.action,
      detail: entry.detail,
      changed_by: entry.by,
      changed_at: entry.at ?? new Date(),
    })
    .execute();
}

export interface SourceAuditEntry {
  sourceName: string;
  action: SourceAuditAction;
  detail: string;
  changedBy: string;
  changedAt: Date;
}

/** The latest changes to sources, newest first; with `laCode`, to the sources that collect it. */
export async function sourceAudit(db: Db, laCode?: string, limit = 30): Promise<SourceAuditEntry[]> {
  let query = db.selectFrom('la.source_audit').selectAll().orderBy('id', 'desc').limit(limit);
  if (laCode !== undefined) query = query.where(sql<boolean>`${laCode} = any(la_codes)`);
  const rows = await query.execute();
  return rows.map((r) => ({
    sourceName: r.source_name,
    action: r.action,
    detail: r.detail,
    changedBy: r.changed_by,
    changedAt: new Date(r.changed_at),
  }));
}

/**
 * A change to a source: only what is given changes. A secret left out is kept; a new one
 * replaces it. The kind never changes (a new source is added instead).
 */
export type SourceChanges = Partial<Omit<NewSource, 'kind' | 'by'>> & { removeCertificate?: boolean };

/** The source as it would be after `changes`, in the shape `sourceProblems` checks (kept secrets stand in as kept). */
function changedInput(row: SourceRow, changes: SourceChanges, by: string): NewSource {
  const kept = (sealed: string | null) => (sealed ? '(kept)' : undefined);
  const password = changes.password ?? kept(row.password_sealed);
  const fidApiKey = changes.fidApiKey ?? kept(row.fid_api_key_sealed);
  const username = changes.username ?? row.username ?? undefined;
  const fidServiceKey = changes.fidServiceKey ?? row.fid_service_key ?? undefined;
  return {
    name: changes.name ?? row.name,
    kind: row.kind,
    ...(row.kind === 'upload' ? {} : { endpointUrl: changes.endpointUrl ?? row.endpoint_url ?? '' }),
    ...(username !== undefined ? { username } : {}),
    ...(password !== undefined ? { password } : {}),
    ...(fidApiKey !== undefined ? { fidApiKey } : {}),
    ...(fidServiceKey !== undefined ? { fidServiceKey } : {}),
    ...(changes.certificate ? { certificate: changes.certificate } : {}),
    signatureAlgorithm: changes.signatureAlgorithm ?? row.signature_algorithm,
    laCodes: changes.laCodes ?? [...row.la_codes],
    collectTime: changes.collectTime ?? row.collect_time,
    by,
  };
}

/** Every problem with changing `row` by `changes`, with the same rules as adding a source. */
export async function sourceChangeProblems(
  db: Db,
  row: SourceRow,
  changes: SourceChanges,
): Promise<string[]> {
  const problems = await sourceProblems(changedInput(row, changes, ''));
  if (changes.name !== undefined && changes.name.trim() !== row.name) {
    const taken = await db
      .selectFrom('la.source')
      .select('id')
      .where('name', '=', changes.name.trim())
      .executeTakeFirst();
    if (taken) problems.push(`There is already a source called ${changes.name.trim()}.`);
  }
  return problems;
}

/** What `changes` would change, one plain line each; a secret only as "replaced". */
export function describeSourceChanges(row: SourceRow, changes: SourceChanges): string[] {
  const lines: string[] = [];
  const field = (label: string, old: string | null, next: string | undefined) => {
    if (next !== undefined && next !== (old ?? ''))
      lines.push(`${label}: ${old || '(none)'} → ${next || '(none)'}`);
  };
  field('Name', row.name, changes.name?.trim());
  field('Address', row.endpoint_url, changes.endpointUrl);
  field('Username', row.username, changes.username);
  field('Service key', row.fid_service_key, changes.fidServiceKey);
  field('Local authorities', row.la_codes.join(', '), changes.laCodes?.join(', '));
  field('Collected daily at', row.collect_time, changes.collectTime);
  field('Signature', row.signature_algorithm, changes.signatureAlgorithm);
  if (changes.password) lines.push('Password: replaced');
  if (changes.fidApiKey) lines.push('API key: replaced');
  if (changes.certificate)
    lines.push(
      `Signing certificate: ${row.certificate_sealed ? 'replaced' : 'added'} (${changes.certificate.format.toUpperCase()})`,
    );
  else if (changes.removeCertificate && row.certificate_sealed) lines.push('Signing certificate: removed');
  return lines;
}

/** Changes a source (checked as `addSource` checks), secrets sealed, and audits what changed. */
export async function updateSource(
  db: Db,
  box: SecretBox,
  id: number,
  changes: SourceChanges,
  by: string,
  now: Date = new Date(),
): Promise<string[]> {
  const row = await db.selectFrom('la.source').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new SourceError('There is no such source.');
  const problems = await sourceChangeProblems(db, row, changes);
  if (problems.length > 0) throw new SourceError(problems.join(' '));
  const lines = describeSourceChanges(row, changes);
  if (lines.length === 0) return lines;
  const input = changedInput(row, changes, by);
  const updated = await db
    .updateTable('la.source')
    .set({
      name: input.name.trim(),
      ...(input.endpointUrl !== undefined ? { endpoint_url: input.endpointUrl } : {}),
      username: input.username ?? null,
      ...(changes.password ? { password_sealed: box.seal(changes.password) } : {}),
      ...(changes.fidApiKey ? { fid_api_key_sealed: box.seal(changes.fidApiKey) } : {}),
      fid_service_key: input.fidServiceKey ?? null,
      ...(changes.certificate
        ? { certificate_sealed: box.seal(JSON.stringify(changes.certificate)) }
        : changes.removeCertificate
          ? { certificate_sealed: null }
          : {}),
      signature_algorithm: input.signatureAlgorithm ?? row.signature_algorithm,
      la_codes: input.laCodes,
      collect_time: input.collectTime ?? row.collect_time,
      updated_by: by,
      updated_at: now,
    })
    .where('id', '=', id)
    .returning(['id', 'name', 'la_codes'])
    .executeTakeFirstOrThrow();
  await auditSource(db, { source: updated, action: 'changed', detail: lines.join('; '), by, at: now });
  return lines;
}

/** The source with its secrets opened, to collect with. */
export async function openSource(row: SourceRow, box: SecretBox): Promise<CollectingSource> {
  const certificate = row.certificate_sealed
    ? await openClientCertificate(JSON.parse(box.open(row.certificate_sealed)) as CertificateMaterial)
    : undefined;
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    endpointUrl: row.endpoint_url,
    username: row.username,
    password: row.password_sealed ? box.open(row.password_sealed) : null,
    fidApiKey: row.fid_api_key_sealed ? box.open(row.fid_api_key_sealed) : null,
    fidServiceKey: row.fid_service_key,
    ...(certificate ? { certificate } : {}),
    signatureAlgorithm: row.signature_algorithm,
  };
}

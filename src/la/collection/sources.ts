/**
 * Sources: where an LA (or an agent for several LAs) collects its extract from. Secrets (the
 * gateway password, the FID API key, the certificate and its key) are sealed at rest with the
 * role's SecretBox, opened only to collect, and never listed or printed.
 */
import type { Kysely, Selectable } from 'kysely';
import type { EdgateDatabase } from '../../platform/db/schema.ts';
import type { SecretBox } from '../../platform/auth/secret-box.ts';
import { localAuthorityByCode } from '../../platform/reference.ts';
import { DAILY_TIME } from '../../platform/jobs/daily-schedule.ts';
import type { SignatureAlgorithm, SourceKind, SourceTable } from '../tables.ts';
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
export async function setSourceEnabled(db: Db, id: number, enabled: boolean, by: string): Promise<boolean> {
  const result = await db
    .updateTable('la.source')
    .set({ enabled, updated_by: by, updated_at: new Date() })
    .where('id', '=', id)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
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

/**
 * Where an LA reads its schools' attendance: the DfE's statistics API, with the LA's own OAuth
 * client (scope `attendance.read.la`, registered at the DfE for that LA). Kept per LA code in the
 * database, so every instance reads the same; the client secret sealed with the role's SecretBox,
 * opened only to ask for a token, and never listed or printed.
 *
 * `setAttendanceSource` is what the CLI, and the demo world, call to configure an LA.
 */
import type { Database } from '../../platform/db/database.ts';
import type { SecretBox } from '../../platform/auth/secret-box.ts';
import { localAuthorityByCode } from '../../platform/reference.ts';
import './tables.ts';

/** A source that cannot be set as asked; the message is for the person who asked. */
export class AttendanceSourceError extends Error {}

export interface AttendanceSource {
  laCode: string;
  /** The statistics API's base address, e.g. https://dfe.example/ */
  baseUrl: string;
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  /** A PEM certificate to trust besides the public ones. */
  caPem?: string;
}

/** What may be shown of a source: no secret. */
export interface AttendanceSourceSummary {
  laCode: string;
  baseUrl: string;
  tokenUrl: string;
  clientId: string;
  hasOwnCertificate: boolean;
  updatedBy: string;
  updatedAt: Date;
}

/** Every problem with `source`, in plain words (empty: it can be saved). */
export function attendanceSourceProblems(source: AttendanceSource): string[] {
  const problems: string[] = [];
  if (!/^\d{3}$/.test(source.laCode) || !localAuthorityByCode(source.laCode))
    problems.push(`${source.laCode} is not the 3-digit DfE code of a local authority in England.`);
  for (const [name, value] of [
    ['DfE address', source.baseUrl],
    ['token address', source.tokenUrl],
  ] as const) {
    let url: URL | undefined;
    try {
      url = new URL(value);
    } catch {
      problems.push(`Enter the ${name}, starting https://.`);
    }
    if (url && url.protocol !== 'https:') problems.push(`The ${name} must start https://.`);
  }
  if (!source.clientId.trim()) problems.push('Enter the client id the DfE gave your LA.');
  if (!source.clientSecret) problems.push('Enter the client secret the DfE gave your LA.');
  if (source.caPem !== undefined && !/-----BEGIN CERTIFICATE-----/.test(source.caPem))
    problems.push('The certificate to trust must be a PEM certificate (-----BEGIN CERTIFICATE-----).');
  return problems;
}

/** Saves (or replaces) the LA's source; the secret is sealed. */
export async function setAttendanceSource(
  db: Database,
  box: SecretBox,
  source: AttendanceSource,
  by: string,
): Promise<void> {
  const problems = attendanceSourceProblems(source);
  if (problems.length > 0) throw new AttendanceSourceError(problems.join(' '));
  const row = {
    base_url: source.baseUrl,
    token_url: source.tokenUrl,
    client_id: source.clientId.trim(),
    client_secret_sealed: box.seal(source.clientSecret),
    ca_pem: source.caPem ?? null,
    updated_by: by,
    updated_at: new Date(),
  };
  await db
    .insertInto('la.attendance_source')
    .values({ la_code: source.laCode, ...row })
    .onConflict((oc) => oc.column('la_code').doUpdateSet(row))
    .execute();
}

/** The LA's source, opened; undefined when none is set. */
export async function loadAttendanceSource(
  db: Database,
  box: SecretBox,
  laCode: string,
): Promise<AttendanceSource | undefined> {
  const row = await db
    .selectFrom('la.attendance_source')
    .selectAll()
    .where('la_code', '=', laCode)
    .executeTakeFirst();
  return (
    row && {
      laCode: row.la_code.trim(),
      baseUrl: row.base_url,
      tokenUrl: row.token_url,
      clientId: row.client_id,
      clientSecret: box.open(row.client_secret_sealed),
      ...(row.ca_pem ? { caPem: row.ca_pem } : {}),
    }
  );
}

/** Every LA's source (or one LA's), without secrets, by LA code. */
export async function listAttendanceSources(
  db: Database,
  laCode?: string,
): Promise<AttendanceSourceSummary[]> {
  let query = db.selectFrom('la.attendance_source').selectAll().orderBy('la_code');
  if (laCode !== undefined) query = query.where('la_code', '=', laCode);
  const rows = await query.execute();
  return rows.map((row) => ({
    laCode: row.la_code.trim(),
    baseUrl: row.base_url,
    tokenUrl: row.token_url,
    clientId: row.client_id,
    hasOwnCertificate: row.ca_pem !== null,
    updatedBy: row.updated_by,
    updatedAt: row.updated_at,
  }));
}

/** Removes the LA's source and the figures kept from it. False when it had none. */
export async function removeAttendanceSource(db: Database, laCode: string): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    await trx.deleteFrom('la.attendance_answer').where('la_code', '=', laCode).execute();
    await trx.deleteFrom('la.attendance_fetch').where('la_code', '=', laCode).execute();
    const result = await trx
      .deleteFrom('la.attendance_source')
      .where('la_code', '=', laCode)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  });
}

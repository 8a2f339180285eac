/**
 * The register in the regulator's schema: writing registrations in bulk, reading one back
 * whole, and the row mapping between the two. Bulk writes send one array per column
 * (`insert … select from unnest(…)`), so a batch of thousands is one statement per table on
 * either engine.
 */
import { sql, type Selectable, type Transaction } from 'kysely';
import type { Database } from '../../platform/db/database.ts';
import type { EdgateDatabase } from '../../platform/db/schema.ts';
import type {
  Address,
  CertificateCondition,
  RegisterStatus,
  WelfareNotice,
  YesNo,
  ChildcareAge,
  ChildcarePeriod,
  ChildServicesRegister,
  Notice,
  NoticeType,
  ProviderContact,
  ProvisionType,
  Register,
  Registration,
  RegistrationStatus,
  SettingContact,
  SpecialConsideration,
} from '../../contracts/childcare-extract/registration.ts';
import type { RegistrationTable } from './tables.ts';

type Executor = Database | Transaction<EdgateDatabase>;

const BATCH = 1000;

/** Date of the latest status change: the 60-day rule of the extract reads it. */
export function statusChangedOn(registration: Registration): string {
  const last = registration.statusHistory.at(-1);
  return last?.changeDate ?? registration.registrationDate ?? registration.lastChangeDate;
}

export const REGISTRATION_COLUMNS = [
  'reference_number',
  'la_code',
  'provision_type',
  'secondary_provision_type',
  'rp_reference_number',
  'provider_name',
  'provider_address_line1',
  'provider_address_line2',
  'provider_town',
  'provider_county',
  'provider_postcode',
  'provider_telephone',
  'provider_mobile',
  'provider_work_telephone',
  'provider_fax',
  'provider_email',
  'setting_name',
  'setting_address_line1',
  'setting_address_line2',
  'setting_town',
  'setting_county',
  'setting_postcode',
  'setting_telephone',
  'setting_fax',
  'setting_email',
  'special_considerations',
  'status',
  'status_changed_on',
  'registration_date',
  'last_change_date',
  'provider_uprn',
  'provider_consent_withheld',
  'setting_uprn',
  'setting_mobile',
  'setting_work_telephone',
] as const;

export const DATE_COLUMNS = new Set(['status_changed_on', 'registration_date', 'last_change_date']);

export function registrationValues(r: Registration): (string | null)[] {
  const p = r.provider;
  const s = r.setting;
  return [
    r.referenceNumber,
    r.laCode,
    r.provisionType,
    r.secondaryProvisionType ?? null,
    r.rpReferenceNumber ?? null,
    p.name,
    p.address.addressLine1,
    p.address.addressLine2 ?? null,
    p.address.town,
    p.address.county ?? null,
    p.address.postcode ?? null,
    p.contact?.telephoneNumber ?? null,
    p.contact?.mobileNumber ?? null,
    p.contact?.workTelephoneNumber ?? null,
    p.contact?.faxNumber ?? null,
    p.contact?.emailAddress ?? null,
    s?.name ?? null,
    s?.address.addressLine1 ?? null,
    s?.address.addressLine2 ?? null,
    s?.address.town ?? null,
    s?.address.county ?? null,
    s?.address.postcode ?? null,
    s?.contact?.telephoneNumber ?? null,
    s?.contact?.faxNumber ?? null,
    s?.contact?.emailAddress ?? null,
    r.specialConsiderations ?? null,
    r.status,
    statusChangedOn(r),
    r.registrationDate ?? null,
    r.lastChangeDate,
    p.address.uprn ?? null,
    p.consentWithheld ?? null,
    s?.address.uprn ?? null,
    s?.contact?.mobileNumber ?? null,
    s?.contact?.workTelephoneNumber ?? null,
  ];
}

/** Child tables: name, columns (after reference_number, seq) with their SQL types, and the rows of one registration. */
interface ChildSpec {
  table: string;
  columns: [name: string, type: string][];
  rows(r: Registration): (string | number | boolean | null)[][];
}

export const CHILD_TABLES: ChildSpec[] = [
  {
    table: 'status_history',
    columns: [
      ['status', 'text'],
      ['change_date', 'date'],
    ],
    rows: (r) => r.statusHistory.map((h) => [h.status, h.changeDate]),
  },
  {
    table: 'child_services_register',
    columns: [
      ['register', 'text'],
      ['status', 'text'],
      ['start_date', 'date'],
      ['end_date', 'date'],
    ],
    rows: (r) => r.registers.map((g) => [g.register, g.status, g.startDate, g.endDate ?? null]),
  },
  {
    table: 'childcare_age',
    columns: [
      ['age_from', 'smallint'],
      ['age_to', 'smallint'],
      ['maximum_number', 'integer'],
      ['register', 'text'],
    ],
    rows: (r) => r.ageBands.map((a) => [a.ageFrom, a.ageTo, a.maximumNumber, a.register ?? null]),
  },
  {
    table: 'inspection',
    columns: [
      ['inspection_type', 'text'],
      ['inspection_date', 'date'],
      ['overall_judgement', 'text'],
    ],
    rows: (r) => r.inspections.map((i) => [i.inspectionType, i.inspectionDate, i.overallJudgement]),
  },
  {
    table: 'notice',
    columns: [
      ['type', 'text'],
      ['sub_type', 'text'],
      ['status', 'text'],
      ['notice_date', 'date'],
    ],
    rows: (r) => r.notices.map((n) => [n.type, n.subType, n.status, n.date ?? null]),
  },
  {
    table: 'certificate_condition',
    columns: [
      ['condition', 'text'],
      ['register', 'text'],
    ],
    rows: (r) => (r.certificateConditions ?? []).map((c) => [c.condition, c.register ?? null]),
  },
  {
    table: 'welfare_notice',
    columns: [
      ['category', 'text'],
      ['start_date', 'date'],
      ['end_date', 'date'],
    ],
    rows: (r) => (r.welfareNotices ?? []).map((w) => [w.category, w.startDate, w.endDate ?? null]),
  },
  {
    table: 'linked_registration',
    columns: [
      ['linked_reference_number', 'text'],
      ['reason', 'text'],
    ],
    rows: (r) => (r.linkedRegistrations ?? []).map((l) => [l.referenceNumber, l.reason]),
  },
];

export interface UpsertCounts {
  added: number;
  replaced: number;
}

/**
 * Writes registrations with all their children: new ones are added, existing ones (same
 * reference number) replaced whole and their version bumped. Suspension records and the
 * status-change audit are edgate's own and are kept. Call inside a transaction when the load
 * must be all-or-nothing.
 */
export async function upsertRegistrations(
  db: Executor,
  registrations: readonly Registration[],
): Promise<UpsertCounts> {
  const counts: UpsertCounts = { added: 0, replaced: 0 };
  for (let start = 0; start < registrations.length; start += BATCH) {
    const batch = registrations.slice(start, start + BATCH);
    const columns: (string | null)[][] = REGISTRATION_COLUMNS.map(() => []);
    const periods: string[] = [];
    for (const r of batch) {
      registrationValues(r).forEach((value, i) => columns[i]!.push(value));
      periods.push(r.childcarePeriods.join(','));
    }
    const params = [...columns, periods].map(
      (values, i) =>
        sql`${values}::${sql.raw(i < REGISTRATION_COLUMNS.length && DATE_COLUMNS.has(REGISTRATION_COLUMNS[i]!) ? 'date' : 'text')}[]`,
    );
    const names = [...REGISTRATION_COLUMNS, 'periods'].map((c) => sql.raw(c));
    const written = await sql<{ reference_number: string; added: boolean }>`
      insert into regulator.registration (${sql.join(REGISTRATION_COLUMNS.map((c) => sql.raw(c)))}, childcare_periods)
      select ${sql.join(REGISTRATION_COLUMNS.map((c) => sql.raw(c)))},
             case when periods = '' then '{}'::text[] else string_to_array(periods, ',') end
      from unnest(${sql.join(params)}) as t(${sql.join(names)})
      on conflict (reference_number) do update set
        ${sql.join(
          [...REGISTRATION_COLUMNS.slice(1), 'childcare_periods'].map((c) => sql.raw(`${c} = excluded.${c}`)),
        )},
        version = registration.version + 1,
        updated_at = now()
      returning reference_number, (xmax = 0) as added
    `.execute(db);
    for (const row of written.rows) counts[row.added ? 'added' : 'replaced']++;
    // A replaced registration's children are written anew; a new one has none to remove.
    const replaced = written.rows.filter((row) => !row.added).map((row) => row.reference_number);
    if (replaced.length > 0) {
      for (const child of CHILD_TABLES) {
        await sql`delete from ${sql.raw(`regulator.${child.table}`)} where reference_number = any(${replaced}::text[])`.execute(
          db,
        );
      }
    }

    for (const child of CHILD_TABLES) {
      const refs: string[] = [];
      const seqs: number[] = [];
      const values: (string | number | boolean | null)[][] = child.columns.map(() => []);
      for (const r of batch) {
        child.rows(r).forEach((row, seq) => {
          refs.push(r.referenceNumber);
          seqs.push(seq);
          row.forEach((value, i) => values[i]!.push(value));
        });
      }
      if (refs.length === 0) continue;
      const names = child.columns.map(([name]) => sql.raw(name));
      await sql`
        insert into ${sql.raw(`regulator.${child.table}`)} (reference_number, seq, ${sql.join(names)})
        select * from unnest(${refs}::text[], ${seqs}::smallint[], ${sql.join(
          child.columns.map(([, type], i) => sql`${values[i]}::${sql.raw(type)}[]`),
        )})
      `.execute(db);
    }
  }
  return counts;
}

export interface StoredRegistration {
  registration: Registration;
  version: number;
  suspensions: {
    grounds: string;
    startDate: string;
    endDate: string;
    investigationCannotFinishSooner: boolean;
  }[];
}

type RegistrationRow = Selectable<RegistrationTable>;

/** Optional properties are left out, not set to `undefined`, so a registration read back deep-equals the one written. */
function present<T extends object>(value: { [K in keyof T]: T[K] | null | undefined }): T {
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) if (v !== null && v !== undefined) out[key] = v;
  return out as T;
}

function contactOrNothing<T extends object>(value: { [K in keyof T]: T[K] | null }): T | undefined {
  const contact = present<T>(value);
  return Object.keys(contact).length === 0 ? undefined : contact;
}

function groupByReference<T extends { reference_number: string }>(rows: T[]): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const row of rows) {
    const group = groups.get(row.reference_number);
    if (group) group.push(row);
    else groups.set(row.reference_number, [row]);
  }
  return groups;
}

/**
 * Completes registrations from their parent rows: one query per child table for the whole
 * batch, so reading thousands costs a handful of round trips. Keeps the order of `rows`.
 */
export async function completeRegistrations(
  db: Executor,
  rows: readonly RegistrationRow[],
): Promise<Registration[]> {
  if (rows.length === 0) return [];
  const refs = rows.map((r) => r.reference_number);
  const [history, registers, ages, inspections, notices, conditions, welfare, links] = await Promise.all([
    db
      .selectFrom('regulator.status_history')
      .select(['reference_number', 'status', 'change_date'])
      .where('reference_number', '=', sql<string>`any(${refs}::text[])`)
      .orderBy('reference_number')
      .orderBy('seq')
      .execute(),
    db
      .selectFrom('regulator.child_services_register')
      .select(['reference_number', 'register', 'status', 'start_date', 'end_date'])
      .where('reference_number', '=', sql<string>`any(${refs}::text[])`)
      .orderBy('reference_number')
      .orderBy('seq')
      .execute(),
    db
      .selectFrom('regulator.childcare_age')
      .select(['reference_number', 'age_from', 'age_to', 'maximum_number', 'register'])
      .where('reference_number', '=', sql<string>`any(${refs}::text[])`)
      .orderBy('reference_number')
      .orderBy('seq')
      .execute(),
    db
      .selectFrom('regulator.inspection')
      .select(['reference_number', 'inspection_type', 'inspection_date', 'overall_judgement'])
      .where('reference_number', '=', sql<string>`any(${refs}::text[])`)
      .orderBy('reference_number')
      .orderBy('seq')
      .execute(),
    db
      .selectFrom('regulator.notice')
      .select(['reference_number', 'type', 'sub_type', 'status', 'notice_date'])
      .where('reference_number', '=', sql<string>`any(${refs}::text[])`)
      .orderBy('reference_number')
      .orderBy('seq')
      .execute(),
    db
      .selectFrom('regulator.certificate_condition')
      .select(['reference_number', 'condition', 'register'])
      .where('reference_number', '=', sql<string>`any(${refs}::text[])`)
      .orderBy('reference_number')
      .orderBy('seq')
      .execute(),
    db
      .selectFrom('regulator.welfare_notice')
      .select(['reference_number', 'category', 'start_date', 'end_date'])
      .where('reference_number', '=', sql<string>`any(${refs}::text[])`)
      .orderBy('reference_number')
      .orderBy('seq')
      .execute(),
    db
      .selectFrom('regulator.linked_registration')
      .select(['reference_number', 'linked_reference_number', 'reason'])
      .where('reference_number', '=', sql<string>`any(${refs}::text[])`)
      .orderBy('reference_number')
      .orderBy('seq')
      .execute(),
  ]);
  const historyOf = groupByReference(history);
  const registersOf = groupByReference(registers);
  const agesOf = groupByReference(ages);
  const inspectionsOf = groupByReference(inspections);
  const noticesOf = groupByReference(notices);
  const conditionsOf = groupByReference(conditions);
  const welfareOf = groupByReference(welfare);
  const linksOf = groupByReference(links);
  const nonEmpty = <T>(list: T[]): T[] | null => (list.length === 0 ? null : list);
  return rows.map((row) => {
    const ref = row.reference_number;
    return present<Registration>({
      referenceNumber: ref,
      rpReferenceNumber: row.rp_reference_number,
      laCode: row.la_code,
      provisionType: row.provision_type as ProvisionType,
      secondaryProvisionType: row.secondary_provision_type as ProvisionType | null,
      provider: present<Registration['provider']>({
        name: row.provider_name,
        address: present<Address>({
          addressLine1: row.provider_address_line1,
          addressLine2: row.provider_address_line2,
          town: row.provider_town,
          county: row.provider_county,
          postcode: row.provider_postcode,
          uprn: row.provider_uprn,
        }),
        contact: contactOrNothing<ProviderContact>({
          telephoneNumber: row.provider_telephone,
          mobileNumber: row.provider_mobile,
          workTelephoneNumber: row.provider_work_telephone,
          faxNumber: row.provider_fax,
          emailAddress: row.provider_email,
        }),
        consentWithheld: row.provider_consent_withheld as YesNo | null,
      }),
      setting:
        row.setting_name === null
          ? undefined
          : present<NonNullable<Registration['setting']>>({
              name: row.setting_name,
              address: present<Address>({
                addressLine1: row.setting_address_line1 ?? '',
                addressLine2: row.setting_address_line2,
                town: row.setting_town ?? '',
                county: row.setting_county,
                postcode: row.setting_postcode,
                uprn: row.setting_uprn,
              }),
              contact: contactOrNothing<SettingContact>({
                telephoneNumber: row.setting_telephone,
                mobileNumber: row.setting_mobile,
                workTelephoneNumber: row.setting_work_telephone,
                faxNumber: row.setting_fax,
                emailAddress: row.setting_email,
              }),
            }),
      specialConsiderations: row.special_considerations as SpecialConsideration | null,
      status: row.status as RegistrationStatus,
      statusHistory: (historyOf.get(ref) ?? []).map((h) => ({
        status: h.status as RegistrationStatus,
        changeDate: h.change_date,
      })),
      registrationDate: row.registration_date,
      registers: (registersOf.get(ref) ?? []).map((g) =>
        present<ChildServicesRegister>({
          register: g.register as Register,
          status: g.status as RegisterStatus,
          startDate: g.start_date,
          endDate: g.end_date,
        }),
      ),
      certificateConditions: nonEmpty(
        (conditionsOf.get(ref) ?? []).map((c) =>
          present<CertificateCondition>({ condition: c.condition, register: c.register as Register | null }),
        ),
      ),
      childcarePeriods: row.childcare_periods as ChildcarePeriod[],
      ageBands: (agesOf.get(ref) ?? []).map((a) =>
        present<ChildcareAge>({
          ageFrom: a.age_from,
          ageTo: a.age_to,
          maximumNumber: a.maximum_number,
          register: a.register as Register | null,
        }),
      ),
      inspections: (inspectionsOf.get(ref) ?? []).map((i) => ({
        inspectionType: i.inspection_type,
        inspectionDate: i.inspection_date,
        overallJudgement: i.overall_judgement,
      })),
      notices: (noticesOf.get(ref) ?? []).map((n) =>
        present<Notice>({
          type: n.type as NoticeType,
          subType: n.sub_type,
          status: n.status,
          date: n.notice_date,
        }),
      ),
      welfareNotices: nonEmpty(
        (welfareOf.get(ref) ?? []).map((w) =>
          present<WelfareNotice>({ category: w.category, startDate: w.start_date, endDate: w.end_date }),
        ),
      ),
      linkedRegistrations: nonEmpty(
        (linksOf.get(ref) ?? []).map((l) => ({
          referenceNumber: l.linked_reference_number,
          reason: l.reason,
        })),
      ),
      lastChangeDate: row.last_change_date,
    });
  });
}

export async function loadRegistration(
  db: Executor,
  referenceNumber: string,
): Promise<StoredRegistration | undefined> {
  const row = await db
    .selectFrom('regulator.registration')
    .selectAll()
    .where('reference_number', '=', referenceNumber)
    .executeTakeFirst();
  if (!row) return undefined;
  const [[registration], suspensions] = await Promise.all([
    completeRegistrations(db, [row]),
    db
      .selectFrom('regulator.suspension')
      .select(['grounds', 'start_date', 'end_date', 'investigation_cannot_finish_sooner'])
      .where('reference_number', '=', referenceNumber)
      .orderBy('seq')
      .execute(),
  ]);
  return {
    registration: registration!,
    version: row.version,
    suspensions: suspensions.map((s) => ({
      grounds: s.grounds,
      startDate: s.start_date,
      endDate: s.end_date,
      investigationCannotFinishSooner: s.investigation_cannot_finish_sooner,
    })),
  };
}
